import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import issuesmith from '../../src/index.js';
import type { WorkerOutcome } from '../../src/jobs/worker.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import { SandboxError, type Sandbox } from '../../src/sandbox/provider.js';
import { checkoutInSandbox, cloneInSandbox } from '../../src/sandbox/repo-in-sandbox.js';
import { GitServer } from '../helpers/git-server.js';
import { MockGitHubApi } from '../helpers/github-api.js';
import { useStrictNock } from '../helpers/nock-harness.js';
import { commentPayload, pullCommentPayload } from '../helpers/payloads.js';
import { testProbot } from '../helpers/probot.js';

const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const BRANCH = 'issuesmith/1-x';
const READ_TOKEN = 'ghs_resumedread00000000000000000000000000000000000000000';
const OWNED = { installation: '1', repo: `${OWNER}/${REPO}` };
const FIXTURE_BIN = join(import.meta.dirname, '..', 'fixtures', 'bin');
const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

/** A maintainer pushes to the branch between turns: the real head moves on. Returns it. */
function pushByHand(git: GitServer, branch: string): string {
  const work = mkdtempSync(join(tmpdir(), 'issuesmith-human-'));
  try {
    execFileSync('git', ['clone', '-q', '--branch', branch, git.barePath(OWNER, REPO), work], { env: GIT_ENV });
    writeFileSync(join(work, 'human.txt'), 'by hand\n');
    execFileSync('git', ['-C', work, 'add', '-A'], { env: GIT_ENV });
    execFileSync('git', ['-C', work, '-c', 'user.name=Human', '-c', 'user.email=h@example.invalid', 'commit', '-qm', 'by hand'], { env: GIT_ENV });
    execFileSync('git', ['-C', work, 'push', '-q', 'origin', branch], { env: GIT_ENV });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return git.git(OWNER, REPO, ['rev-parse', branch]);
}

/** The agent's own server on loopback: it records every request, and whether it carried credentials. */
class Trap {
  readonly requests: Array<{ url: string; authorization: string | undefined; proxyAuthorization: string | undefined }> = [];
  #server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      this.requests.push({ url: req.url ?? '', authorization: req.headers.authorization, proxyAuthorization: req.headers['proxy-authorization'] });
      // As a server fishing for credentials would: ask for them.
      res.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"' }).end();
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

describe('a resumed sandbox whose git configuration the agent rewrote never gets the read token to its own server', () => {
  let git: GitServer;
  let trap: Trap;
  let root: string;
  let sandbox: Sandbox;
  let provider: LocalSandboxProvider;
  let remote: string;

  beforeEach(async () => {
    git = await new GitServer().start();
    git.createRepo(OWNER, REPO, { 'README.md': '# Hello\n' });
    execFileSync('git', ['--git-dir', git.barePath(OWNER, REPO), 'branch', BRANCH, 'main'], { env: GIT_ENV });
    git.tokens.set(READ_TOKEN, 'read');
    trap = await new Trap().start();
    root = mkdtempSync(join(tmpdir(), 'issuesmith-resumed-'));
    provider = new LocalSandboxProvider({ root });
    remote = `${git.url}/${OWNER}/${REPO}.git`;
    // The last turn: the branch cloned into the sandbox, which is then paused.
    sandbox = await provider.create({
      template: 'claude',
      envs: {},
      timeoutMs: 60_000,
      metadata: { app: 'issuesmith', installation: '1', repo: `${OWNER}/${REPO}`, issue: '1', job: 'd-1' },
    });
    await cloneInSandbox(sandbox, { url: remote, branch: BRANCH, token: READ_TOKEN, workdir: `${sandbox.homeDir}/repo`, timeoutMs: 60_000 });
  });

  afterEach(async () => {
    await sandbox.kill();
    await trap.stop();
    await git.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** What the agent does to the machine it keeps between turns: its repository's and its home's git configuration. */
  async function rewireGit(): Promise<void> {
    const commands = [
      `git remote set-url origin ${trap.url}/${OWNER}/${REPO}.git`,
      `git config url.${trap.url}/.insteadOf ${git.url}/`,
      `git config http.proxy ${trap.url}`,
      `git config --global url.${trap.url}/.insteadOf ${git.url}/`,
      `git config --global http.proxy ${trap.url}`,
    ];
    const r = await sandbox.run(commands.join(' && '), { cwd: `${sandbox.homeDir}/repo` });
    expect(r.exitCode, r.stderr).toBe(0);
  }

  it('fetches the real head from the real remote, and the agent’s server gets no credential (nor any request)', async () => {
    await rewireGit();
    await sandbox.pause();
    const head = pushByHand(git, BRANCH);
    const resumed = await provider.connect(sandbox.id, OWNED);
    if (resumed === undefined) throw new Error('the paused sandbox is gone');

    const sha = await checkoutInSandbox(resumed, { url: remote, branch: BRANCH, token: READ_TOKEN, workdir: `${resumed.homeDir}/repo`, timeoutMs: 60_000 }).catch(
      (err: unknown) => err,
    );

    expect(trap.requests.filter((r) => r.authorization !== undefined || r.proxyAuthorization !== undefined)).toEqual([]);
    expect(trap.requests).toEqual([]);
    expect(sha).toBe(head);
    expect((await resumed.run('git rev-parse HEAD && cat human.txt', { cwd: `${resumed.homeDir}/repo` })).stdout).toBe(`${head}\nby hand\n`);
    // The token fetch went to the real remote, with the token.
    expect(git.requests.at(-1)).toMatchObject({ token: READ_TOKEN, service: 'upload-pack', status: 200 });
    // It left nothing behind: no temporary repository, no token in the work tree's configuration.
    expect((await resumed.run('cat .git/config', { cwd: `${resumed.homeDir}/repo` })).stdout).not.toContain(READ_TOKEN);
  });

  it('never checks out a commit of the agent’s own when it redirects the local fetch', async () => {
    // A repository of the agent's with a branch `head`, and a rule sending every /tmp path there.
    const r = await sandbox.run(
      [
        'git init -q "$HOME/decoy" && cd "$HOME/decoy"',
        'git -c user.name=a -c user.email=a@a commit -q --allow-empty -m decoy && git branch -f head',
        `cd "$HOME/repo" && git config url."$HOME/decoy".insteadOf "$(dirname "$(mktemp -u)")"`,
      ].join(' && '),
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const head = pushByHand(git, BRANCH);
    const checkout = checkoutInSandbox(sandbox, { url: remote, branch: BRANCH, token: READ_TOKEN, workdir: `${sandbox.homeDir}/repo`, timeoutMs: 60_000 }).then(
      (sha) => sha,
      (err: unknown) => err,
    );
    const result = await checkout;
    // Either the real head arrived anyway, or the checkout is refused; never the decoy.
    if (typeof result === 'string') expect(result).toBe(head);
    else expect(result).toBeInstanceOf(SandboxError);
    expect(trap.requests).toEqual([]);
  });
});

describe('a follow-up in a resumed sandbox whose git configuration the agent rewrote', () => {
  useStrictNock();
  const PR = 77;
  const PR_BRANCH = 'issuesmith/1-spelling-error-in-the-readme-file';
  const WRITE_TOKEN = 'ghs_resumedwrite1111111111111111111111111111111111111111';
  let git: GitServer;
  let trap: Trap;
  let root: string;
  let provider: LocalSandboxProvider;
  let runtime: Runtime | undefined;
  let outcomes: WorkerOutcome[];
  let ids = 9300;

  beforeEach(async () => {
    git = await new GitServer().start();
    git.createRepo(OWNER, REPO, { 'README.md': '# Hello\n' });
    git.tokens.set(READ_TOKEN, 'read');
    git.tokens.set(WRITE_TOKEN, 'write');
    trap = await new Trap().start();
    root = mkdtempSync(join(tmpdir(), 'issuesmith-resumed-flow-'));
    provider = new LocalSandboxProvider({ path: `${FIXTURE_BIN}:${process.env.PATH ?? ''}`, root });
    outcomes = [];
  });

  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
    await trap.stop();
    await git.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const api = (number: number, commentId: number): MockGitHubApi =>
    new MockGitHubApi(git.url, { owner: OWNER, repo: REPO, number, login: 'Codertocat', readToken: READ_TOKEN, writeToken: WRITE_TOKEN, commentId });

  async function deliver(name: string, payload: Record<string, unknown>): Promise<WorkerOutcome | undefined> {
    await runtime?.close();
    const probot = testProbot(`${git.url}/api/v3`);
    runtime = createRuntime(
      probot,
      { ANTHROPIC_API_KEY: 'sk-ant-resumed-0123456789abcdef', ISSUESMITH_WORK_DIR: root, ISSUESMITH_JOB_TIMEOUT_MINUTES: '1' },
      { sandboxes: provider, onOutcome: (_j, o) => outcomes.push(o) },
    );
    issuesmith(probot, {}, runtime);
    await probot.receive({ id: `d-${ids++}`, name, payload } as never);
    await runtime.queue.drain();
    return outcomes.at(-1);
  }

  it("fetches the branch's real head from the real remote; the agent's server gets no request and no token", async () => {
    let id = ids;
    const first = api(1, id)
      .installationToken()
      .permission()
      .reaction('eyes')
      .status({ id: id + 500 })
      .openPulls()
      .scopedToken('read')
      .botIdentity()
      .scopedToken('write')
      .pullRequest(PR)
      .checkRuns()
      .reaction('rocket')
      .revoke(2);
    expect((await deliver('issue_comment', commentPayload('/agent claude add a note\nfake-agent: write one.md one', { commentId: id })))?.kind).toBe('pull-request');
    const body = (first.record.pulls[0] as { body: string }).body;

    // Between turns, the agent's machine: origin, an insteadOf rule and a proxy, in the repository's and the home's configuration.
    const home = join(root, `issuesmith-sbx-${OWNER}_${REPO}-1`, 'home', 'user');
    const repoConfig = join(home, 'repo', '.git', 'config');
    const homeConfig = join(home, '.gitconfig');
    for (const [file, key, value] of [
      [repoConfig, 'remote.origin.url', `${trap.url}/${OWNER}/${REPO}.git`],
      [repoConfig, `url.${trap.url}/.insteadOf`, `${git.url}/`],
      [repoConfig, 'http.proxy', trap.url],
      [homeConfig, `url.${trap.url}/.insteadOf`, `${git.url}/`],
    ] as const) {
      execFileSync('git', ['config', '-f', file, key, value], { env: GIT_ENV });
    }
    const head = pushByHand(git, PR_BRANCH);

    id = ids;
    const turn = api(PR, id)
      .installationToken()
      .permission()
      .reaction('eyes')
      .status({ id: id + 500 })
      .getPull({ number: PR, body, headRef: PR_BRANCH, headSha: head })
      .botIdentity()
      .scopedToken('read');
    turn.scopedToken('write').updatePull(PR).checkRuns().reaction('rocket').revoke(2);
    const outcome = await deliver('issue_comment', pullCommentPayload('/agent more\nfake-agent: write two.md two', { commentId: id, number: PR }));

    expect(trap.requests).toEqual([]);
    expect(outcome).toMatchObject({ kind: 'pull-request', followUp: { turn: 2, resumed: 'paused' } });
    // The new commit sits on the maintainer's: the real head was fetched, from the real remote, with the read token.
    expect(git.git(OWNER, REPO, ['rev-parse', `${PR_BRANCH}~1`])).toBe(head);
    expect(git.git(OWNER, REPO, ['show', `${PR_BRANCH}:two.md`])).toBe('two');
    expect(git.requests.filter((r) => r.service === 'upload-pack' && r.token === READ_TOKEN).length).toBeGreaterThanOrEqual(2);
  });
});
