import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { builtInProfiles } from '../../src/agents/registry.js';
import issuesmith from '../../src/index.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { E2BSandboxProvider } from '../../src/sandbox/e2b.js';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import type { SandboxProvider } from '../../src/sandbox/provider.js';
import { FakeE2BServer } from '../helpers/fake-e2b-server.js';
import { GitServer } from '../helpers/git-server.js';
import { MockGitHubApi } from '../helpers/github-api.js';
import { useStrictNock } from '../helpers/nock-harness.js';
import { commentPayload } from '../helpers/payloads.js';
import { testProbot } from '../helpers/probot.js';

const FIXTURE_BIN = join(import.meta.dirname, '..', 'fixtures', 'bin');
const PATH = `${FIXTURE_BIN}:${process.env.PATH ?? ''}`;
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const READ_TOKEN = 'ghs_readonly2token000000000000000000000000000000000000';
const WRITE_TOKEN = 'ghs_write2token11111111111111111111111111111111111111';
const KEYS = {
  ANTHROPIC_API_KEY: 'sk-ant-agents-test-0123456789abcdef',
  CODEX_API_KEY: 'sk-codex-agents-test-0123456789abcdef',
  AMP_API_KEY: 'sgamp_user_agents_test_0123456789abcdef',
};

describe('the whole pipeline, per agent and per sandbox provider', () => {
  useStrictNock();
  let git: GitServer;
  let root: string;
  let runtime: Runtime | undefined;

  beforeEach(async () => {
    git = await new GitServer().start();
    git.createRepo(OWNER, REPO, { 'README.md': '# Hello\n' });
    git.tokens.set(READ_TOKEN, 'read');
    git.tokens.set(WRITE_TOKEN, 'write');
    root = mkdtempSync(join(tmpdir(), 'issuesmith-agents-'));
  });

  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
    await git.stop();
    rmSync(root, { recursive: true, force: true });
  });

  function api(commentId: number): MockGitHubApi {
    return new MockGitHubApi(git.url, { owner: OWNER, repo: REPO, number: 1, login: 'Codertocat', readToken: READ_TOKEN, writeToken: WRITE_TOKEN, commentId });
  }

  async function run(sandboxes: SandboxProvider, body: string, commentId: number): Promise<void> {
    const probot = testProbot(`${git.url}/api/v3`);
    runtime = createRuntime(probot, { ...KEYS, ISSUESMITH_WORK_DIR: root, ISSUESMITH_JOB_TIMEOUT_MINUTES: '1' }, { sandboxes });
    issuesmith(probot, {}, runtime);
    await probot.receive({ id: `d-${commentId}`, name: 'issue_comment', payload: commentPayload(body, { commentId }) } as never);
    await runtime.queue.drain();
  }

  it.each(builtInProfiles.map((p) => p.name))('%s goes from /agent to a pushed branch and a pull request', async (agent) => {
    const mock = api(6000).firstRunOpeningPullRequest();
    await run(
      new LocalSandboxProvider({ path: PATH, root }),
      `/agent ${agent} add a note\nfake-agent: write notes/${agent}.md written by ${agent}\nfake-agent: say Wrote the note.`,
      6000,
    );
    expect(git.git(OWNER, REPO, ['show', `issuesmith/1-spelling-error-in-the-readme-file:notes/${agent}.md`])).toBe(`written by ${agent}`);
    const pr = mock.record.pulls[0] as { body: string };
    expect(pr.body).toContain(`"profile":"${agent}"`);
    expect(pr.body).toMatch(/"session":"[^"]+"/);
    expect(pr.body).toContain('Wrote the note.');
    expect(mock.finalStatus).toContain('/pull/77');
    // The host clone is gone; the sandbox is kept, paused, for a follow-up.
    expect(readdirSync(root).filter((n) => !n.startsWith('issuesmith-sessions'))).toEqual(['issuesmith-sbx-Codertocat_Hello-World-1']);
  });

  describe('through E2B (the real SDK against a fake E2B on loopback)', () => {
    let e2b: FakeE2BServer;

    beforeEach(async () => {
      e2b = await FakeE2BServer.start({ path: PATH, root });
    });

    afterEach(async () => {
      await e2b.close();
    });

    function provider(): E2BSandboxProvider {
      return new E2BSandboxProvider({ ...e2b.connection, retry: { attempts: 1 } });
    }

    it('opens the pull request and pauses the sandbox for a follow-up; no token that can push enters it', async () => {
      const mock = api(6100).firstRunOpeningPullRequest();
      await run(provider(), '/agent claude go\nfake-agent: write e2b.txt from e2b', 6100);
      expect(git.git(OWNER, REPO, ['show', 'issuesmith/1-spelling-error-in-the-readme-file:e2b.txt'])).toBe('from e2b');
      expect(mock.record.pulls).toHaveLength(1);
      const [create] = e2b.record.creates;
      // Keyless by default: the key goes to E2B's egress proxy for api.anthropic.com, the sandbox gets a placeholder.
      expect(create).toMatchObject({
        template: builtInProfiles[0]?.template,
        envs: { ANTHROPIC_API_KEY: expect.stringMatching(/^sk-ant-api03-/) as string, IS_SANDBOX: '1' },
        metadata: { app: 'issuesmith', repo: `${OWNER}/${REPO}`, issue: '1', job: 'd-6100' },
        network: { rules: { 'api.anthropic.com': [{ transform: { headers: { 'x-api-key': KEYS.ANTHROPIC_API_KEY } } }] } },
      });
      expect(JSON.stringify(create?.envs)).not.toContain(KEYS.ANTHROPIC_API_KEY);
      expect(Object.keys(create?.envs ?? {}).sort()).toEqual(['ANTHROPIC_API_KEY', 'IS_SANDBOX']);
      expect(e2b.record.kills).toHaveLength(0);
      expect(e2b.record.pauses).toEqual([create?.sandboxId]);
      expect((mock.record.pulls[0] as { body: string }).body).toContain(`"sandbox":"${create?.sandboxId ?? 'none'}"`);
      const everything = JSON.stringify({ creates: e2b.record.creates, commands: e2b.record.commands, writes: e2b.record.writes });
      expect(everything).not.toContain(WRITE_TOKEN);
      expect(everything).not.toContain(Buffer.from(`x-access-token:${WRITE_TOKEN}`).toString('base64'));
      if (process.env.SHOW_E2B_RECORD)
        process.stdout.write(
          `${JSON.stringify({ creates: e2b.record.creates.map((c) => ({ ...c, envs: Object.keys(c.envs) })), commands: e2b.record.commands.map((c) => ({ cmd: c.cmd.slice(0, 110), envNames: c.envNames, exitCode: c.exitCode })), kills: e2b.record.kills }, null, 1)}\n`,
        );
      expect(e2b.record.commands.map((c) => c.cmd.split(' ').slice(0, 2).join(' '))).toEqual([
        'git clone',
        'git config',
        expect.stringMatching(/^cd /),
        // The change collected in one command: the patch, the raw listing, the line counts and the new
        // contents, of which the API path reads the last three out of the sandbox.
        'git add',
        'cd /home/user',
      ]);
    });

    it("answers a job whose agent's template is missing with the command that builds it, before any token or sandbox", async () => {
      const claude = builtInProfiles.find((p) => p.name === 'claude')!;
      e2b.removeTemplate(claude.template);
      // The runtime makes its provider from the environment, as a deployment does, and checks the templates at start.
      for (const [k, v] of Object.entries(e2b.env)) vi.stubEnv(k, v);
      const mock = api(6104).installationToken().permission().reaction('eyes').openPulls().status().reaction('confused');
      const probot = testProbot(`${git.url}/api/v3`);
      runtime = createRuntime(probot, { ...KEYS, ...e2b.env, ISSUESMITH_WORK_DIR: root, ISSUESMITH_JOB_TIMEOUT_MINUTES: '1' });
      issuesmith(probot, {}, runtime);
      try {
        await probot.receive({ id: 'd-6104', name: 'issue_comment', payload: commentPayload('/agent claude go', { commentId: 6104 }) } as never);
        await runtime.queue.drain();
      } finally {
        vi.unstubAllEnvs();
      }
      expect(mock.finalStatus).toContain(`Claude Code runs in the E2B template \`${claude.template}\`, which this app's E2B team does not have yet`);
      expect(mock.finalStatus).toContain('`npm run templates -- build claude`');
      expect(e2b.record.creates).toEqual([]);
      // Once at start, and once more for the job (it might have been built since).
      expect(e2b.record.templateChecks.filter((n) => n === claude.template)).toHaveLength(2);
      expect(mock.record.tokenRequests).toEqual([]);
    });

    it('kills the sandbox when the agent fails', async () => {
      const mock = api(6101).firstRunRefused();
      await run(provider(), '/agent claude go\nfake-agent: fail rate_limit', 6101);
      expect(mock.finalStatus).toContain('was rate limited');
      expect(e2b.record.kills).toHaveLength(1);
      expect(git.branches(OWNER, REPO)).toEqual(['main']);
    });

    it('kills the sandbox when a later step throws', async () => {
      const mock = api(6103)
        .installationToken()
        .permission()
        .reaction('eyes')
        .openPulls()
        .scopedToken('read')
        .botIdentity()
        .scopedToken('write')
        .status()
        .checkRuns()
        .reaction('confused')
        .revoke(2);
      mock.scope.post(`${mock.repoPath}/pulls`).reply(500, { message: 'Server Error' });
      // The pushed branch is taken back down when its pull request cannot be opened.
      mock.scope.delete(`${mock.repoPath}/git/refs/heads%2Fissuesmith%2F1-spelling-error-in-the-readme-file`).reply(204);
      await run(provider(), '/agent claude go\nfake-agent: write y.txt y', 6103);
      expect(e2b.record.creates).toHaveLength(1);
      expect(e2b.record.kills).toHaveLength(1);
      expect(mock.finalStatus).toContain('Something went wrong on our side');
    });

    it('kills the sandbox when it dies mid-run, and says so on the issue', async () => {
      e2b.dieDuring((cmd) => cmd.includes('claude -p'));
      const mock = api(6102).firstRunRefused();
      await run(provider(), '/agent claude go\nfake-agent: write x.txt x\nfake-agent: sleep 3', 6102);
      expect(mock.finalStatus).toContain('The sandbox failed');
      expect(e2b.record.creates).toHaveLength(1);
      expect(git.branches(OWNER, REPO)).toEqual(['main']);
    });
  });
});
