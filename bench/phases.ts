import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeGitHub } from '../test/helpers/fake-github.js';
import { commentPayload } from '../test/helpers/payloads.js';
import { inProcessApp } from './in-process-app.js';
import { median } from './job.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const AGENT_SECONDS = Number(process.env.BENCH_PHASES_AGENT_S ?? 0);
const BIN = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'bin');

/** A point of one job's timeline, in ms from the webhook, seen from outside the app. */
interface Marks {
  cloneToken: number;
  cloneStart: number;
  agentStart: number;
  agentEnd: number;
  /** The change ready for its first write: the last read or token request before it (the app's own work done; only paced writes are left). */
  ready: number;
  /** The first write of the commit: a Git Data blob or tree (the API path), or the push (host git). */
  commitStart: number;
  /** The branch on GitHub at the new commit: the ref made or moved (API path), or the push (host git). */
  push: number;
  pullRequest: number;
  lastWrite: number;
  done: number;
}

export interface PhasesResult {
  runs: number;
  agentSeconds: number;
  /** Each phase's median, ms, in the job's order. */
  phases: Array<{ name: string; ms: number }>;
  agentMs: number;
  /** The job's time from the webhook to the queue's drain, less the agent's own (medians of each run's). */
  overheadMs: number;
  /** From the webhook to the change ready for its first write, less the agent's time: the app's own work, which the throttle's pacing of writes is no part of. */
  unpacedOverheadMs: number;
  totalMs: number;
  /** Every REST call and git request of the median run, for the reader. */
  timeline: string[];
}

const PHASES: Array<[string, keyof Marks | 'webhook', keyof Marks]> = [
  ['webhook → clone token minted (queue, app token, REST reads: settings, permission, open pull requests)', 'webhook', 'cloneToken'],
  ['clone token → clone starts (sandbox created)', 'cloneToken', 'cloneStart'],
  ['clone starts → agent starts (clone, instructions, agent setup)', 'cloneStart', 'agentStart'],
  ['agent ends → change ready (collected, read out and vetted; write token; the last read before the commit)', 'agentEnd', 'ready'],
  ["change ready → commit starts (the throttle's pacing: the reaction and the status comment went first)", 'ready', 'commitStart'],
  ["commit starts → branch on GitHub (Git Data writes: tree, commit, ref, paced by Probot's throttle)", 'commitStart', 'push'],
  ["branch → pull request opened (writes paced by Probot's throttle)", 'push', 'pullRequest'],
  ['pull request → last write to GitHub (check run, status, reaction; throttle)', 'pullRequest', 'lastWrite'],
  ['last write → job done (cleanup)', 'lastWrite', 'done'],
];

/**
 * A wrapper put first on the sandbox's PATH: it notes when the fake `claude` starts and ends (epoch
 * ns), so the agent's own time is told apart from the job's without looking inside the app.
 */
function agentWrapper(dir: string, log: string): string {
  mkdirSync(dir, { recursive: true });
  const script = `#!/usr/bin/env bash\necho "start $(date +%s%N)" >> '${log}'\n'${join(BIN, 'claude')}' "$@"\nrc=$?\necho "end $(date +%s%N)" >> '${log}'\nexit $rc\n`;
  writeFileSync(join(dir, 'claude'), script);
  chmodSync(join(dir, 'claude'), 0o755);
  return dir;
}

/**
 * One job at a time, as in the job bench (fake Claude writing one file, local sandbox, fake GHES on
 * loopback, Probot's throttle on), timed from the outside: the fake GitHub's REST calls, its git
 * requests (clone, the host's fetch, the push) and the agent's start and end.
 */
