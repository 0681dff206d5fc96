import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Probot } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import issuesmith from '../../src/index.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import { GitServer } from '../helpers/git-server.js';
import { MockGitHubApi } from '../helpers/github-api.js';
import { useStrictNock } from '../helpers/nock-harness.js';
import { commentPayload } from '../helpers/payloads.js';
import { testProbot } from '../helpers/probot.js';

// The agent is the attacker here: each test is a move it can make with the files it hands back.
const FIXTURE_BIN = join(import.meta.dirname, '..', 'fixtures', 'bin');
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const ANTHROPIC_KEY = 'sk-ant-test-key-0123456789abcdef';
const READ_TOKEN = 'ghs_readonlytoken000000000000000000000000000000000000000';
const WRITE_TOKEN = 'ghs_writetoken11111111111111111111111111111111111111111';
// Built at run time so no scanner of this repository mistakes the fixture for a leak.
const AWS_KEY_ID = ['AKIA', 'Q3EGRTZ4NJ7KMX2P'].join('');
const GH_TOKEN = `ghp_${'k'.repeat(36)}`;
const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

// Both ways a change reaches GitHub pass the same checks: the API path (the default), and host git, which
// takes every change when the operator sets the API path's file threshold to 0.
describe.each([
  ['through the API', {}],
  ['through host git', { ISSUESMITH_API_COMMIT_MAX_FILES: '0' }],
] as Array<[string, Record<string, string>]>)('what an agent hands back is checked before anything reaches GitHub, %s', (via, pathEnv) => {
  useStrictNock();
  let git: GitServer;
  let sandboxRoot: string;
  let probot: Probot;
  let runtime: Runtime;

  async function start(env: Record<string, string> = {}): Promise<void> {
    probot = testProbot(`${git.url}/api/v3`);
    runtime = createRuntime(
      probot,
      { ANTHROPIC_API_KEY: ANTHROPIC_KEY, ISSUESMITH_WORK_DIR: sandboxRoot, ISSUESMITH_JOB_TIMEOUT_MINUTES: '1', ...pathEnv, ...env },
      { sandboxes: new LocalSandboxProvider({ path: `${FIXTURE_BIN}:${process.env.PATH ?? ''}`, root: sandboxRoot }) },
    );
    issuesmith(probot, {}, runtime);
  }

  beforeEach(() => {
    git = new GitServer();
    sandboxRoot = mkdtempSync(join(tmpdir(), 'issuesmith-test-sbx-'));
  });

  afterEach(async () => {
    await runtime.queue.close();
    await git.stop();
    rmSync(sandboxRoot, { recursive: true, force: true });
  });

  async function withRepo(files: Record<string, string> = { 'README.md': '# Hello\n', 'src/app.js': 'console.log("hi");\n' }): Promise<void> {
    await git.start();
    git.createRepo(OWNER, REPO, files);
    git.tokens.set(READ_TOKEN, 'read');
    git.tokens.set(WRITE_TOKEN, 'write');
  }

  const api = (commentId: number): MockGitHubApi =>
    new MockGitHubApi(git.url, { owner: OWNER, repo: REPO, number: 1, login: 'Codertocat', readToken: READ_TOKEN, writeToken: WRITE_TOKEN, commentId });

  /** The calls of a job whose change is refused: no write token, no pull request; the transcript's check run on the base commit. */
  const refusedJob = (commentId: number): MockGitHubApi => api(commentId).firstRunRefused();
  const pushedJob = (commentId: number): MockGitHubApi => api(commentId).firstRunOpeningPullRequest();

  async function ask(commentId: number, directives: string[]): Promise<void> {
    await probot.receive({
      id: `delivery-${Math.random()}`,
      name: 'issue_comment',
      payload: commentPayload(['/agent claude do it', ...directives.map((d) => `fake-agent: ${d}`)].join('\n'), { commentId }),
    } as never);
    await runtime.queue.drain();
  }

  function expectNothingPushed(mock: MockGitHubApi, secret?: string): void {
    expect(git.branches(OWNER, REPO)).toEqual(['main']);
    expect(mock.record.pulls).toEqual([]);
    expect(git.requests.some((r) => r.service === 'receive-pack')).toBe(false);
    // Not a blob, tree or commit was created either.
    expect(git.gitData.writes()).toEqual([]);
    if (secret !== undefined) expect(JSON.stringify({ ...mock.record, revoked: [] })).not.toContain(secret);
  }

  it('refuses a token on an added line that starts with "++ " (it reads as a "+++" file header in the diff)', async () => {
    await withRepo();
    await start();
    const mock = refusedJob(7001);
    await ask(7001, [`write notes.txt ++ ${GH_TOKEN}`]);
    expect(mock.finalStatus).toContain('would commit a secret or an access token (in `notes.txt`)');
    expectNothingPushed(mock, GH_TOKEN);
  });

  it('refuses an AWS access key id anywhere in a file', async () => {
    await withRepo();
    await start();
    const mock = refusedJob(7002);
    await ask(7002, [`write deploy/env.sh export AWS_ACCESS_KEY_ID=${AWS_KEY_ID}`]);
    expect(mock.finalStatus).toContain('would commit a secret or an access token (in `deploy/env.sh`)');
    expectNothingPushed(mock, AWS_KEY_ID);
  });

  it('refuses a PEM private key', async () => {
    await withRepo();
    await start();
    const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const mock = refusedJob(7003);
    await ask(7003, [`write-b64 keys/deploy.pem ${b64(pem)}`]);
    expect(mock.finalStatus).toContain('(in `keys/deploy.pem`)');
    expectNothingPushed(mock, pem.split('\n')[1]);
  });

  it('refuses a token hidden inside a binary file', async () => {
    await withRepo();
    await start();
    const mock = refusedJob(7004);
    await ask(7004, [`write-b64 assets/logo.png ${b64(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2]), Buffer.from(GH_TOKEN), Buffer.from([0, 255, 254])]))}`]);
    expect(mock.finalStatus).toContain('(in `assets/logo.png`)');
    expectNothingPushed(mock, GH_TOKEN);
  });

  it("refuses the app's own key written base64-encoded or URL-encoded", async () => {
    await withRepo();
    await start();
    const mock = refusedJob(7005);
    await ask(7005, [`write a.txt config=${b64(`key:${ANTHROPIC_KEY}`)}`, `write b.txt https://example.invalid/?k=${encodeURIComponent(`${ANTHROPIC_KEY}/x`)}`]);
    expect(mock.finalStatus).toMatch(/in `a\.txt`, `b\.txt`|in `b\.txt`, `a\.txt`/);
    expectNothingPushed(mock, ANTHROPIC_KEY);
  });

  it('does not take a "secretlint-disable" comment the agent wrote as leave to commit a key', async () => {
    await withRepo();
    await start();
    const mock = refusedJob(7006);
    await ask(7006, [`write-b64 src/aws.js ${b64(`// secretlint-disable\nconst id = '${AWS_KEY_ID}';\n`)}`]);
    expect(mock.finalStatus).toContain('(in `src/aws.js`)');
    expectNothingPushed(mock);
  });

  it('lets through a change to a file that already held a fixture key, when the agent adds none', async () => {
    await withRepo({ 'README.md': '# Hello\n', 'test/fixture.txt': `id=${AWS_KEY_ID}\n` });
    await start();
    const mock = pushedJob(7007);
    await ask(7007, [`write-b64 test/fixture.txt ${b64(`id=${AWS_KEY_ID}\nmore=1\n`)}`]);
    expect(git.git(OWNER, REPO, ['show', 'issuesmith/1-spelling-error-in-the-readme-file:test/fixture.txt'])).toBe(`id=${AWS_KEY_ID}\nmore=1`);
    expect(mock.record.pulls).toHaveLength(1);
  });

  it("refuses a patch over the app's cap without reading it out of the sandbox", async () => {
    await withRepo();
    await start({ ISSUESMITH_MAX_PATCH_MB: '1' });
    const mock = refusedJob(7008);
    await ask(7008, ['write-random big.bin 3000000']);
    expect(mock.finalStatus).toMatch(/The agent's change is [\d.]+ MB, over the app's limit \(1 MB\), so nothing of it was read out of the sandbox/);
    expectNothingPushed(mock);
    expect(readdirSync(sandboxRoot)).toEqual([]);
  });

  it("refuses one file over the app's per-file cap, naming it", async () => {
    await withRepo();
    await start({ ISSUESMITH_MAX_FILE_MB: '0.25' });
    const mock = refusedJob(7009);
    await ask(7009, ['write-random data/blob.bin 300000', 'write ok.txt fine']);
    expect(mock.finalStatus).toContain('makes `data/blob.bin` larger than the app allows for one file (256 KB)');
    expectNothingPushed(mock);
  });

  it('refuses a workflow written as a copy of another file (git describes it with "copy to")', async () => {
    await withRepo({ 'README.md': '# Hello\n', 'ci.yml': 'on: push\njobs: {}\n' });
    await start();
    const mock = refusedJob(7010);
    await ask(7010, ['git-config diff.renames copies', 'copy ci.yml .github/workflows/evil.yml', 'write ci.yml on: pull_request']);
    expect(mock.finalStatus).toContain('touches GitHub Actions workflows (`.github/workflows/evil.yml`)');
    expectNothingPushed(mock);
  });

  it('refuses a symbolic link out of the repository', async () => {
    await withRepo();
    await start();
    const mock = refusedJob(7011);
    await ask(7011, ['symlink docs/passwd ../../../etc/passwd']);
    expect(mock.finalStatus).toContain('adds a symbolic link that points outside the repository (`docs/passwd`)');
    expectNothingPushed(mock);
  });

  it('takes a symbolic link that stays inside the repository', async () => {
    await withRepo();
    await start();
    const ok = pushedJob(7012);
    await ask(7012, ['symlink docs/readme ../README.md']);
    const branch = 'issuesmith/1-spelling-error-in-the-readme-file';
    expect(git.git(OWNER, REPO, ['ls-tree', branch, 'docs/readme'])).toMatch(/^120000 blob [0-9a-f]+\tdocs\/readme$/);
    expect(ok.record.pulls).toHaveLength(1);
    // The report says which way the commit went.
    if (via === 'through the API') {
      expect(ok.finalStatus).toContain("Committed through GitHub's API: signed by GitHub (Verified), no clone on the app's host.");
      expect(git.requests.some((r) => r.service === 'receive-pack')).toBe(false);
    } else {
      expect(ok.finalStatus).toContain("Pushed with git from the app's host: the change touches 1 file, more than the API path takes (`ISSUESMITH_API_COMMIT_MAX_FILES: 0`).");
      expect(git.gitData.writes()).toEqual([]);
      // git's push asks for the refs, then sends the pack: both with the write token, and nothing else pushes.
      expect([...new Set(git.requests.filter((r) => r.service === 'receive-pack').map((r) => r.token))]).toEqual([WRITE_TOKEN]);
    }
  });
});
