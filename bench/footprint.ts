import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appProcessEnv } from '../test/helpers/app-process.js';
import { commentPayload } from '../test/helpers/payloads.js';
import { freePort } from '../test/helpers/redis-server.js';
import { fakeGitHubProcess, startFakeE2BProcess, type BenchGitHub, type FakeE2BProcess } from './remote-fakes.js';
import { isCountedWrite, median } from './job.js';
import { profileEnv, profileFlags, saveProfile } from './webhooks.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const BIN = join(ROOT, 'test', 'fixtures', 'bin');
const SECRET = 'bench-secret';
const JOBS = Number(process.env.BENCH_FOOTPRINT_JOBS ?? 100);
const AGENT_SECONDS = Number(process.env.BENCH_FOOTPRINT_AGENT_S ?? 30);
const TIMEOUT_S = Number(process.env.BENCH_FOOTPRINT_TIMEOUT_S ?? 150);
/** `e2b`: the jobs' sandboxes on a fake E2B in a process of its own at nice 10 (bench/remote-fakes.ts); default `local`: the app's own local sandboxes. */
const SANDBOX = process.env.BENCH_FOOTPRINT_SANDBOX === 'e2b' ? 'e2b' : 'local';
/** Local mode: the app's ISSUESMITH_LOCAL_NICE (its local sandbox commands' nice value); default 19, `0` for the app's own priority. */
const LOCAL_NICE = process.env.BENCH_FOOTPRINT_LOCAL_NICE ?? '19';

export interface FootprintScenario {
  installations: number;
  /** The app process's RSS idle (after start, before any job) and its peak (VmHWM) over the run, MB. */
  idleRssMb: number;
  peakRssMb: number;
  /** The peak RSS of the app's own node child processes (the spawner that starts sandbox commands and host git, src/spawner.ts), MB: part of the app's footprint. */
  helperPeakRssMb: number;
  /** prom-client's event-loop delay p99 (reset at each scrape, once a second): idle median, and the worst second under load. */
  idleLagP99Ms: number;
  loadLagP99MaxMs: number;
  loadLagP99MedianMs: number;
  finished: number;
  /** Seconds from the first webhook to the last job's end, or to the timeout. */
  seconds: number;
  timedOut: boolean;
  /** Counted REST writes (token minting and revocation aside), over all jobs started, and per job finished. */
  writes: number;
  writesPerFinishedJob: number;
  /** Requests made as the app (with its JWT): installation tokens minted, `GET /app`. */
  appRequests: number;
  /** CPU seconds (user + system) from the first webhook to the end: the app's main thread (its event loop), and the whole process. */
  mainThreadCpuS: number;
  processCpuS: number;
  /** With BENCH_LOOP_TRACE=<dir>. */
  late?: LateTurns;
}

/** The late turns of the event loop (over 20 ms), split by what the main thread did meanwhile (bench/loop-trace.ts). */
export interface LateTurns {
  /** Turns later than 100 ms, and of those the ones where the main thread itself ran over 100 ms. */
  over100: number;
  cpuOver100: number;
  /** The worst turns, latest first among equals. */
  worst: Array<{ atS: number; lateMs: number; cpuMs: number; runQueueMs: number; sleptMs: number }>;
  /** Sums over all turns later than 20 ms. */
  cpuMs: number;
  runQueueMs: number;
  sleptMs: number;
}

export interface FootprintResult {
  jobs: number;
  sandbox: 'local' | 'e2b';
  /** Local mode: ISSUESMITH_LOCAL_NICE as the app was given it. */
  localNice: string;
  agentSeconds: number;
  timeoutSeconds: number;
  scenarios: FootprintScenario[];
}

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

