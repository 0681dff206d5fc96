import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeGitHub } from '../test/helpers/fake-github.js';
import { appProcessEnv } from '../test/helpers/app-process.js';
import { commentPayload } from '../test/helpers/payloads.js';
import { freePort, RedisServer } from '../test/helpers/redis-server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const BIN = join(ROOT, 'test', 'fixtures', 'bin');
const SECRET = 'bench-secret';
const JOBS = Number(process.env.BENCH_QUEUE_JOBS ?? 50);
const ISSUES = Number(process.env.BENCH_QUEUE_ISSUES ?? 10);
const REDELIVERIES = Math.min(10, JOBS);

export interface QueueBenchResult {
  jobs: number;
  issues: number;
  /** Deliveries the web process accepted into the queue. */
  enqueued: number;
  /** Redeliveries (same delivery id) the web process refused. */
  refused: number;
  /** Jobs that ran to their end (their status comment written as final). */
  run: number;
  /** Jobs whose final status was written more than once (a job run to its end twice). */
  duplicates: number;
  /** Jobs that never ended. */
  lost: number;
  /** Whether the job whose worker was killed mid-run ended on another worker. */
  killedJobCompleted: boolean;
  seconds: number;
  /** Mean time of one job run on the live workers, from their /metrics. */
  meanJobSeconds: number;
  /** Mutating GitHub API requests (POST, PATCH, PUT, DELETE) per job. */
  writesPerJob: number;
}

interface App {
  child: ChildProcess;
  port: number;
}

/** The pid's parent, from /proc (Linux). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * Two worker processes and one web process (the built app, `dist/src/main.js`) on one redis-server,
 * against a fake GitHub Enterprise Server on loopback: `JOBS` `/agent` comments over `ISSUES` issues,
 * some delivered twice, and one worker killed with SIGKILL while an agent runs. Every job's agent ends
 * by saying `bench-job-<n>-done`, which its final status ("finished without changing any file") quotes:
 * the final-status writes GitHub received tell which jobs ran to their end, which twice, which never.
 */
export async function queueBench(): Promise<QueueBenchResult> {
  const redis = await new RedisServer().start();
  const github = await new FakeGitHub().start();
  github.git.createRepo('Codertocat', 'Hello-World', { 'README.md': '# Hello\n' });
  const root = mkdtempSync(join(tmpdir(), 'issuesmith-bench-queue-'));
  const apps: App[] = [];
  const env = (role: string, port: number): Record<string, string> => ({
    ...appProcessEnv({ github, dir: root, bin: BIN, secret: SECRET, anthropicKey: 'sk-ant-bench-0123456789' }),
    TMPDIR: root,
    PORT: String(port),
    ISSUESMITH_ROLE: role,
    ISSUESMITH_CONCURRENCY: '2',
    ISSUESMITH_JOB_LEASE_SECONDS: '2',
    REDIS_URL: redis.url,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  });
  const start = async (role: string): Promise<App> => {
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: env(role, port), stdio: ['ignore', process.env.BENCH_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'] });
    const app = { child, port };
    apps.push(app);
    for (const until = Date.now() + 30_000; ;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return app;
      } catch {
        // not yet
      }
      if (Date.now() > until) throw new Error(`the ${role} process did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const post = async (web: App, n: number, issue: number, body: string): Promise<void> => {
    // One installation per issue: Probot throttles GitHub writes per installation, cluster-wide through
    // Redis (one a second), which would otherwise measure that throttle rather than the queue.
    const text = JSON.stringify(commentPayload(body, { number: issue, commentId: 1000 + n, installationId: issue }));
    const r = await fetch(`http://127.0.0.1:${web.port}/api/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issue_comment',
        'x-github-delivery': `bench-delivery-${n}`,
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(text).digest('hex')}`,
      },
      body: text,
    });
    if (!r.ok) throw new Error(`webhook ${n}: ${r.status}`);
  };
  const metric = async (app: App, line: RegExp): Promise<number> => Number(line.exec(await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text())?.[1] ?? 0);

  const started = performance.now();
  try {
    const web = await start('web');
    const workers = [await start('worker'), await start('worker')];
    const marker = join(root, 'killed-run.pid');
    const killedJob = 0;
    for (let n = 0; n < JOBS; n += 1) {
      const hang = n === killedJob ? `\nfake-agent: sleep-once ${marker} 600` : '';
      await post(web, n, 1 + (n % ISSUES), `/agent claude bench job ${n}\nfake-agent: say bench-job-${n}-done${hang}`);
    }
    for (let n = 0; n < REDELIVERIES; n += 1) await post(web, n, 1 + (n % ISSUES), `/agent claude bench job ${n}\nfake-agent: say bench-job-${n}-done`);

    // Kill the worker whose agent hangs: the agent is its grandchild (worker → bash → agent).
    for (const until = Date.now() + 60_000; !existsSync(marker) || readFileSync(marker, 'utf8') === '';) {
      if (Date.now() > until) throw new Error('the job to kill never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    const agent = Number(readFileSync(marker, 'utf8'));
    const ancestors = new Set<number>();
    for (let p = parentOf(agent); p !== undefined && p > 1; p = parentOf(p)) ancestors.add(p);
    const victim = [...workers].find((w) => w.child.pid !== undefined && ancestors.has(w.child.pid));
    if (victim === undefined) throw new Error('could not tell which worker runs the job to kill');
    victim.child.kill('SIGKILL');
    // As an orchestrator would: a new worker takes the dead one's place.
    workers.push(await start('worker'));

    const counts = (): Map<number, number> => {
      const seen = new Map<number, number>();
      for (const c of github.calls) {
        if (!((c.method === 'POST' || c.method === 'PATCH') && /\/issues\/(\d+\/comments|comments\/\d+)$/.test(c.path))) continue;
        const body = String((c.body as { body?: string } | undefined)?.body ?? '');
        const m = /bench-job-(\d+)-done/.exec(body);
        if (m && body.includes('finished without changing any file')) seen.set(Number(m[1]), (seen.get(Number(m[1])) ?? 0) + 1);
      }
      return seen;
    };
    for (const until = Date.now() + Number(process.env.BENCH_QUEUE_TIMEOUT_S ?? 300) * 1000; counts().size < JOBS && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 250));
    }
    // A little longer, so that a job run twice would show.
    await new Promise((r) => setTimeout(r, 3000));
    const seen = counts();
    let sum = 0;
    let count = 0;
    for (const w of workers.filter((x) => x !== victim)) {
      sum += await metric(w, /^issuesmith_job_duration_seconds_sum\{outcome="no-changes",agent="claude"\} ([\d.]+)/m);
      count += await metric(w, /^issuesmith_job_duration_seconds_count\{outcome="no-changes",agent="claude"\} (\d+)/m);
    }
    return {
      meanJobSeconds: count === 0 ? 0 : sum / count,
      jobs: JOBS,
      issues: ISSUES,
      enqueued: await metric(web, /^issuesmith_jobs_enqueued_total\{result="accepted"\} (\d+)/m),
      refused: await metric(web, /^issuesmith_jobs_enqueued_total\{result="duplicate"\} (\d+)/m),
      run: seen.size,
      duplicates: [...seen.values()].filter((v) => v > 1).length,
      lost: JOBS - seen.size,
      killedJobCompleted: seen.has(killedJob),
      seconds: (performance.now() - started) / 1000,
      writesPerJob: github.calls.filter((c) => c.method !== 'GET').length / JOBS,
    };
  } finally {
    for (const a of apps) if (a.child.exitCode === null) a.child.kill('SIGKILL');
    await github.stop();
    await redis.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
