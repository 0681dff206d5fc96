import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appProcessEnv, stopProcess } from '../test/helpers/app-process.js';
import { commentPayload } from '../test/helpers/payloads.js';
import { freePort } from '../test/helpers/redis-server.js';
import { fakeGitHubProcess } from './remote-fakes.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const BARE = join(ROOT, 'dist', 'bench', 'bare-probot.js');
const BIN = join(ROOT, 'test', 'fixtures', 'bin');
const SECRET = 'bench-webhook-secret';
const RATE = Number(process.env.BENCH_WEBHOOKS_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_WEBHOOKS_SECONDS ?? 10);
/** Issues the `/agent` deliveries are spread over: many queue keys, several jobs waiting on each. */
const ISSUES = 100;
/** Jobs running all along in the app, one per worker slot (ISSUESMITH_CONCURRENCY's default). */
const BUSY_SLOTS = 2;
/** The app's issue numbers for those, apart from the measured ones. */
const BUSY_ISSUE = 9000;

export type Kind = 'plain' | 'agent';

/** BENCH_CPU_PROF=<dir>: each process started is profiled (bench/cpu-profile.ts) and writes its CPU profile there on SIGUSR2. */
export function profileFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir === undefined || dir === '' ? [] : ['--import', join(import.meta.dirname, 'cpu-profile.js')];
}

/** The variable the profiled process reads, for its environment. */
export function profileEnv(): Record<string, string> {
  const dir = process.env.BENCH_CPU_PROF;
  return dir === undefined || dir === '' ? {} : { BENCH_CPU_PROF: dir };
}

/** Asks a process started with `profileFlags` for its profile, and waits a little for it to be written. */
export async function saveProfile(child: ChildProcess): Promise<void> {
  const dir = process.env.BENCH_CPU_PROF;
  if (dir === undefined || dir === '' || child.pid === undefined || child.exitCode !== null) return;
  const file = join(dir, `${child.pid}.cpuprofile`);
  child.kill('SIGUSR2');
  for (let i = 0; i < 100 && !existsSync(file); i += 1) await new Promise((r) => setTimeout(r, 100));
}

export interface Latencies {
  p50: number;
  p99: number;
  max: number;
  /** Deliveries answered with 2xx, of `sent`. */
  ok: number;
  sent: number;
}

export interface WebhooksBenchResult {
  rate: number;
  seconds: number;
  app: Record<Kind, Latencies>;
  bare: Record<Kind, Latencies>;
  /** GitHub API calls the app made for a delivery before that delivery was answered (must be 0). */
  callsBeforeAnswer: number;
  /** GitHub API calls the app made while the `/agent` deliveries were sent, in the background. */
  backgroundCalls: number;
  /** Those calls by method and route. */
  backgroundKinds: Record<string, number>;
  /** Jobs the app held waiting at the end. */
  waitingAtEnd: number;
  /** CPU time (user + system) each process spent per measured delivery, ms: less noisy than latency on a shared machine. */
  cpuMsPerDelivery: { app: Record<Kind, number>; bare: Record<Kind, number> };
  /** The app's SIGTERM with those jobs waiting (no Redis: they are lost, their issues told): until it exited, and the comments it wrote meanwhile. */
  shutdown: { ms: number; killed: boolean; comments: number; issues: number };
}

interface Target {
  child: ChildProcess;
  port: number;
}

interface Delivery {
  id: string;
  commentId: number;
  body: string;
  signature: string;
  sentAt: number;
  answeredAt: number;
  ok: boolean;
}

/** A process's CPU time so far (user + system), ms, from /proc. */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  // The fields after the command's name (which may hold spaces) in parentheses; utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
/** USER_HZ: 100 on every Linux Node supports. */
const CLOCK_TICKS = 100;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function latencies(ds: Delivery[]): Latencies {
  const times = ds.map((d) => d.answeredAt - d.sentAt).sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1) ?? 0, ok: ds.filter((d) => d.ok).length, sent: ds.length };
}

let serial = 0;

