import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Probot } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import issuesmith from '../../src/index.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import type { Sandbox, SandboxProvider } from '../../src/sandbox/provider.js';
import { GitServer } from '../helpers/git-server.js';
import { MockGitHubApi } from '../helpers/github-api.js';
import { useStrictNock } from '../helpers/nock-harness.js';
import { labeledPayload } from '../helpers/payloads.js';
import { testProbot } from '../helpers/probot.js';
import { git, gitAcceptsBranches, makeLab } from './hostile.js';

// The whole first run, from a labeled issue whose title and body are an attacker's, through a local
// sandbox that records every command it is asked to run: no text of the issue reaches a command
// line, no injected command runs, and the branch and commit git receives are well formed.

const FIXTURE_BIN = join(import.meta.dirname, '..', 'fixtures', 'bin');
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const READ_TOKEN = 'ghs_readonlytoken000000000000000000000000000000000000000';
const WRITE_TOKEN = 'ghs_writetoken11111111111111111111111111111111111111111';

/** A provider whose sandboxes write down every command before running it. */
function recording(inner: SandboxProvider, commands: string[]): SandboxProvider {
  const wrap = (s: Sandbox): Sandbox =>
    new Proxy(s, {
      get(target, prop) {
        if (prop === 'run') {
          return (cmd: string, o?: Parameters<Sandbox['run']>[1]) => {
            commands.push(cmd);
            return target.run(cmd, o);
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        // The sandbox's methods use private fields: call them on the sandbox itself.
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  return {
    name: inner.name,
    create: async (o) => wrap(await inner.create(o)),
    connect: async (id, owner) => {
      const s = await inner.connect(id, owner);
      return s === undefined ? undefined : wrap(s);
    },
    kill: (id, owner) => inner.kill(id, owner),
    killTagged: (m) => inner.killTagged(m),
  } as SandboxProvider;
}

describe('a first run on an issue written by an attacker', () => {
  useStrictNock();
  let lab: ReturnType<typeof makeLab>;
  let gitServer: GitServer;
  let sandboxRoot: string;
  let probot: Probot;
  let runtime: Runtime;
  const commands: string[] = [];

  beforeEach(async () => {
    lab = makeLab('pipeline');
    commands.length = 0;
    gitServer = await new GitServer().start();
    gitServer.createRepo(OWNER, REPO, { 'README.md': '# Hello\n' });
    gitServer.tokens.set(READ_TOKEN, 'read');
    gitServer.tokens.set(WRITE_TOKEN, 'write');
    sandboxRoot = mkdtempSync(join(tmpdir(), 'issuesmith-test-sbx-'));
    probot = testProbot(`${gitServer.url}/api/v3`);
    const sandboxes = recording(new LocalSandboxProvider({ path: `${FIXTURE_BIN}:${process.env.PATH ?? ''}`, root: sandboxRoot }), commands);
    runtime = createRuntime(
      probot,
      { ANTHROPIC_API_KEY: 'sk-ant-test-key-0123456789abcdef', ISSUESMITH_WORK_DIR: sandboxRoot, ISSUESMITH_JOB_TIMEOUT_MINUTES: '1' },
      { sandboxes },
    );
    issuesmith(probot, {}, runtime);
  });

  afterEach(async () => {
    await runtime.queue.close();
    await gitServer.stop();
    rmSync(sandboxRoot, { recursive: true, force: true });
    lab.remove();
  });

  it('keeps the title and body off every command line, runs nothing they inject, and pushes a valid branch and commit', async () => {
    const touch = `touch ${lab.canary}`;
    const title = `TITLE-MARK $(${touch}) \`${touch}\` '; ${touch}; ' "$(${touch})" ..\\@{-1}.lock\nCo-authored-by: evil <evil@example.com>\nSigned-off-by: evil <e@x> ｍａｉｎ\u202E\u0000`;
    const body = [
      `BODY-MARK $(${touch}) \`${touch}\` && ${touch} ; ${touch}`,
      `<!-- HIDDEN-MARK ${touch} -->`,
      '--upload-pack=touch x -x ..',
      'fake-agent: write README.md # Hello, fixed',
    ].join('\n');
    const mock = new MockGitHubApi(gitServer.url, { owner: OWNER, repo: REPO, number: 1, login: 'Codertocat', readToken: READ_TOKEN, writeToken: WRITE_TOKEN })
      .installationToken()
      .permission()
      .reaction('eyes')
      .scopedToken('read')
      .botIdentity()
      .scopedToken('write')
      .pullRequest()
      .status()
      .checkRuns()
      .reaction('rocket')
      .revoke(2);
    await probot.receive({ id: `delivery-${Math.random()}`, name: 'issues', payload: labeledPayload('agent:claude', { title, body }) } as never);
    await runtime.queue.drain();

    expect(commands.length, `${mock.finalStatus}\n${commands.join('\n')}`).toBeGreaterThan(2);
    for (const c of commands) for (const mark of ['TITLE-MARK', 'BODY-MARK', 'HIDDEN-MARK']) expect(c, c).not.toContain(mark);
    expect(existsSync(lab.canary), 'an injected command ran').toBe(false);

    const branches = gitServer.branches(OWNER, REPO).filter((b) => b !== 'main');
    expect(branches).toHaveLength(1);
    const branch = branches[0] ?? '';
    expect(gitAcceptsBranches(join(lab.root, 'refs'), [branch])).toEqual([true]);
    expect(gitServer.git(OWNER, REPO, ['show', `${branch}:README.md`])).toBe('# Hello, fixed');
    const message = gitServer.git(OWNER, REPO, ['log', '-1', '--format=%B', branch]);
    const trailers = git(['interpret-trailers', '--parse'], { input: message })
      .toString()
      .split('\n')
      .filter((l) => l !== '');
    expect(trailers).toHaveLength(1);
    expect(trailers[0]).toMatch(/^Co-authored-by: Codertocat </);
    expect(mock.finalStatus).toContain('opened a pull request');
  });
});
