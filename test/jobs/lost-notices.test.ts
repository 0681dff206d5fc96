import { describe, expect, it } from 'vitest';
import { tellLostJobs } from '../../src/jobs/lost-notices.js';
import { MemoryQueue } from '../../src/queue/memory-queue.js';
import { lostOnRestartComment } from '../../src/report/queue-messages.js';
import { gate, makeJob } from '../helpers/jobs.js';

type Logged = { msg: string; fields: Record<string, unknown> };

function recordingLog(): { log: { info(): void; debug(): void; error(): void; warn(f: Record<string, unknown>, msg: string): void }; warned: Logged[] } {
  const warned: Logged[] = [];
  return { warned, log: { info: () => undefined, debug: () => undefined, error: () => undefined, warn: (fields, msg) => void warned.push({ fields, msg }) } };
}

describe('jobs lost at a shutdown without Redis', () => {
  it('tells each issue once, naming every request that waited there, however many', async () => {
    const onOne = [makeJob({ number: 1 }), makeJob({ number: 1 }), makeJob({ number: 1 })];
    const other = makeJob({ number: 2 });
    // GitHub's names are case-insensitive: the same issue whatever the case a payload spelled it in.
    const shouting = makeJob({ number: 1, owner: 'CODERTOCAT', repo: 'hello-world' });
    // Another installation's job naming the same issue is never told in the same comment, nor with the same client.
    const otherTenant = makeJob({ number: 1, installationId: 2 });
    const posted: Array<{ number: number; installation: number; body: string }> = [];
    const { log, warned } = recordingLog();
    await tellLostJobs([...onOne, other, shouting, otherTenant], new AbortController().signal, {
      notice: async (job, body) => void posted.push({ number: job.number, installation: job.installationId, body }),
      log,
    });
    expect(posted.map((p) => [p.installation, p.number])).toEqual([
      [1, 1],
      [1, 2],
      [2, 1],
    ]);
    expect(posted[2]?.body).toContain(`reference \`${otherTenant.deliveryId}\``);
    expect(posted[0]?.body).not.toContain(otherTenant.deliveryId);
    expect(posted[0]?.body).toContain('these 4 requests could start, so they will not run');
    for (const job of [...onOne, shouting]) expect(posted[0]?.body).toContain(`\`${job.deliveryId}\``);
    expect(posted[1]?.body).toContain(`this request could start, so it will not run. Comment again to retry (reference \`${other.deliveryId}\`)`);
    expect(warned.map((w) => w.fields.issue)).toEqual(['Codertocat/Hello-World#1', 'Codertocat/Hello-World#2', 'Codertocat/Hello-World#1']);
  });

  it('logs the issues not told yet when the queue stops waiting, with their deliveries', async () => {
    const slow = gate();
    const told = makeJob({ number: 1 });
    const untold = makeJob({ number: 2 });
    const { log, warned } = recordingLog();
    const stop = new AbortController();
    const telling = tellLostJobs([told, untold], stop.signal, { notice: async (job) => (job.number === 2 ? slow.promise : undefined), log });
    await new Promise((r) => setImmediate(r));
    stop.abort();
    const late = warned.filter((w) => w.msg.startsWith('stopped before'));
    expect(late.map((w) => w.fields)).toEqual([{ issue: 'Codertocat/Hello-World#2', deliveries: [untold.deliveryId] }]);
    slow.open();
    await telling;
  });

  it('lists ten references at most, and a delivery id cannot break out of its code span or mention anyone', () => {
    const refs = Array.from({ length: 12 }, (_, i) => `d-${i}`);
    const body = lostOnRestartComment({ refs });
    expect(body).toContain('`d-9` and 2 more');
    expect(body).not.toContain('d-10');
    const hostile = lostOnRestartComment({ refs: ['x` @admin [link](https://evil.example) `y'] });
    expect(hostile).not.toMatch(/@admin|\]\(|https:/);
    expect(hostile).toContain('`xadminlinkhttpsevil.exampley`');
  });

  it('the queue hands its waiting jobs over once and stops waiting for the notices after its bound, whatever GitHub does', async () => {
    const handed: Array<{ ids: string[]; signal: AbortSignal }> = [];
    const running = gate();
    const q = new MemoryQueue(
      async (_job, ctx) => {
        running.open();
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      },
      { concurrency: 1, lostNoticeMs: 50, onLost: (jobs, signal) => (handed.push({ ids: jobs.map((j) => j.deliveryId), signal }), new Promise<void>(() => undefined)) },
    );
    const jobs = [makeJob({ number: 1 }), makeJob({ number: 1 }), makeJob({ number: 2 })];
    // The first runs; the two others wait, one of them on the same issue.
    for (const job of jobs) await q.enqueue(job);
    await running.promise;
    await q.stop(0);
    expect(handed.map((h) => h.ids)).toEqual([[jobs[1]?.deliveryId, jobs[2]?.deliveryId]]);
    expect(handed[0]?.signal.aborted).toBe(true);
  });
});