/** Signed `issue_comment.created` deliveries, made before the clock starts. */
function deliveries(kind: Kind, count: number): Delivery[] {
  return Array.from({ length: count }, () => {
    serial += 1;
    const text = kind === 'agent' ? `/agent claude fix the typo in the README (${serial})` : `Looks good to me, thanks! (${serial})`;
    const body = JSON.stringify(commentPayload(text, { number: 1 + (serial % ISSUES), commentId: 100_000 + serial }));
    const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    return { id: `bench-webhook-${serial}`, commentId: 100_000 + serial, body, signature, sentAt: 0, answeredAt: 0, ok: false };
  });
}

async function post(port: number, d: Delivery): Promise<void> {
  d.sentAt = performance.now();
  try {
    const r = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'issue_comment', 'x-github-delivery': d.id, 'x-hub-signature-256': d.signature },
      body: d.body,
    });
    await r.arrayBuffer();
    d.ok = r.ok;
  } finally {
    d.answeredAt = performance.now();
  }
}

/** Sends the deliveries at a fixed rate, whatever the answers' pace (an open loop, as GitHub does). */
async function send(port: number, ds: Delivery[], rate: number): Promise<void> {
  const start = performance.now();
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < ds.length; i += 1) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const d = ds[i];
    if (d !== undefined) pending.push(post(port, d).catch(() => undefined));
  }
  await Promise.all(pending);
}