export async function phasesBench(): Promise<PhasesResult> {
  const github = await new FakeGitHub().start();
  github.git.createRepo('Codertocat', 'Hello-World', { 'README.md': '# Hello\n', 'src/app.js': 'console.log(1);\n' });
  const work = mkdtempSync(join(tmpdir(), 'issuesmith-bench-phases-'));
  const log = join(work, 'agent.log');
  const path = `${agentWrapper(join(work, 'bin'), log)}:${BIN}:${process.env.PATH ?? ''}`;
  const marks: Marks[] = [];
  const timelines: string[][] = [];
  const epochNow = (): number => performance.timeOrigin + performance.now();
  try {
    for (let i = 0; i < RUNS; i += 1) {
      const { probot, runtime } = inProcessApp({ apiUrl: `${github.git.url}/api/v3`, work, path: path, anthropicKey: 'sk-ant-bench-000000000000' });
      const sleep = AGENT_SECONDS > 0 ? `\nfake-agent: sleep ${AGENT_SECONDS}` : '';
      const payload = commentPayload(`/agent claude bench\nfake-agent: write bench/phases-${i}.md phases ${i}${sleep}`, { commentId: 300 + i });
      writeFileSync(log, '');
      const calls0 = github.calls.length;
      const git0 = github.git.requests.length;
      const t0 = performance.now();
      const e0 = epochNow();
      await probot.receive({ id: `phases-${i}`, name: 'issue_comment', payload } as never);
      await runtime.queue.drain();
      const done = performance.now() - t0;
      const calls = github.calls.slice(calls0).map((c) => ({ ...c, at: c.at - t0 }));
      const gits = github.git.requests.slice(git0).map((g) => ({ ...g, at: g.at - t0 }));
      const agent = Object.fromEntries(
        readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .map((l) => l.split(' '))
          .map(([k, ns]) => [k, Number(BigInt(ns ?? '0') / 1_000_000n) - e0]),
      ) as { start?: number; end?: number };
      const agentStart = agent.start ?? Number.NaN;
      const agentEnd = agent.end ?? Number.NaN;
      const writes = calls.filter((c) => c.method !== 'GET' && c.method !== 'HEAD');
      const lastWrite = writes.filter((c) => !/access_tokens$|\/installation\/token$/.test(c.path)).at(-1)?.at ?? Number.NaN;
      const cloneStart = gits.find((g) => g.service === 'upload-pack')?.at ?? Number.NaN;
      // The host-git path's push, when the change went that way.
      const receivePack = gits.find((g) => g.service === 'receive-pack')?.at ?? Number.POSITIVE_INFINITY;
      const commitStart = Math.min(receivePack, calls.find((c) => c.method === 'POST' && /\/git\/(blobs|trees)$/.test(c.path))?.at ?? Number.POSITIVE_INFINITY);
      const unpaced = calls.filter((c) => c.at < commitStart && (c.method === 'GET' || c.method === 'HEAD' || /access_tokens$/.test(c.path)));
      marks.push({
        cloneToken: calls.findLast((c) => /access_tokens$/.test(c.path) && c.at < cloneStart)?.at ?? Number.NaN,
        cloneStart,
        agentStart,
        agentEnd,
        ready: Math.max(agentEnd, ...unpaced.map((c) => c.at)),
        commitStart,
        push: Math.min(
          receivePack,
          calls.find((c) => (c.method === 'POST' && /\/git\/refs$/.test(c.path)) || (c.method === 'PATCH' && /\/git\/refs\//.test(c.path)))?.at ?? Number.POSITIVE_INFINITY,
        ),
        pullRequest: calls.find((c) => c.method === 'POST' && /\/pulls$/.test(c.path))?.at ?? Number.NaN,
        lastWrite,
        done,
      });
      const line = (at: number, what: string): [number, string] => [at, `+${at.toFixed(0).padStart(5)} ms  ${what}`];
      timelines.push(
        [
          ...calls.map((c) => line(c.at, `${c.method} ${c.path}`)),
          ...gits.map((g) => line(g.at, `git ${g.service} (${g.status})`)),
          line(agentStart, 'agent starts'),
          line(agentEnd, 'agent ends'),
          line(done, 'job done (queue drained)'),
        ]
          .sort((a, b) => a[0] - b[0])
          .map(([, s]) => s),
      );
      if (github.callsTo('POST', /\/pulls$/).length !== i + 1) throw new Error('the job did not open its pull request');
      // Probot's throttle spaces an installation's writes a second apart across apps in one process:
      // the next job starts once this one's last write is a second old, as a job alone on its installation.
      await new Promise((r) => setTimeout(r, 1_100));
    }
  } finally {
    await github.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const at = (m: Marks, k: keyof Marks | 'webhook'): number => (k === 'webhook' ? 0 : m[k]);
  const agents = marks.map((m) => m.agentEnd - m.agentStart);
  const overheads = marks.map((m) => m.done - (m.agentEnd - m.agentStart));
  const totals = marks.map((m) => m.done);
  const mid = totals.indexOf(median(totals));
  return {
    runs: RUNS,
    agentSeconds: AGENT_SECONDS,
    phases: PHASES.map(([name, from, to]) => ({ name, ms: median(marks.map((m) => at(m, to) - at(m, from))) })),
    agentMs: median(agents),
    overheadMs: median(overheads),
    unpacedOverheadMs: median(marks.map((m) => m.ready - (m.agentEnd - m.agentStart))),
    totalMs: median(totals),
    timeline: timelines[mid] ?? [],
  };
}
