import { describe, expect, it } from 'vitest';
import { renderCheckRun, renderStatusComment, type FinalOutcome, type JobStatus, type StatusHead } from '../../src/report/status.js';
import { stepLine } from '../../src/report/step-line.js';

const head: StatusHead = { deliveryId: 'd-1', agent: 'Claude Code', model: 'claude-opus-4-8', requester: 'octocat', command: '/agent', attempt: 1 };
const stats = { durationMs: 125_000, inputTokens: 1234, outputTokens: 567, costUsd: 0.0123 };
const final = (outcome: FinalOutcome): JobStatus => ({ ...head, state: 'final', outcome });

describe('the status comment and check run texts', () => {
  it('queued: the place in the queue and how to stop it', () => {
    const text = renderStatusComment({ ...head, state: 'live', phase: 'queued', position: 2, elapsedMs: 0, steps: [] });
    expect(text).toBe(
      [
        '<!-- issuesmith -->',
        '<!-- issuesmith:status d-1 -->',
        ':clock3: **Queued** (position 2): **Claude Code** (`claude-opus-4-8`) starts when the jobs ahead of it finish.',
        '',
        '<sub>Asked by @octocat · `/agent stop` stops it · `/agent status` shows the queue</sub>',
      ].join('\n'),
    );
  });

  it('running: phase, elapsed time and the latest steps; a restarted job says so', () => {
    const live: JobStatus = { ...head, attempt: 2, state: 'live', phase: 'working', elapsedMs: 65_000, steps: ['Edited `src/index.ts`', 'Ran `npm test`'] };
    const text = renderStatusComment(live);
    expect(text).toContain(':recycle: Restarted after the worker running it stopped (attempt 2).');
    expect(text).toContain(':hourglass_flowing_sand: **Claude Code** (`claude-opus-4-8`) is on it: agent working · 1m 05s');
    expect(text).toContain('Latest steps:\n- Edited `src/index.ts`\n- Ran `npm test`');
    expect(renderCheckRun(live)).toEqual({ status: 'in_progress', title: 'Claude Code: agent working', summary: expect.stringContaining('Latest steps:') });
  });

  it('success: the link, the summary, files with lines, tokens, cost, duration and sandbox', () => {
    const s = final({
      kind: 'pull-request',
      url: 'https://github.com/o/r/pull/7',
      summary: 'Fixed the parser.\nAdded a test.',
      files: [
        { path: 'src/parser.ts', added: 12, removed: 3, binary: false },
        { path: 'logo.png', added: 0, removed: 0, binary: true },
      ],
      stats,
      sandboxId: 'sbx-9',
    });
    expect(renderStatusComment(s)).toContain(
      [
        ':rocket: **Claude Code** (`claude-opus-4-8`) opened a pull request: https://github.com/o/r/pull/7',
        '',
        '> Fixed the parser.\n> Added a test.',
        '',
        '**2 files changed** (+12 −3):\n- `src/parser.ts` +12 −3\n- `logo.png` (binary)',
        '',
        '<sub>2m 05s · 1,234 tokens in, 567 out · $0.0123 · sandbox `sbx-9`</sub>',
      ].join('\n'),
    );
    expect(renderCheckRun(s)).toMatchObject({ status: 'completed', conclusion: 'success', title: 'Claude Code opened a pull request' });
  });

  it("quotes the agent's summary without letting it mention people or open HTML", () => {
    const s = final({ kind: 'no-changes', summary: 'Ping @everyone and @octo-org/team <img src=x> but `@code` stays', stats });
    expect(renderStatusComment(s)).toContain('> Ping &#64;everyone and &#64;octo-org/team &lt;img src=x> but `@code` stays');
  });

  it('no change: says so, with the agent’s own words', () => {
    const s = final({ kind: 'no-changes', summary: 'Nothing needs to change.', stats, sandboxId: 'sbx-9' });
    expect(renderStatusComment(s)).toContain('finished without changing any file, so there is no pull request.\n\n> Nothing needs to change.');
    expect(renderCheckRun(s)).toMatchObject({ conclusion: 'neutral' });
  });

  it('failure: what failed, what to do, and the output tail folded away', () => {
    const s = final({
      kind: 'agent-failed',
      reason: "Claude Code's API key was rejected: check `ANTHROPIC_API_KEY` in the app's environment.",
      outputTail: 'Error 401\n```\nbreakout',
      stats,
    });
    const text = renderStatusComment(s);
    expect(text).toContain(":x: Claude Code's API key was rejected: check `ANTHROPIC_API_KEY` in the app's environment. It changed no file, so nothing was pushed.");
    // The fence is longer than any run of backticks in the output.
    expect(text).toContain('<details><summary>Last lines of the agent output</summary>\n\n````\nError 401\n```\nbreakout\n````\n</details>');
    expect(renderCheckRun(s)).toMatchObject({ conclusion: 'failure', title: 'Claude Code failed' });
  });

  it('a budget that ran out: named in the check run title, with or without partial work', () => {
    const why = 'Codex was stopped because its turn budget ran out: it used 20 of the 20 turns (model requests) one job may make.';
    const partial = final({ kind: 'pull-request', url: 'https://github.example/o/r/pull/7', partial: why, budget: 'turns', summary: 'Half done.', files: [], stats });
    expect(renderStatusComment(partial)).toContain(`did not finish: ${why} Its partial work is in a draft pull request`);
    expect(renderCheckRun(partial)).toMatchObject({
      conclusion: 'failure',
      title: 'Claude Code ran out of its turn budget; partial work pushed',
      summary: expect.stringContaining(why),
    });
    const nothing = final({ kind: 'agent-failed', reason: why, budget: 'cost', outputTail: '', stats });
    expect(renderCheckRun(nothing)).toMatchObject({ conclusion: 'failure', title: 'Claude Code ran out of its cost budget' });
  });

  it('cancelled: who stopped it, and that nothing was pushed', () => {
    const s = final({ kind: 'stopped', by: 'monalisa', stats });
    expect(renderStatusComment(s)).toContain(':stop_sign: Stopped by @monalisa. Nothing was pushed.');
    expect(renderCheckRun(s)).toMatchObject({ conclusion: 'cancelled', title: 'Stopped by @monalisa' });
    expect(renderStatusComment(final({ kind: 'stopped', by: 'monalisa', beforeStart: true }))).toContain('Stopped by @monalisa before it started.');
  });

  it('partial work: a warning and the draft link', () => {
    const s = final({ kind: 'pull-request', url: 'u', partial: 'Claude Code ran out of turns.', summary: '', files: [], stats });
    expect(renderStatusComment(s)).toContain(
      ':warning: **Claude Code** (`claude-opus-4-8`) did not finish: Claude Code ran out of turns. Its partial work is in a draft pull request: u',
    );
    expect(renderCheckRun(s).conclusion).toBe('failure');
  });
});