async function waitUntil(what: string, ok: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  for (const until = Date.now() + ms; !(await ok());) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Signed `issue_comment.created` deliveries at a fixed `RATE` per second for `SECONDS` seconds, plain
 * comments and then `/agent` commands, against the built app (`dist/src/main.js`) and against a bare
 * Probot app with an empty handler, both started as processes the same way, on loopback, against a
 * fake GitHub Enterprise Server, in alternating one-second turns. The app's worker slots are taken first by jobs whose agents sleep, so
 * every measured `/agent` job waits in the queue, and its acknowledgement runs in the background, as
 * on a busy app; nothing measured runs an agent. An API call is the delivery's own when it reacts to
 * its comment or writes its status.
 */
export async function webhooksBench(): Promise<WebhooksBenchResult> {
  // In a process of its own (at nice 10, standing for GitHub's machines): in the sender's, its answers
  // to the app's background calls (acknowledgements, the busy jobs' status) took the sender's loop in
  // the app's turns only, the bare Probot making none, and counted in the app's answer times.
  const github = await fakeGitHubProcess();
  const root = mkdtempSync(join(tmpdir(), 'issuesmith-bench-webhooks-'));
  const targets: Target[] = [];
  const agentPids: number[] = [];
  const env = (port: number): Record<string, string> => ({
    ...appProcessEnv({ github, dir: root, bin: BIN, secret: SECRET, anthropicKey: 'sk-ant-bench-0123456789' }),
    TMPDIR: root,
    PORT: String(port),
    ISSUESMITH_SHUTDOWN_GRACE_SECONDS: '0',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    ...profileEnv(),
  });
  const start = async (script: string): Promise<Target> => {
    const port = await freePort();
    const child = spawn(process.execPath, [...profileFlags(), script], {
      cwd: ROOT,
      env: env(port),
      stdio: ['ignore', process.env.BENCH_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'],
    });
    const target = { child, port };
    targets.push(target);
    // Probot answers an unsigned POST with 400 once it listens.
    await waitUntil(`${script} to listen`, async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, { method: 'POST', body: '{}' })).status > 0;
      } catch {
        return false;
      }
    });
    return target;
  };
  /** SIGTERM, and SIGKILL after 10 s (Docker's default stop timeout): whether it had to be killed. */
  const stop = async (t: Target): Promise<boolean> => {
    await saveProfile(t.child);
    return (await stopProcess(t.child, { graceMs: 10_000 })).killedAfterGrace;
  };
  // Both are sent the same kind of delivery in turns of one second, so that whatever else the machine
  // does weighs on both alike; a first turn of plain comments warms each up and is not measured.
  const cpu = { app: { plain: 0, agent: 0 }, bare: { plain: 0, agent: 0 } };
  const run = async (targets: [Target, Target], kind: Kind): Promise<[Delivery[], Delivery[]]> => {
    for (const t of targets) await send(t.port, deliveries('plain', RATE), RATE);
    const out: [Delivery[], Delivery[]] = [[], []];
    // Over the whole measured phase, so that work a process defers past its own turn counts too.
    const before = targets.map((t) => cpuMs(t.child.pid));
    for (let turn = 0; turn < SECONDS; turn += 1) {
      for (const i of turn % 2 === 0 ? [0, 1] : [1, 0]) {
        const ds = deliveries(kind, RATE);
        await send(targets[i === 0 ? 0 : 1].port, ds, RATE);
        out[i === 0 ? 0 : 1].push(...ds);
      }
    }
    cpu.app[kind] = (cpuMs(targets[0].child.pid) - (before[0] ?? 0)) / out[0].length;
    cpu.bare[kind] = (cpuMs(targets[1].child.pid) - (before[1] ?? 0)) / out[1].length;
    return out;
  };

  try {
    const bare = await start(BARE);
    const app = await start(MAIN);
    // Take every worker slot with a job whose agent sleeps until the app stops.
    for (let n = 0; n < BUSY_SLOTS; n += 1) {
      const marker = join(root, `busy-${n}.pid`);
      const text = JSON.stringify(commentPayload(`/agent claude hold a slot\nfake-agent: sleep-once ${marker} 600`, { number: BUSY_ISSUE + n, commentId: 9000 + n }));
      const d: Delivery = {
        id: `bench-busy-${n}`,
        commentId: 9000 + n,
        body: text,
        signature: `sha256=${createHmac('sha256', SECRET).update(text).digest('hex')}`,
        sentAt: 0,
        answeredAt: 0,
        ok: false,
      };
      await post(app.port, d);
      await waitUntil('a busy job to start its agent', () => existsSync(marker) && readFileSync(marker, 'utf8') !== '');
      agentPids.push(Number(readFileSync(marker, 'utf8')));
    }
    // Its GitHub calls so far were those jobs'.
    await new Promise((r) => setTimeout(r, 1000));
    const [appPlain, barePlain] = await run([app, bare], 'plain');
    const before = (await github.calls()).length;
    const [appAgent, bareAgent] = await run([app, bare], 'agent');
    const calls = await github.callsWithBodies();
    const backgroundCalls = calls.length - before;
    const kinds = new Map<string, number>();
    for (const c of calls.slice(before)) {
      const kind = `${c.method} ${c.path.replace(/\/\d+/g, '/:n').replace(/^\/repos\/[^/]+\/[^/]+/, '/repos/:o/:r')}`;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const health = (await (await fetch(`http://127.0.0.1:${app.port}/healthz`)).json()) as { queue?: { waiting?: number } };
    const byComment = new Map([...appPlain, ...appAgent].map((d) => [d.commentId, d]));
    const byDelivery = new Map([...appPlain, ...appAgent].map((d) => [d.id, d]));
    let callsBeforeAnswer = 0;
    for (const c of calls) {
      const reaction = /\/issues\/comments\/(\d+)\/reactions$/.exec(c.path);
      const status = /issuesmith:status (\S+) -->/.exec(String((c.body as { body?: unknown } | undefined)?.body ?? ''));
      const own = reaction ? byComment.get(Number(reaction[1])) : status ? byDelivery.get(status[1] ?? '') : undefined;
      // Both on the wall clock: the fake's times come from another process.
      if (own !== undefined && c.at < performance.timeOrigin + own.answeredAt) callsBeforeAnswer += 1;
    }
    const callsBeforeStop = calls.length;
    const stopping = performance.now();
    const killed = await stop(app);
    const shutdownMs = performance.now() - stopping;
    const comments = (await github.calls()).slice(callsBeforeStop).filter((c) => c.method === 'POST' && /\/issues\/\d+\/comments$/.test(c.path));
    return {
      rate: RATE,
      seconds: SECONDS,
      app: { plain: latencies(appPlain), agent: latencies(appAgent) },
      bare: { plain: latencies(barePlain), agent: latencies(bareAgent) },
      callsBeforeAnswer,
      backgroundCalls,
      backgroundKinds: Object.fromEntries([...kinds].sort((x, y) => y[1] - x[1])),
      waitingAtEnd: health.queue?.waiting ?? -1,
      cpuMsPerDelivery: cpu,
      shutdown: { ms: shutdownMs, killed, comments: comments.length, issues: new Set(comments.map((c) => c.path)).size },
    };
  } finally {
    for (const t of targets) await stop(t);
    // A shutdown stops the busy jobs' agents; any left over are ours to end.
    for (const pid of agentPids) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('claude')) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await github.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
