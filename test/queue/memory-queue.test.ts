import { describe, expect, it } from 'vitest';
import { JobDeferred } from '../../src/queue/deferred.js';
import { jobKey, type Job } from '../../src/job.js';
import { MemoryQueue } from '../../src/queue/memory-queue.js';
import type { JobContext } from '../../src/queue/queue.js';
import { gate, makeJob } from '../helpers/jobs.js';

describe('MemoryQueue, the in-process queue', () => {
  it('runs a delivery once: a redelivery is refused, before and after the job ran', async () => {
    const ran: string[] = [];
    const q = new MemoryQueue(async (job) => void ran.push(job.deliveryId), { concurrency: 2 });
    const job = makeJob();
    expect(await q.enqueue(job)).toMatchObject({ accepted: true });
    expect(await q.enqueue({ ...job })).toEqual({ accepted: false, reason: 'duplicate-delivery' });
    await q.drain();
    expect(await q.enqueue({ ...job })).toEqual({ accepted: false, reason: 'duplicate-delivery' });
    expect(ran).toEqual([job.deliveryId]);
  });

  it('runs one job at a time per issue, jobs of other issues alongside', async () => {
    const active = new Map<string, number>();
    const overlaps: string[] = [];
    let most = 0;
    let now = 0;
    const q = new MemoryQueue(
      async (job) => {
        const key = jobKey(job);
        if ((active.get(key) ?? 0) > 0) overlaps.push(key);
        active.set(key, (active.get(key) ?? 0) + 1);
        most = Math.max(most, (now += 1));
        await new Promise((r) => setTimeout(r, 10));
        now -= 1;
        active.set(key, (active.get(key) ?? 1) - 1);
      },
      { concurrency: 2 },
    );
    for (let i = 0; i < 8; i += 1) await q.enqueue(makeJob({ number: 1 + (i % 2) }));
    await q.drain();
    expect(overlaps).toEqual([]);
    expect(most).toBe(2);
  });

  it('on stop, lets a running job finish within the grace period and reports the waiting ones lost', async () => {
    const hold = gate();
    const started = gate();
    const ran: string[] = [];
    const lost: string[] = [];
    const q = new MemoryQueue(
      async (job) => {
        started.open();
        await hold.promise;
        ran.push(job.deliveryId);
      },
      { concurrency: 1, onLost: (jobs) => void lost.push(...jobs.map((job) => job.deliveryId)) },
    );
    const first = makeJob({ number: 1 });
    const second = makeJob({ number: 2 });
    await q.enqueue(first);
    await q.enqueue(second);
    await started.promise;
    const stopping = q.stop(60_000);
    hold.open();
    await stopping;
    expect(ran).toEqual([first.deliveryId]);
    expect(lost).toEqual([second.deliveryId]);
  });

  it('on stop, stops a job that outlives the grace period as a shutdown (nobody stopped it), with nowhere to requeue it', async () => {
    const started = gate();
    const seen: Array<{ aborted: boolean; stoppedBy: string | undefined }> = [];
    const lost: string[] = [];
    const q = new MemoryQueue(
      async (_job: Job, ctx: JobContext) => {
        started.open();
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        seen.push({ aborted: ctx.signal.aborted, stoppedBy: ctx.stoppedBy() });
      },
      { concurrency: 1, onLost: (jobs) => void lost.push(...jobs.map((job) => job.deliveryId)) },
    );
    await q.enqueue(makeJob());
    await started.promise;
    await q.stop(10);
    expect(seen).toEqual([{ aborted: true, stoppedBy: undefined }]);
    // The worker reports a stopped job itself; only jobs that never started are the queue's to report.
    expect(lost).toEqual([]);
  });

  it('cancels an issue: its waiting jobs are removed and its running job is stopped by name', async () => {
    const started = gate();
    const seen: Array<{ id: string; stoppedBy: string | undefined }> = [];
    const q = new MemoryQueue(
      async (job, ctx) => {
        started.open();
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        seen.push({ id: job.deliveryId, stoppedBy: ctx.stoppedBy() });
      },
      { concurrency: 2 },
    );
    const first = makeJob({ number: 9 });
    const second = makeJob({ number: 9 });
    await q.enqueue(first);
    await q.enqueue(second);
    await started.promise;
    expect((await q.describe(jobKey(first))).waiting.map((w) => w.deliveryId)).toEqual([second.deliveryId]);
    expect(await q.cancel(jobKey(first), 'monalisa')).toEqual({ removed: 1, stoppedRunning: true });
    await q.drain();
    expect(seen).toEqual([{ id: first.deliveryId, stoppedBy: 'monalisa' }]);
  });

  it('tells whether one delivery is still waiting: not once it runs, is cancelled or never came', async () => {
    const hold = gate();
    const q = new MemoryQueue(() => hold.promise, { concurrency: 1 });
    const [running, next, other] = [makeJob({ number: 1 }), makeJob({ number: 1 }), makeJob({ number: 2 })];
    for (const j of [running, next, other]) await q.enqueue(j);
    expect(await Promise.all([running, next, other, makeJob()].map((j) => q.isWaiting(j)))).toEqual([false, true, true, false]);
    await q.cancel(jobKey(next), 'monalisa');
    expect([await q.isWaiting(next), await q.isWaiting(other)]).toEqual([false, true]);
    hold.open();
    await q.drain();
    expect(await q.isWaiting(other)).toBe(false);
  });

  it('runs the jobs of many issues in arrival order, each issue one at a time, with the line long', async () => {
    const ran: string[] = [];
    const q = new MemoryQueue(
      async (job) => {
        ran.push(job.deliveryId);
        await new Promise((r) => setImmediate(r));
      },
      { concurrency: 3 },
    );
    const jobs = Array.from({ length: 600 }, (_, i) => makeJob({ number: 1 + (i % 40) }));
    for (const j of jobs) await q.enqueue(j);
    await q.drain();
    expect([...ran].sort()).toEqual(jobs.map((j) => j.deliveryId).sort());
    // Each issue's jobs ran in the order they came.
    for (let n = 1; n <= 40; n += 1) {
      const mine = jobs.filter((j) => j.number === n).map((j) => j.deliveryId);
      expect(ran.filter((id) => mine.includes(id))).toEqual(mine);
    }
  });

  it('puts a deferred job aside, runs the next one meanwhile, and runs it again after its delay', async () => {
    const ran: string[] = [];
    let putOff = 1;
    const errors: unknown[] = [];
    const q = new MemoryQueue(
      async (job) => {
        if (job.number === 1 && putOff > 0) {
          putOff -= 1;
          throw new JobDeferred(50);
        }
        ran.push(`#${job.number}`);
      },
      { concurrency: 1, onError: (err) => errors.push(err) },
    );
    const first = makeJob({ number: 1 });
    await q.enqueue(first);
    await q.enqueue(makeJob({ number: 2 }));
    await new Promise((r) => setTimeout(r, 10));
    expect(ran).toEqual(['#2']);
    // Aside, it still counts as waiting, and drain waits for it.
    expect(await q.stats()).toEqual({ waiting: 1, running: 0 });
    expect((await q.describe(jobKey(makeJob({ number: 1 })))).waiting).toHaveLength(1);
    expect(await q.isWaiting(first)).toBe(true);
    await q.drain();
    expect(ran).toEqual(['#2', '#1']);
    expect(errors).toEqual([]);
  });

  it('forgets a deferred job that is cancelled while it waits aside', async () => {
    const ran: number[] = [];
    const q = new MemoryQueue(
      async (job) => {
        if (job.number === 1) throw new JobDeferred(50);
        ran.push(job.number);
      },
      { concurrency: 1 },
    );
    await q.enqueue(makeJob({ number: 1 }));
    await new Promise((r) => setTimeout(r, 10));
    expect(await q.cancel(jobKey(makeJob({ number: 1 })), 'monalisa')).toEqual({ removed: 1, stoppedRunning: false });
    await q.drain();
    expect(await q.stats()).toEqual({ waiting: 0, running: 0 });
  });
});