/** CPU seconds (user + system) of a process, or of one of its threads, from /proc (USER_HZ is 100). */
function cpuSeconds(pid: number, tid?: number): number {
  const file = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
  const fields = readFileSync(file, 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The peak RSS (VmHWM) of a process's children that are node processes, MB (their own children apart). */
function nodeChildrenPeakMb(pid: number): number {
  let mb = 0;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .split(' ')
    .filter((c) => c !== '');
  for (const c of children) {
    try {
      if (readFileSync(`/proc/${c}/cmdline`, 'utf8').split('\0')[0] === process.execPath) mb += status(Number(c), 'VmHWM');
    } catch {
      // ended meanwhile
    }
  }
  return mb;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function loopTraceFlags(): string[] {
  const dir = process.env.BENCH_LOOP_TRACE;
  return dir === undefined || dir === '' ? [] : ['--import', join(import.meta.dirname, 'loop-trace.js')];
}

function lateTurns(pid: number, sinceMs: number): LateTurns | undefined {
  const dir = process.env.BENCH_LOOP_TRACE;
  if (dir === undefined || dir === '') return undefined;
  const file = join(dir, `${pid}.loop`);
  const turns = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { at: number; lateMs: number; cpuMs: number; runQueueMs: number; sleptMs: number })
        .filter((t) => t.at >= sinceMs)
    : [];
  const sum = (k: 'cpuMs' | 'runQueueMs' | 'sleptMs'): number => turns.reduce((a, t) => a + t[k], 0);
  return {
    over100: turns.filter((t) => t.lateMs > 100).length,
    cpuOver100: turns.filter((t) => t.cpuMs > 100).length,
    worst: [...turns]
      .sort((a, b) => b.lateMs - a.lateMs)
      .slice(0, 5)
      .map((t) => ({ atS: (t.at - sinceMs) / 1000, lateMs: t.lateMs, cpuMs: t.cpuMs, runQueueMs: t.runQueueMs, sleptMs: t.sleptMs })),
    cpuMs: sum('cpuMs'),
    runQueueMs: sum('runQueueMs'),
    sleptMs: sum('sleptMs'),
  };
}

/** The app's /metrics; a kept-alive socket the server closed meanwhile (ECONNRESET) is tried again on a new one. */
async function metricsText(port: number): Promise<string> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

async function scrape(port: number): Promise<{ lagP99Ms: number; finished: number }> {
  const text = await metricsText(port);
  const lag = Number(/^issuesmith_nodejs_eventloop_lag_p99_seconds (\S+)/m.exec(text)?.[1] ?? 0) * 1000;
  let finished = 0;
  for (const m of text.matchAll(/^issuesmith_jobs_finished_total\{[^}]*\} (\d+)/gm)) finished += Number(m[1]);
  return { lagP99Ms: lag, finished };
}

async function startApp(github: BenchGitHub, root: string, e2b: FakeE2BProcess | undefined): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const env: Record<string, string> = {
    ...appProcessEnv({ github, dir: root, bin: BIN, secret: SECRET, anthropicKey: 'sk-ant-bench-0123456789' }),
    ...(e2b !== undefined ? { ISSUESMITH_SANDBOX: 'e2b', ...e2b.env } : { ISSUESMITH_LOCAL_NICE: LOCAL_NICE }),
    TMPDIR: root,
    PORT: String(port),
    ISSUESMITH_CONCURRENCY: String(JOBS),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    ...profileEnv(),
    ...(process.env.BENCH_LOOP_TRACE ? { BENCH_LOOP_TRACE: process.env.BENCH_LOOP_TRACE } : {}),
  };
  const child = spawn(process.execPath, [...profileFlags(), ...loopTraceFlags(), MAIN], {
    cwd: ROOT,
    env,
    stdio: ['ignore', process.env.BENCH_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'],
  });
  // A shared, loaded machine can take long to start a process: a minute before giving up.
  for (const until = Date.now() + 60_000; ; await sleep(100)) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return { child, port };
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error('the app did not start');
  }
}

async function deliver(port: number, n: number, installations: number): Promise<void> {
  const body = `/agent claude footprint ${n}\nfake-agent: write bench/footprint-${n}.md job ${n}\nfake-agent: sleep ${AGENT_SECONDS}`;
  // One issue a job, so that no job waits for another on the same issue.
  const text = JSON.stringify(commentPayload(body, { number: 1 + n, commentId: 5000 + n, installationId: 1 + (n % installations) }));
  const r = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'issue_comment',
      'x-github-delivery': `footprint-${installations}-${n}`,
      'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(text).digest('hex')}`,
    },
    body: text,
  });
  if (!r.ok) throw new Error(`webhook ${n}: ${r.status}`);
}

