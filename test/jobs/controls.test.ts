import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Probot } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import issuesmith from '../../src/index.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import { FakeGitHub } from '../helpers/fake-github.js';
import { commentPayload } from '../helpers/payloads.js';
import { testProbot } from '../helpers/probot.js';

const FIXTURE_BIN = join(import.meta.dirname, '..', 'fixtures', 'bin');
const OWNER = 'Codertocat';
const REPO = 'Hello-World';

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('/agent stop, /agent status and the queued status', () => {
  let github: FakeGitHub;
  let sandboxRoot: string;
  let probot: Probot;
  let runtime: Runtime;
  let n = 0;

  beforeEach(async () => {
    github = await new FakeGitHub().start();
    github.git.createRepo(OWNER, REPO, { 'README.md': '# Hello\n' });
    sandboxRoot = mkdtempSync(join(tmpdir(), 'issuesmith-test-ctl-'));
    probot = testProbot(`${github.git.url}/api/v3`);
    runtime = createRuntime(
      probot,
      { ANTHROPIC_API_KEY: 'sk-ant-test-key-0123456789abcdef', ISSUESMITH_WORK_DIR: sandboxRoot, ISSUESMITH_JOB_TIMEOUT_MINUTES: '1' },
      { sandboxes: new LocalSandboxProvider({ path: `${FIXTURE_BIN}:${process.env.PATH ?? ''}`, root: sandboxRoot }) },
    );
    issuesmith(probot, {}, runtime);
  });

  afterEach(async () => {
    await runtime.close();
    await github.stop();
    rmSync(sandboxRoot, { recursive: true, force: true });
  });

  /** Sends a comment webhook without waiting for the job. */
  async function comment(body: string, commentId: number, o: { payload?: Record<string, unknown> } = {}): Promise<string> {
    n += 1;
    const id = `d-ctl-${n}`;
    await probot.receive({ id, name: 'issue_comment', payload: o.payload ?? commentPayload(body, { commentId }) } as never);
    return id;
  }

  const statusOf = (delivery: string) => github.comments.find((c) => c.body.includes(`<!-- issuesmith:status ${delivery} -->`));
  const replies = () => github.comments.filter((c) => !c.body.includes('issuesmith:status'));
  /** The agent waits (`fake-agent: wait-for`) until the test has done its part and lets it go. */
  const hold = (): string => `fake-agent: wait-for ${join(sandboxRoot, 'release')}`;
  const release = (): void => writeFileSync(join(sandboxRoot, 'release'), '');
  /** The agent is running once its first file is in its sandbox's checkout. */
  const agentStarted = (file: string) => () => readdirSync(sandboxRoot).some((d) => existsSync(join(sandboxRoot, d, 'home', 'user', 'repo', file)));

  it('stops a running job: the agent and sandbox are killed, nothing is pushed, the status says who', async () => {
    const run = await comment('/agent claude slow work\nfake-agent: write started.txt yes\nfake-agent: sleep 30', 101);
    await until('the agent to start', agentStarted('started.txt'));
    await comment('/agent stop', 102);
    await runtime.settled();

    expect(statusOf(run)?.body).toContain(':stop_sign: Stopped by @Codertocat. Nothing was pushed.');
    expect(github.git.branches(OWNER, REPO)).toEqual(['main']);
    // No token that can push was ever minted, and the sandbox is gone.
    expect(github.calls.filter((c) => c.path.endsWith('/access_tokens') && String(JSON.stringify(c.body)).includes('"write"'))).toEqual([]);
    expect(readdirSync(sandboxRoot)).toEqual([]);
    // The stop command gets a thumbs-up; no other reply.
    expect(github.callsTo('POST', /\/issues\/comments\/102\/reactions$/).map((c) => c.body)).toEqual([{ content: '+1' }]);
    expect(replies()).toEqual([]);
  });

  it('says politely when there is nothing to stop', async () => {
    await comment('/agent stop', 111);
    await runtime.settled();
    expect(replies().map((c) => c.body)).toEqual([expect.stringContaining('Nothing is running or queued for #1, so there was nothing to stop.')]);
  });

  it('refuses a stop from someone without write access, and the job goes on', async () => {
    const run = await comment(`/agent claude work\nfake-agent: write started.txt yes\n${hold()}`, 121);
    await until('the agent to start', agentStarted('started.txt'));
    github.role = 'read';
    await comment('', 0, { payload: commentPayload('/agent stop', { commentId: 122, sender: 'octo-reader' }) });
    await until('the refusal', () => replies()[0]);
    release();
    await runtime.settled();
    expect(replies().map((c) => c.body)).toEqual([expect.stringContaining('only people with write access to this repository can stop the agent')]);
    expect(replies()[0]?.body).toContain('Sorry @octo-reader');
    expect(statusOf(run)?.body).toContain('opened a pull request');
  });

  // Defect 6: controls skipped the repository's `permission` and `allowed_users`, so any writer could
  // stop anyone's job in a repository that had locked the agent down.
  it.each([
    { rule: 'allowed_users', config: 'allowed_users: [Codertocat]\n', attacker: 'write' },
    { rule: 'permission: admin', config: 'permission: admin\n', attacker: 'maintain' },
  ])("refuses a stop, by command and by the Stop button, from someone the repository's $rule shuts out; the job goes on", async ({ config, attacker }) => {
    github.configFile = config;
    github.roles.set('codertocat', 'admin');
    github.roles.set('mallory', attacker);
    const run = await comment(`/agent claude work\nfake-agent: write started.txt yes\n${hold()}`, 171);
    await until('the agent to start', agentStarted('started.txt'));
    await comment('', 0, { payload: commentPayload('/agent stop', { commentId: 172, sender: 'mallory' }) });
    const payload = {
      action: 'requested_action',
      requested_action: { identifier: 'stop' },
      check_run: { id: 8001, external_id: `1:${run}`, head_sha: 'a'.repeat(40) },
      repository: { name: REPO, owner: { login: OWNER }, default_branch: 'main' },
      sender: { login: 'mallory', id: 666, type: 'User' },
      installation: { id: 1 },
    };
    await probot.receive({ id: 'd-ctl-mallory-button', name: 'check_run', payload } as never);
    await until('the refusal', () => replies()[0]);
    release();
    await runtime.settled();

    expect(statusOf(run)?.body).toContain('opened a pull request');
    expect(statusOf(run)?.body).not.toContain('Stopped');
    expect(github.git.branches(OWNER, REPO).length).toBe(2);
    // No thumbs-up for the refused command, and one polite refusal (the second is rate limited).
    expect(github.callsTo('POST', /\/issues\/comments\/172\/reactions$/)).toEqual([]);
    expect(replies().map((c) => c.body)).toEqual([expect.stringContaining('Sorry @mallory')]);
  });

  it('answers /agent status with the running job and the ones waiting', async () => {
    await comment(`/agent claude first\nfake-agent: write started.txt yes\n${hold()}`, 131);
    await until('the agent to start', agentStarted('started.txt'));
    await comment('/agent claude second\nfake-agent: say ok', 132);
    await comment('/agent status', 133);
    await until('the status answer', () => replies()[0]);
    const answer = replies()[0]?.body ?? '';
    expect(answer).toMatch(/Running for #1: Claude Code, asked by @Codertocat, for \d+s\./);
    expect(answer).toContain('Waiting for #1, in order:\n1. Claude Code, asked by @Codertocat');
    release();
    await runtime.settled();
  });

  it('shows a waiting job as queued, then the worker takes that same comment over', async () => {
    const first = await comment(`/agent claude first\nfake-agent: write started.txt yes\n${hold()}`, 141);
    await until('the agent to start', agentStarted('started.txt'));
    const second = await comment('/agent claude second\nfake-agent: say Nothing to do.', 142);
    const queued = await until('the queued status', () => statusOf(second));
    expect(queued.body).toContain(':clock3: **Queued** (position 1): **Claude Code** starts when the jobs ahead of it finish.');
    // 👀 as soon as it is queued.
    expect(github.callsTo('POST', /\/issues\/comments\/142\/reactions$/).map((c) => c.body)).toContainEqual({ content: 'eyes' });
    release();
    await runtime.settled();
    expect(statusOf(first)?.body).toContain('opened a pull request');
    expect(statusOf(second)?.body).toContain('finished without changing any file');
    // One status comment per job: the queued one was edited, not joined by another.
    expect(github.comments.filter((c) => c.body.includes('issuesmith:status'))).toHaveLength(2);
  });

  it('stops the running job and the queued ones together, marking those that never started', async () => {
    const first = await comment('/agent claude first\nfake-agent: write started.txt yes\nfake-agent: sleep 30', 151);
    await until('the agent to start', agentStarted('started.txt'));
    const second = await comment('/agent claude second\nfake-agent: say never', 152);
    await until('the queued status', () => statusOf(second));
    await comment('/agent stop', 153);
    await runtime.settled();
    expect(statusOf(first)?.body).toContain('Stopped by @Codertocat. Nothing was pushed.');
    expect(statusOf(second)?.body).toContain('Stopped by @Codertocat before it started. Nothing was pushed.');
    expect(github.git.branches(OWNER, REPO)).toEqual(['main']);
  });

  it("stops a job from its check run's Stop button", async () => {
    const run = await comment('/agent claude slow\nfake-agent: write started.txt yes\nfake-agent: sleep 30', 161);
    await until('the agent to start', agentStarted('started.txt'));
    const payload = {
      action: 'requested_action',
      requested_action: { identifier: 'stop' },
      check_run: { id: 8001, external_id: `1:${run}`, head_sha: 'a'.repeat(40) },
      repository: { name: REPO, owner: { login: OWNER }, default_branch: 'main' },
      sender: { login: 'Codertocat', id: 21031067, type: 'User' },
      installation: { id: 1 },
    };
    await probot.receive({ id: 'd-ctl-button', name: 'check_run', payload } as never);
    await runtime.settled();
    expect(statusOf(run)?.body).toContain('Stopped by @Codertocat. Nothing was pushed.');
    expect(github.git.branches(OWNER, REPO)).toEqual(['main']);
  });
});
