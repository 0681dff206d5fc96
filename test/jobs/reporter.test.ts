import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Job } from '../../src/job.js';
import { makeJob } from '../helpers/jobs.js';
import { JobReporter, type StatusGitHub } from '../../src/jobs/reporter.js';
import { Throttle } from '../../src/jobs/throttle.js';
import { Redactor } from '../../src/security/redact.js';

const job: Job = makeJob({
  deliveryId: 'd-42',
  number: 3,
  requester: { login: 'octocat', id: 1 },
  trigger: { type: 'comment', commentId: 9 },
  receivedAt: '2026-11-23T10:00:00.000Z',
});

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

function fakeGitHub(o: { existing?: number } = {}) {
  const edits: Array<{ op: 'create' | 'update'; body: string }> = [];
  const checks: Array<Record<string, unknown>> = [];
  const github: StatusGitHub = {
    findComment: async () => o.existing,
    postComment: async (body) => {
      edits.push({ op: 'create', body });
      return { id: 1, url: 'u' };
    },
    updateComment: async (_id, body) => {
      edits.push({ op: 'update', body });
    },
    // The output as it goes out: `now` is read when the request is sent (here, at once).
    createCheckRun: async (c) => {
      checks.push({ op: 'create', ...c, ...c.now?.() });
      return { id: 5, url: 'https://github.example/o/r/runs/5' };
    },
    updateCheckRun: async (_id, c) => {
      checks.push({ op: 'update', ...c, ...c.now?.() });
    },
  };
  return { github, edits, checks };
}

describe('the status comment under a burst of agent events', () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date('2026-11-23T10:00:00Z') }));
  afterEach(() => vi.useRealTimers());

  it('500 events in 20 seconds make a handful of edits, and the final text always lands', async () => {
    const { github, edits } = fakeGitHub();
    const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Claude Code', log: silent, minIntervalMs: 5_000 });
    await reporter.start();
    reporter.phase('working');
    for (let i = 0; i < 500; i += 1) {
      reporter.event({ type: 'tool', name: 'Bash', detail: `Ran \`step ${i}\`` });
      await vi.advanceTimersByTimeAsync(40);
    }
    // The last throttled edit is still waiting for its slot when the job ends.
    await reporter.finish({ kind: 'no-changes', summary: 'done', stats: { durationMs: 20_000, inputTokens: 1, outputTokens: 1 } });
    expect(edits[0]?.op).toBe('create');
    expect(edits.length).toBeGreaterThanOrEqual(3);
    expect(edits.length).toBeLessThanOrEqual(7);
    expect(edits.at(-1)?.body).toContain('finished without changing any file');
    // The live edits showed the latest steps, five at most.
    const live = edits.filter((e) => e.body.includes('Latest steps')).at(-1)?.body ?? '';
    expect(live.match(/^- Ran/gm)).toHaveLength(5);
    // Nothing is sent after the final text, even when timers fire later.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(edits.at(-1)?.body).toContain('finished without changing any file');
  });

  it('writes a long job less often as it ages: a step a second for 5 minutes makes 18 live updates, not 60', async () => {
    const { github } = fakeGitHub();
    const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Claude Code', log: silent, gatherMs: 0 });
    await reporter.start();
    reporter.checkRun('a'.repeat(40));
    reporter.phase('working');
    const sendsAt: number[] = [];
    for (let s = 1; s <= 300; s += 1) {
      reporter.event({ type: 'tool', name: 'Bash', detail: `Ran \`step ${s}\`` });
      const before = reporter.sends;
      await vi.advanceTimersByTimeAsync(1_000);
      if (reporter.sends > before) sendsAt.push(s);
    }
    // 5 s apart in the first 25 s, then a fifth of the job's age: the gaps only grow, a minute at most.
    const gaps = sendsAt.slice(1).map((t, i) => t - (sendsAt[i] ?? 0));
    expect(gaps.slice(0, 4)).toEqual([5, 5, 5, 5]);
    expect(gaps.every((g, i) => i === 0 || g >= (gaps[i - 1] ?? 0) - 1)).toBe(true);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(61);
    expect(reporter.sends).toBeGreaterThanOrEqual(16);
    expect(reporter.sends).toBeLessThanOrEqual(20);
  });

  it('takes over the comment of a job that waited in the queue, and keeps a check run in step', async () => {
    const { github, edits, checks } = fakeGitHub({ existing: 77 });
    const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Claude Code', log: silent, minIntervalMs: 5_000 });
    await reporter.start();
    reporter.checkRun('a'.repeat(40));
    await vi.advanceTimersByTimeAsync(5_000);
    await reporter.finish({ kind: 'stopped', by: 'octocat' });
    expect(edits.every((e) => e.op === 'update')).toBe(true);
    expect(checks[0]).toMatchObject({
      op: 'create',
      name: 'issuesmith / Claude Code',
      headSha: 'a'.repeat(40),
      externalId: '3:d-42',
      status: 'in_progress',
      actions: [{ identifier: 'stop', label: 'Stop' }],
    });
    expect(checks.at(-1)).toMatchObject({ op: 'update', status: 'completed', conclusion: 'cancelled' });
    expect(checks.at(-1)?.actions).toBeUndefined();
  });
});