/** One app process, `JOBS` jobs over `installations` installations, measured from the outside. */
async function scenario(installations: number): Promise<FootprintScenario> {
  // GitHub is never on the app's host: its fake serves from a process of its own at nice 10 in both modes.
  const github = await fakeGitHubProcess();
  const root = mkdtempSync(join(tmpdir(), 'issuesmith-bench-footprint-'));
  let app: { child: ChildProcess; port: number } | undefined;
  let e2b: FakeE2BProcess | undefined;
  try {
    if (SANDBOX === 'e2b') e2b = await startFakeE2BProcess(root, `${BIN}:${process.env.PATH ?? ''}`);
    app = await startApp(github, root, e2b);
    const pid = app.child.pid ?? 0;
    // Baseline: the same process idle for three seconds (the first scrape only resets the histogram).
    await scrape(app.port);
    const idleLag: number[] = [];
    const idleRss: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      await sleep(1000);
      idleLag.push((await scrape(app.port)).lagP99Ms);
      idleRss.push(status(pid, 'VmRSS'));
    }
    const t0 = performance.now();
    const epoch0 = Date.now();
    const cpu0 = { main: cpuSeconds(pid, pid), all: cpuSeconds(pid) };
    for (let n = 0; n < JOBS; n += 1) await deliver(app.port, n, installations);
    const lag: number[] = [];
    let finished = 0;
    while (finished < JOBS && performance.now() - t0 < TIMEOUT_S * 1000) {
      await sleep(1000);
      const s = await scrape(app.port);
      lag.push(s.lagP99Ms);
      finished = s.finished;
      if (process.env.BENCH_FOOTPRINT_SERIES === '1')
        console.log(`      t=${((performance.now() - t0) / 1000).toFixed(1)} s  lag p99 ${s.lagP99Ms.toFixed(0)} ms  finished ${finished}`);
    }
    const seconds = (performance.now() - t0) / 1000;
    const mainThreadCpuS = cpuSeconds(pid, pid) - cpu0.main;
    const processCpuS = cpuSeconds(pid) - cpu0.all;
    const peakRssMb = status(pid, 'VmHWM');
    const helperPeakRssMb = nodeChildrenPeakMb(pid);
    const calls = await github.calls();
    const writes = calls.filter(isCountedWrite).length;
    const appRequests = calls.filter((c) => c.path === '/app' || c.path.startsWith('/app/')).length;
    if (process.env.BENCH_FOOTPRINT_WRITES === '1') {
      const kinds = new Map<string, number>();
      for (const c of calls.filter(isCountedWrite)) {
        const k = `${c.method} ${c.path.replace(/\/repos\/[^/]+\/[^/]+/, '').replace(/\d+/g, ':n')}`;
        kinds.set(k, (kinds.get(k) ?? 0) + 1);
      }
      for (const [k, n] of [...kinds].sort((a, b) => b[1] - a[1])) console.log(`      ${n} × ${k}`);
    }
    return {
      installations,
      idleRssMb: median(idleRss),
      peakRssMb,
      helperPeakRssMb,
      idleLagP99Ms: median(idleLag),
      loadLagP99MaxMs: Math.max(0, ...lag),
      loadLagP99MedianMs: median(lag),
      finished,
      seconds,
      timedOut: finished < JOBS,
      writes,
      writesPerFinishedJob: finished === 0 ? 0 : writes / finished,
      appRequests,
      mainThreadCpuS,
      processCpuS,
      ...(process.env.BENCH_LOOP_TRACE ? { late: lateTurns(pid, epoch0) } : {}),
    };
  } finally {
    if (app !== undefined) await saveProfile(app.child);
    if (app?.child.exitCode === null) app.child.kill('SIGKILL');
    await e2b?.stop();
    // The agents are the app's grandchildren; they end by themselves after their sleep, and their
    // work dirs go with the root (a sleeping agent holds no file open there).
    await github.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * `JOBS` jobs at once in one app process (the built app, local sandboxes, ISSUESMITH_CONCURRENCY=JOBS)
 * whose fake agent writes a file and waits `AGENT_SECONDS`, against a fake GHES on loopback with
 * Probot's throttle on: over one installation, then over ten. The app's RSS comes from /proc (its own
 * process only, not the agents'), its event-loop delay from its /metrics, its writes from the fake GitHub.
 */
export async function footprintBench(): Promise<FootprintResult> {
  const scenarios: FootprintScenario[] = [];
  // BENCH_FOOTPRINT_INSTALLATIONS=1 runs one scenario alone (to profile it, say).
  const counts = (process.env.BENCH_FOOTPRINT_INSTALLATIONS ?? '1,10').split(',').map(Number);
  for (const installations of counts) scenarios.push(await scenario(installations));
  return { jobs: JOBS, sandbox: SANDBOX, localNice: LOCAL_NICE, agentSeconds: AGENT_SECONDS, timeoutSeconds: TIMEOUT_S, scenarios };
}
