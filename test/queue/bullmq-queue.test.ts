import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BullMqQueue, bullJobId, type BullMqQueueOptions } from '../../src/queue/bullmq-queue.js';
import { JobInterrupted } from '../../src/queue/interrupted.js';
import { jobKey, type Job } from '../../src/job.js';
import type { JobContext, JobProcessor } from '../../src/queue/queue.js';
import { gate, makeJob, recordingLogger, waitFor } from '../helpers/jobs.js';
import { RedisServer, withoutRedisServer } from '../helpers/redis-server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CHILD = join(ROOT, 'dist', 'test', 'fixtures', 'queue-worker.js');
const LEASE_MS = 1000;

describe.skipIf(withoutRedisServer('the BullMqQueue tests'))('BullMqQueue on a real redis-server', () => {
  const redis = new RedisServer();
  let client: Redis;
  let prefix = '';
  let n = 0;
  const queues: BullMqQueue[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    await redis.start();
    client = new Redis(redis.url);
  });

  afterAll(async () => {
    client?.disconnect();
    await redis.stop();
  });

  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    await Promise.all(queues.splice(0).map((q) => q.close()));
  });

  function newPrefix(): string {
    n += 1;
    prefix = `t${n}`;
    return prefix;
  }

  async function queue(o: Partial<BullMqQueueOptions> = {}): Promise<BullMqQueue> {
    const q = new BullMqQueue({ url: redis.url, prefix, concurrency: 2, leaseMs: LEASE_MS, busyRetryMs: 50, log: recordingLogger(), ...o });
    queues.push(q);
    await q.ready();
    return q;
  }

  it('runs a delivery once, however many processes receive it', async () => {
    newPrefix();
    const ran: string[] = [];
    const web = await queue();
    const otherWeb = await queue();
    const worker = await queue({ process: async (job) => void ran.push(job.deliveryId) });
    const job = makeJob();
    expect(await web.enqueue(job)).toMatchObject({ accepted: true });
    expect(await otherWeb.enqueue(job)).toEqual({ accepted: false, reason: 'duplicate-delivery' });
    await web.drain();
    // A redelivery after the job finished is still refused.
    expect(await worker.enqueue({ ...job })).toEqual({ accepted: false, reason: 'duplicate-delivery' });
    await web.drain();
    expect(ran).toEqual([job.deliveryId]);
  });

  it('runs one job at a time per issue across two workers, and every job once', async () => {
    newPrefix();
    const active = new Map<string, number>();
    const overlaps: string[] = [];
    const ran: string[] = [];
    const byWorker = new Map<string, number>();
    const processor =
      (name: string): JobProcessor =>
      async (job) => {
        const key = jobKey(job);
        if ((active.get(key) ?? 0) > 0) overlaps.push(key);
        active.set(key, (active.get(key) ?? 0) + 1);
        byWorker.set(name, (byWorker.get(name) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 40));
        ran.push(job.deliveryId);
        active.set(key, (active.get(key) ?? 1) - 1);
      };
    const web = await queue();
    await queue({ process: processor('a') });
    await queue({ process: processor('b') });
    const jobs = Array.from({ length: 12 }, (_, i) => makeJob({ number: 1 + (i % 3) }));
    for (const j of jobs) await web.enqueue(j);
    await web.drain();
    expect(overlaps).toEqual([]);
    expect(ran.sort()).toEqual(jobs.map((j) => j.deliveryId).sort());
  });

  it('refuses a job that does not match the schema, with a log line, and never runs it', async () => {
    newPrefix();
    const log = recordingLogger();
    const ran: string[] = [];
    await queue({ log, process: async (job) => void ran.push(job.deliveryId) });
    const raw = new Queue('jobs', { connection: { url: redis.url }, prefix: `${prefix}:bull` });
    try {
      const added = await raw.add('job', { deliveryId: 'evil', owner: 'x; rm -rf /', number: -1 }, { jobId: 'd-evil' });
      await waitFor('the job to fail', async () => (await added.getState()) === 'failed');
      expect((await raw.getJob('d-evil'))?.failedReason).toMatch(/malformed job/);
    } finally {
      await raw.close();
    }
    expect(ran).toEqual([]);
    expect(log.lines.find((l) => l.level === 'error')?.msg).toBe('malformed job refused: not run');
  });

  it('describes an issue and cancels it from another process: waiting jobs removed, the running one stopped by name', async () => {
    newPrefix();
    const started = gate();
    const seen: Array<{ id: string; stoppedBy: string | undefined; aborted: boolean }> = [];
    await queue({
      process: async (job, ctx) => {
        started.open();
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        seen.push({ id: job.deliveryId, stoppedBy: ctx.stoppedBy(), aborted: ctx.signal.aborted });
      },
    });
    const web = await queue();
    const first = makeJob({ number: 7 });
    const second = makeJob({ number: 7, profile: 'codex' });
    await web.enqueue(first);
    await started.promise;
    await web.enqueue(second);
    const key = jobKey(first);
    const status = await web.describe(key);
    expect(status.running).toMatchObject({ deliveryId: first.deliveryId, profile: 'claude' });
    expect(status.waiting.map((w) => w.deliveryId)).toEqual([second.deliveryId]);
    // One delivery at a time: the running job is not waiting, the second one is.
    expect([await web.isWaiting(first), await web.isWaiting(second)]).toEqual([false, true]);

    expect(await web.cancel(key, 'monalisa')).toEqual({ removed: 1, stoppedRunning: true });
    expect(await web.isWaiting(second)).toBe(false);
    await web.drain();
    expect(seen).toEqual([{ id: first.deliveryId, stoppedBy: 'monalisa', aborted: true }]);
    expect(await web.describe(key)).toEqual({ waiting: [] });
  });

  it('on stop, lets a running job finish within the grace period and takes no new job', async () => {
    newPrefix();
    const hold = gate();
    const started = gate();
    const ran: Array<{ id: string; by: string }> = [];
    const worker = await queue({
      process: async (job) => {
        started.open();
        await hold.promise;
        ran.push({ id: job.deliveryId, by: 'first' });
      },
    });
    const web = await queue();
    const first = makeJob({ number: 1 });
    await web.enqueue(first);
    await started.promise;
    const stopping = worker.stop(60_000);
    const second = makeJob({ number: 2 });
    await web.enqueue(second);
    hold.open();
    await stopping;
    expect(ran).toEqual([{ id: first.deliveryId, by: 'first' }]);
    expect(await web.stats()).toEqual({ waiting: 1, running: 0 });
    await queue({ process: async (job) => void ran.push({ id: job.deliveryId, by: 'next' }) });
    await web.drain();
    expect(ran).toEqual([
      { id: first.deliveryId, by: 'first' },
      { id: second.deliveryId, by: 'next' },
    ]);
  });

  it('on stop, interrupts a job that outlives the grace period and hands it to another worker as attempt 2', async () => {
    newPrefix();
    const started = gate();
    const seen: Array<{ reason: unknown; stoppedBy: string | undefined }> = [];
    const worker = await queue({
      process: async (_job, ctx: JobContext) => {
        started.open();
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        seen.push({ reason: ctx.signal.reason, stoppedBy: ctx.stoppedBy() });
        // What the pipeline does when its signal says shutdown.
        throw new JobInterrupted();
      },
    });
    const web = await queue();
    const job = makeJob({ number: 3 });
    await web.enqueue(job);
    await started.promise;
    await worker.stop(100);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.reason).toBeInstanceOf(JobInterrupted);
    expect(seen[0]?.stoppedBy).toBeUndefined();
    expect(await web.stats()).toEqual({ waiting: 1, running: 0 });

    const attempts: Array<{ id: string; attempt: number }> = [];
    await queue({ process: async (j, ctx) => void attempts.push({ id: j.deliveryId, attempt: ctx.attempt }) });
    await web.drain();
    expect(attempts).toEqual([{ id: job.deliveryId, attempt: 2 }]);
  });

  describe('with worker processes killed by SIGKILL', () => {
    beforeAll(() => {
      if (!existsSync(CHILD)) throw new Error('dist/test/fixtures/queue-worker.js is missing: run `npm test`, which builds first');
    });

    async function killedMidJob(job: Job, count: number): Promise<void> {
      const list = `${prefix}:test:started`;
      const before = await client.llen(list);
      const child = spawn(process.execPath, [CHILD], {
        env: { ...process.env, REDIS_URL: redis.url, QUEUE_PREFIX: prefix, LEASE_MS: String(LEASE_MS) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      await waitFor(`start ${count} of the job`, async () => (await client.llen(list)) > before);
      expect(await client.lindex(list, -1)).toBe(`${job.deliveryId} ${count}`);
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }

    it('hands the job of a killed worker to another, which runs it as attempt 2', async () => {
      newPrefix();
      const web = await queue();
      const job = makeJob({ number: 4 });
      await web.enqueue(job);
      await killedMidJob(job, 1);
      const attempts: number[] = [];
      await queue({ process: async (_j, ctx) => void attempts.push(ctx.attempt) });
      await web.drain();
      expect(attempts).toEqual([2]);
      expect(await client.exists(`${prefix}:lock:${jobKey(job)}`)).toBe(0);
    });

    it('gives up on a job whose worker died with it three times, and reports it instead of running it', async () => {
      newPrefix();
      const web = await queue();
      const job = makeJob({ number: 5 });
      await web.enqueue(job);
      for (const attempt of [1, 2, 3]) await killedMidJob(job, attempt);
      const ran: number[] = [];
      const abandoned: Array<{ id: string; attempts: number }> = [];
      await queue({
        process: async (_j, ctx) => void ran.push(ctx.attempt),
        onAbandoned: (j, attempts) => void abandoned.push({ id: j.deliveryId, attempts }),
      });
      await web.drain();
      expect(ran).toEqual([]);
      expect(abandoned).toEqual([{ id: job.deliveryId, attempts: 3 }]);
      expect(await web.describe(jobKey(job))).toEqual({ waiting: [] });
    }, 60_000);
  });

  it('names BullMQ jobs so that any delivery id is a valid job id', () => {
    expect(bullJobId('72d3162e-cc78-11e3-81ab-4c9367dc0958')).toBe('d-72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(bullJobId('12')).toBe('d-12');
    expect(bullJobId('a:b')).not.toContain(':');
  });
});