describe('the writes a job makes', () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date('2026-11-23T10:00:00Z') }));
  afterEach(() => vi.useRealTimers());
  const stats = { durationMs: 1, inputTokens: 0, outputTokens: 0 };

  it('makes no edit for the elapsed time alone', async () => {
    const { github, edits, checks } = fakeGitHub();
    const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Claude Code', log: silent, minIntervalMs: 5_000 });
    await reporter.start();
    reporter.phase('working');
    reporter.checkRun('a'.repeat(40));
    await vi.advanceTimersByTimeAsync(6_000);
    const [comments, runs] = [edits.length, checks.length];
    expect([comments, runs]).toEqual([2, 1]);
    // Ten minutes of an agent thinking quietly: the time in the text changes, nothing else does.
    await vi.advanceTimersByTimeAsync(600_000);
    reporter.agent('Claude Code');
    await vi.advanceTimersByTimeAsync(10_000);
    expect([edits.length, checks.length]).toEqual([comments, runs]);
    await reporter.finish({ kind: 'no-changes', summary: 'done', stats });
    expect([edits.length, checks.length]).toEqual([comments + 1, runs + 1]);
  });

  it('writes the transcript to the check run, redacted, and links the comment to it', async () => {
    const secret = 'sk-ant-api03-' + 'Q'.repeat(60);
    const { github, edits, checks } = fakeGitHub();
    const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Claude Code', log: silent, minIntervalMs: 1_000, redactor: new Redactor([secret]) });
    await reporter.start();
    reporter.checkRun('a'.repeat(40));
    reporter.phase('working');
    reporter.event({ type: 'text', text: `Let me look. The key is ${secret}` });
    reporter.event({ type: 'tool', name: 'Bash', detail: 'Ran `npm test`' });
    reporter.event({ type: 'tool-result', output: `FAIL src/a.test.ts\n${secret}` });
    reporter.event({ type: 'usage', inputTokens: 10, outputTokens: 5 });
    reporter.event({ type: 'usage', inputTokens: 20, outputTokens: 5, costUsd: 0.5 });
    await vi.advanceTimersByTimeAsync(1_000);
    const live = String(checks.at(-1)?.text);
    expect(checks.at(-1)).toMatchObject({ op: 'create', status: 'in_progress' });
    expect(live).toContain('> Let me look. The key is [REDACTED]');
    expect(live).toContain(':wrench: Ran `npm test`');
    expect(live).toContain('```\nFAIL src/a.test.ts\n[REDACTED]\n```');
    expect(live).toContain('Usage so far: 30 tokens in, 10 out · $0.5000');
    expect(live).not.toContain('QQQQ');
    // The comment's next write links to the run holding the transcript.
    reporter.event({ type: 'tool', name: 'Edit', detail: 'Edited `src/a.ts`' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(edits.at(-1)?.body).toContain('[Full transcript](https://github.example/o/r/runs/5)');
    await reporter.finish({ kind: 'no-changes', summary: 'done', stats });
    expect(checks.at(-1)).toMatchObject({ op: 'update', status: 'completed', text: expect.stringContaining(':wrench: Edited `src/a.ts`') });
    expect(edits.at(-1)?.body).toContain('<sub>[Full transcript](https://github.example/o/r/runs/5)</sub>');
    if (process.env.SHOW_TRANSCRIPT === '1') console.log(String(checks.at(-1)?.text));
  });

  it('tries a check run GitHub would not create again only with the final state, not at every live write', async () => {
    const { github, checks } = fakeGitHub();
    let refusals = 0;
    const create = github.createCheckRun;
    github.createCheckRun = async (c) => {
      if (c.status === 'in_progress') {
        refusals += 1;
        throw Object.assign(new Error('Resource not accessible by integration'), { status: 403 });
      }
      return create(c);
    };
    const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Claude Code', log: silent, minIntervalMs: 1_000 });
    await reporter.start();
    reporter.checkRun('a'.repeat(40));
    reporter.phase('working');
    for (let i = 0; i < 10; i += 1) {
      reporter.event({ type: 'tool', name: 'Bash', detail: `Ran \`step ${i}\`` });
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(refusals).toBe(1);
    await reporter.finish({ kind: 'no-changes', summary: 'done', stats });
    expect(checks).toEqual([expect.objectContaining({ op: 'create', status: 'completed' })]);
  });

  it('makes no cosmetic write once the change is being pushed: the pull request and the final state go first', async () => {
    const { github, edits, checks } = fakeGitHub();
    const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Claude Code', log: silent, minIntervalMs: 5_000 });
    await reporter.start();
    reporter.checkRun('a'.repeat(40));
    reporter.phase('working');
    reporter.event({ type: 'tool', name: 'Edit', detail: 'Edited `src/a.ts`' });
    // The edit above waits for its slot; the push starts before it comes.
    reporter.phase('pushing');
    reporter.phase('opening-pr');
    reporter.checkRun('b'.repeat(40));
    await vi.advanceTimersByTimeAsync(30_000);
    expect([edits.length, checks.length]).toEqual([1, 0]);
    await reporter.finish({ kind: 'pull-request', url: 'u', summary: '', files: [], stats });
    // The run on the starting commit was never shown, so it is not made now; the head's is, completed.
    expect(checks).toEqual([expect.objectContaining({ op: 'create', headSha: 'b'.repeat(40), status: 'completed' })]);
    expect(edits.map((e) => e.op)).toEqual(['create', 'update']);
    expect(edits.at(-1)?.body).toContain('[Full transcript](https://github.example/o/r/runs/5)');
  });

  it("makes no live edit for an agent's last lines when its exit follows: the final state carries them", async () => {
    const { github, edits, checks } = fakeGitHub();
    const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Claude Code', log: silent, minIntervalMs: 5_000 });
    await reporter.start();
    reporter.checkRun('a'.repeat(40), { onBase: true });
    reporter.phase('working');
    // The check run is made while the agent works; then its transcript stands still for longer than the interval.
    await vi.advanceTimersByTimeAsync(11_000);
    expect(checks.map((c) => c.op)).toEqual(['create']);
    reporter.event({ type: 'text', text: 'All done: the typo is fixed.' });
    reporter.event({ type: 'result', ok: true, summary: 'All done: the typo is fixed.' });
    await vi.advanceTimersByTimeAsync(100);
    reporter.agentEnded();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(checks.map((c) => c.op)).toEqual(['create']);
    // Nor the comment: its first post, then the edit that linked the check run, as before the end.
    expect(edits.map((e) => e.op)).toEqual(['create', 'update']);
    await reporter.finish({ kind: 'no-changes', summary: 'All done: the typo is fixed.', stats });
    expect(checks.at(-1)).toMatchObject({ op: 'update', status: 'completed' });
    expect(String(checks.at(-1)?.text)).toContain('All done: the typo is fixed.');
  });

  it('without the exit, the same lines are shown live once their moment has gathered them', async () => {
    const { github, checks } = fakeGitHub();
    const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Claude Code', log: silent, minIntervalMs: 5_000 });
    await reporter.start();
    reporter.checkRun('a'.repeat(40), { onBase: true });
    reporter.phase('working');
    await vi.advanceTimersByTimeAsync(11_000);
    reporter.event({ type: 'text', text: 'Still reading the code.' });
    await vi.advanceTimersByTimeAsync(400);
    expect(checks.map((c) => c.op)).toEqual(['create']);
    await vi.advanceTimersByTimeAsync(200);
    expect(checks.map((c) => c.op)).toEqual(['create', 'update']);
    expect(String(checks.at(-1)?.text)).toContain('Still reading the code.');
  });

  it("writes the final state right after the pull request, before the check runs, when the starting commit's run already holds the transcript", async () => {
    const { github } = fakeGitHub();
    const writes: string[] = [];
    let runs = 0;
    const shared = { ...github };
    github.postComment = async (body) => (writes.push('comment create'), shared.postComment(body));
    github.updateComment = async (id, body) => (
      writes.push(body.includes('Pull request') || body.includes('pull request') ? 'comment final' : 'comment edit'),
      shared.updateComment(id, body)
    );
    github.createCheckRun = async (c) => {
      runs += 1;
      writes.push(`check create ${c.headSha.slice(0, 1)} ${c.status}`);
      return { id: runs, url: `https://github.example/o/r/runs/${runs}` };
    };
    github.updateCheckRun = async (id, c) => void writes.push(`check update ${id} ${c.status}`);
    const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Claude Code', log: silent, minIntervalMs: 1_000 });
    await reporter.start();
    reporter.checkRun('a'.repeat(40), { onBase: true });
    reporter.phase('working');
    await vi.advanceTimersByTimeAsync(1_000);
    reporter.phase('pushing');
    reporter.phase('opening-pr');
    reporter.checkRun('b'.repeat(40));
    const before = writes.length;
    await reporter.finish({ kind: 'pull-request', url: 'https://github.example/o/r/pull/7', summary: 'done', files: [], stats });
    // Three writes after the pull request, the reader's answer first; the run on its head and the end of the first one trail.
    expect(writes.slice(before)).toEqual(['comment final', 'check create b completed', 'check update 1 completed']);
    expect(writes.slice(0, before)).toEqual(['comment create', 'check create a in_progress', 'comment edit']);
  });

  it('creates the check run before the final comment when none holds the transcript yet, so that the comment links to it', async () => {
    const { github, edits, checks } = fakeGitHub();
    const order: string[] = [];
    const shared = { ...github };
    github.updateComment = async (id, body) => (order.push('comment'), shared.updateComment(id, body));
    github.createCheckRun = async (c) => (order.push('check'), shared.createCheckRun(c));
    const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Claude Code', log: silent, minIntervalMs: 5_000 });
    await reporter.start();
    reporter.checkRun('a'.repeat(40));
    await reporter.finish({ kind: 'no-changes', summary: 'done', stats });
    expect(order).toEqual(['check', 'comment']);
    expect(checks).toHaveLength(1);
    expect(edits.at(-1)?.body).toContain('[Full transcript](https://github.example/o/r/runs/5)');
  });
});

describe('the throttle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends nothing when the text did not change', async () => {
    const sent: string[] = [];
    const t = new Throttle<string>(async (v) => void sent.push(v), { minIntervalMs: 1_000 });
    t.update('a');
    await vi.advanceTimersByTimeAsync(2_000);
    t.update('a');
    await vi.advanceTimersByTimeAsync(2_000);
    await t.final('a');
    expect(sent).toEqual(['a']);
  });

  it('waits out a secondary rate limit before the next edit, and retries the final one', async () => {
    const sent: string[] = [];
    let fail = 1;
    const t = new Throttle<string>(
      async (v) => {
        if (v === 'b' && fail-- > 0) throw Object.assign(new Error('secondary rate limit'), { status: 403, response: { headers: { 'retry-after': '30' } } });
        sent.push(v);
      },
      { minIntervalMs: 1_000 },
    );
    t.update('a');
    await vi.advanceTimersByTimeAsync(1_000);
    t.update('b');
    await vi.advanceTimersByTimeAsync(1_000);
    t.update('c');
    await vi.advanceTimersByTimeAsync(10_000);
    // Still inside the 30 seconds GitHub asked for.
    expect(sent).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(25_000);
    expect(sent).toEqual(['a', 'c']);
    await t.final('d');
    expect(sent).toEqual(['a', 'c', 'd']);
  });

  it('holds live edits back while the installation is behind, and never the first write or the final one', async () => {
    const sent: string[] = [];
    let waiting = 5;
    const t = new Throttle<string>(async (v) => void sent.push(v), { minIntervalMs: 1_000, defer: () => waiting > 1, deferMs: 500 });
    t.update('first');
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['first']);
    t.update('b');
    await vi.advanceTimersByTimeAsync(3_000);
    t.update('c');
    await vi.advanceTimersByTimeAsync(3_000);
    // Behind for six seconds: nothing went out, and only the latest value waits.
    expect(sent).toEqual(['first']);
    expect(t.deferrals).toBeGreaterThanOrEqual(6);
    waiting = 1;
    await vi.advanceTimersByTimeAsync(500);
    expect(sent).toEqual(['first', 'c']);
    waiting = 9;
    t.update('d');
    await t.final('final');
    expect(sent).toEqual(['first', 'c', 'final']);
  });

  it("gives live edits way to the installation's other writes, the final state still written", async () => {
    const { github, edits } = fakeGitHub();
    let waiting = 0;
    const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Codex', log: silent, minIntervalMs: 1_000, writesWaiting: () => waiting });
    await reporter.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(edits.map((e) => e.op)).toEqual(['create']);
    waiting = 1;
    reporter.phase('working');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(edits).toHaveLength(1);
    expect(reporter.deferrals).toBeGreaterThan(0);
    waiting = 0;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(edits).toHaveLength(2);
    waiting = 50;
    reporter.phase('cloning');
    await reporter.finish({ kind: 'no-changes', summary: 'done', stats: { durationMs: 1, inputTokens: 0, outputTokens: 0 } });
    expect(edits).toHaveLength(3);
    expect(edits.at(-1)?.body).toContain('done');
  });

  it("writes the first status, check run and comment, while the installation's 👀 still waits for its slot", async () => {
    for (const known of [false, true]) {
      const { github, edits, checks } = fakeGitHub();
      const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Codex', log: silent, minIntervalMs: 1_000, writesWaiting: () => 1 });
      if (known) reporter.checkRun('e'.repeat(40), { onBase: true });
      await reporter.start();
      await vi.advanceTimersByTimeAsync(0);
      expect(edits.map((e) => e.op)).toEqual(['create']);
      expect(checks.map((c) => c.op)).toEqual(known ? ['create'] : []);
      expect(edits[0]?.body.includes('[Full transcript]')).toBe(known);
    }
  });

  it('makes the check run (the transcript and the Stop button) without waiting for the installation', async () => {
    const { github, edits, checks } = fakeGitHub();
    let waiting = 0;
    const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Codex', log: silent, minIntervalMs: 1_000, writesWaiting: () => waiting });
    await reporter.start();
    await vi.advanceTimersByTimeAsync(0);
    waiting = 5;
    reporter.checkRun('d'.repeat(40));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(checks).toEqual([expect.objectContaining({ op: 'create', headSha: 'd'.repeat(40), status: 'in_progress' })]);
    // That write made the check run alone: the comment's edit waits with the others.
    expect(edits).toHaveLength(1);
    reporter.phase('working');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(checks).toHaveLength(1);
    expect(edits).toHaveLength(1);
    waiting = 0;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(edits.at(-1)?.body).toContain('[Full transcript](https://github.example/o/r/runs/5)');
  });

  it("ends the check run of a follow-up's starting head too when the turn pushes a new head", async () => {
    vi.useFakeTimers();
    const { github, checks } = fakeGitHub();
    const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Codex', log: silent, minIntervalMs: 1_000 });
    await reporter.start();
    reporter.checkRun('a'.repeat(40));
    await vi.advanceTimersByTimeAsync(1_000);
    reporter.checkRun('b'.repeat(40));
    await reporter.finish({ kind: 'pull-request', url: 'u', updated: true, summary: '', files: [], stats: { durationMs: 1, inputTokens: 0, outputTokens: 0 } });
    vi.useRealTimers();
    expect(checks.filter((c) => c.op === 'create').map((c) => c.headSha)).toEqual(['a'.repeat(40), 'b'.repeat(40)]);
    // Both runs end completed: none is left spinning on the head the turn started from.
    expect(checks.slice(-2)).toEqual([
      expect.objectContaining({ op: 'create', headSha: 'b'.repeat(40), status: 'completed' }),
      expect.objectContaining({ op: 'update', status: 'completed' }),
    ]);
  });

  it("never marks the base branch's commit red: a first run that fails ends its check run there neutral", async () => {
    vi.useFakeTimers();
    const { github, checks } = fakeGitHub();
    const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Codex', log: silent, minIntervalMs: 1_000 });
    await reporter.start();
    reporter.checkRun('c'.repeat(40), { onBase: true });
    await reporter.finish({ kind: 'agent-failed', reason: 'it crashed', outputTail: '', stats: { durationMs: 1, inputTokens: 0, outputTokens: 0 } });
    vi.useRealTimers();
    expect(checks.at(-1)).toEqual(expect.objectContaining({ status: 'completed', conclusion: 'neutral', title: 'Codex failed' }));
    // A pull request's own head still shows the failure.
    const other = fakeGitHub();
    const onHead = new JobReporter({ github: other.github, job, command: '/agent', attempt: 1, agent: 'Codex', log: silent, minIntervalMs: 1_000 });
    await onHead.start();
    onHead.checkRun('d'.repeat(40));
    await onHead.finish({ kind: 'agent-failed', reason: 'it crashed', outputTail: '', stats: { durationMs: 1, inputTokens: 0, outputTokens: 0 } });
    expect(other.checks.at(-1)).toEqual(expect.objectContaining({ conclusion: 'failure' }));
  });

  it('turns a queued status into a refusal when the job will not run, and posts nothing when there was none', async () => {
    const queued = fakeGitHub({ existing: 77 });
    await new JobReporter({ github: queued.github, job, command: '/agent', attempt: 1, agent: 'Codex', log: silent }).dismissQueued(
      '@octocat may not start work in this repository.',
    );
    expect(queued.edits).toEqual([{ op: 'update', body: expect.stringContaining(':warning: @octocat may not start work in this repository.') }]);
    const none = fakeGitHub();
    await new JobReporter({ github: none.github, job, command: '/agent', attempt: 1, agent: 'Codex', log: silent }).dismissQueued('x');
    expect(none.edits).toEqual([]);
  });
  it('makes a check run known at the start before the comment, which links it from its first write: no edit to add the link', async () => {
    const { github, edits, checks } = fakeGitHub();
    const order: string[] = [];
    const reporter = new JobReporter({
      github: {
        ...github,
        postComment: (b) => (order.push('comment'), github.postComment(b)),
        createCheckRun: (c) => (order.push('check run'), github.createCheckRun(c)),
      },
      job,
      command: '/agent',
      attempt: 1,
      agent: 'Claude Code',
      log: silent,
      minIntervalMs: 5_000,
    });
    reporter.checkRun('a'.repeat(40), { onBase: true });
    await reporter.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(order).toEqual(['check run', 'comment']);
    expect(edits).toHaveLength(1);
    expect(edits[0]?.body).toContain('[Full transcript](https://github.example/o/r/runs/5)');
    expect(checks).toHaveLength(1);
    await reporter.finish({ kind: 'no-changes', summary: 'Nothing to do.', stats: { durationMs: 1, inputTokens: 0, outputTokens: 0 } });
    // The final state: the comment (it already links the transcript), then the check run.
    expect(edits.map((e) => e.op)).toEqual(['create', 'update']);
    expect(checks.map((c) => c.op)).toEqual(['create', 'update']);
  });

  it("makes no live write for what a write held by GitHub's pacing already carried", async () => {
    const { github, edits, checks } = fakeGitHub();
    // GitHub's pacing: the check run's creation goes out a second after it was asked for.
    const create = github.createCheckRun;
    github.createCheckRun = async (c) => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return create(c);
    };
    const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Claude Code', log: silent, minIntervalMs: 5_000 });
    reporter.checkRun('a'.repeat(40), { onBase: true });
    await reporter.start();
    // The agent starts while the creation waits for its slot.
    reporter.phase('working');
    reporter.event({ type: 'tool', name: 'Bash', detail: 'Ran `npm test`' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(checks).toHaveLength(1);
    expect(checks[0]?.text).toContain('npm test');
    expect(edits).toHaveLength(1);
    expect(edits[0]?.body).toContain('npm test');
  });

  it('ends the queued comment of a job refused before its status started (a broken settings file), rather than posting another', async () => {
    const { github, edits, checks } = fakeGitHub({ existing: 77 });
    const reporter = new JobReporter({ github, job, command: '/agent', attempt: 1, agent: 'Codex', log: silent });
    await reporter.finish({ kind: 'user-error', message: '`.github/issuesmith.yml` has 1 problem, so nothing ran.' });
    expect(edits).toEqual([{ op: 'update', body: expect.stringContaining('has 1 problem, so nothing ran.') }]);
    expect(checks).toEqual([]);
    // Without a queued comment, the message is a comment of its own.
    const none = fakeGitHub();
    await new JobReporter({ github: none.github, job, command: '/agent', attempt: 1, agent: 'Codex', log: silent }).finish({ kind: 'user-error', message: 'x' });
    expect(none.edits.map((e) => e.op)).toEqual(['create']);
  });
});