describe('step lines', () => {
  it('one line per tool call; the agent cannot mention people or open HTML', () => {
    expect(stepLine({ type: 'tool', name: 'Edit', detail: 'Edited `src/index.ts`' })).toBe('Edited `src/index.ts`');
    expect(stepLine({ type: 'tool', name: 'Bash', detail: 'Ran `echo @octocat`\nsecond line' })).toBe('Ran `echo @octocat`');
    expect(stepLine({ type: 'tool', name: 'x', detail: 'ping @everyone <img src=x>' })).toBe('ping &#64;everyone &lt;img src=x>');
    expect(stepLine({ type: 'text', text: 'thinking' })).toBeUndefined();
  });
});

describe('the status of a follow-up turn', () => {
  it('says which turn pushed a new commit, or that nothing was pushed', () => {
    const pushed = renderStatusComment({
      ...head,
      turn: 3,
      state: 'final',
      outcome: { kind: 'pull-request', url: 'https://x/pull/7', updated: true, summary: 'ok', files: [], stats },
    });
    expect(pushed).toContain(':rocket: **Claude Code** (`claude-opus-4-8`) (turn 3) pushed a new commit to the pull request: https://x/pull/7');
    const none = renderStatusComment({ ...head, turn: 2, state: 'final', outcome: { kind: 'no-changes', updated: true, summary: 'nothing to do', stats } });
    expect(none).toContain('(turn 2) finished without changing any file, so nothing was pushed.');
    const first = renderStatusComment({ ...head, turn: 1, state: 'final', outcome: { kind: 'no-changes', summary: 'x', stats } });
    expect(first).toContain('**Claude Code** (`claude-opus-4-8`) finished without changing any file, so there is no pull request.');
  });
});
