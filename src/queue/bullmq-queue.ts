import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker, type Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import { jobKey, jobSchema, type Job } from '../job.js';
import { within } from './within.js';
import { bullJobId } from './bull-job-id.js';
import { BullMqRunner, type JobHooks } from './bullmq-runner.js';
import { shutdownReason } from './interrupted.js';
import { readLease, type LockValue } from './issue-lease.js';
import type { CancelResult, EnqueueResult, JobQueue, KeyStatus, QueueStats } from './queue.js';
import { RunningJobs } from './running-jobs.js';

export { bullJobId } from './bull-job-id.js';

export interface BullMqQueueOptions extends JobHooks {
  /** `redis://` or `rediss://` URL (REDIS_URL). */
  url: string;
  /** Namespace of every key in Redis; processes that share work use the same one. */
  prefix?: string;
  /** Jobs at once in this process. */
  concurrency: number;
  /**
   * How long a job's locks live without renewal: a worker that dies holding a job gives it up after
   * about this long, and another worker takes it up within about twice this. Default 30 s.
   */
  leaseMs?: number;
  /** How long a job waits before trying again when another job of its issue is running. Default 2 s. */
  busyRetryMs?: number;
  /** Runs a job may start and lose with its worker before it is given up on and reported. Default 3. */
  maxAttempts?: number;
  /** How long a delivery id is remembered, to refuse redeliveries. Default 7 days. */
  rememberDeliveriesMs?: number;
}

const QUEUE_NAME = 'jobs';
const DAY_MS = 24 * 60 * 60_000;

/**
 * The queue on Redis, for several worker processes on several machines. BullMQ holds the jobs and
 * hands a job whose worker died (its lock not renewed) to another worker. Around it, in plain Redis:
 * - `delivery:<id>`: a delivery id seen (SET NX with a TTL), so a redelivery is refused on any process;
 * - `lock:<jobKey>`: one job at a time per issue, a lease renewed while the job runs; a job whose
 *   issue is busy goes back to the delayed set and tries again, as does one whose processor throws
 *   `JobDeferred` (its repository runs its max_concurrent_jobs): the worker slot goes to another job;
 * - `index:<jobKey>`: the jobs not yet finished, for `describe` and `cancel`; a job no longer
 *   in it (cancelled) is never started;
 * - `attempts:<id>`: runs started and runs interrupted by a shutdown, so a restarted job knows its
 *   attempt and one that killed its workers too often is given up on;
 * - the `cancel` channel: tells the worker running an issue's job to stop it.
 */
export class BullMqQueue implements JobQueue {
  readonly #redis: Redis;
  readonly #queue: Queue;
  readonly #worker: Worker | undefined;
  readonly #subscriber: Redis | undefined;
  readonly #prefix: string;
  readonly #rememberMs: number;
  readonly #running = new RunningJobs();

  constructor(private readonly options: BullMqQueueOptions) {
    this.#prefix = options.prefix ?? 'issuesmith';
    const leaseMs = options.leaseMs ?? 30_000;
    const maxAttempts = options.maxAttempts ?? 3;
    this.#rememberMs = options.rememberDeliveriesMs ?? 7 * DAY_MS;
    const connection = { url: options.url, maxRetriesPerRequest: null };
    this.#redis = new Redis(options.url, { maxRetriesPerRequest: 3 });
    this.#redis.on('error', (err: Error) => options.log.warn({ reason: err.message }, 'redis connection error'));
    this.#queue = new Queue(QUEUE_NAME, { connection, prefix: `${this.#prefix}:bull` });
    this.#queue.on('error', (err: Error) => options.log.warn({ reason: err.message }, 'queue connection error'));
    if (options.process !== undefined) {
      this.#subscriber = new Redis(options.url, { maxRetriesPerRequest: null });
      this.#subscriber.on('error', (err: Error) => options.log.warn({ reason: err.message }, 'redis subscriber error'));
      this.#subscriber.on('message', (_channel: string, message: string) => this.#running.onCancel(message));
      void this.#subscriber.subscribe(this.#k('cancel')).catch((err: unknown) => options.log.error({ err }, 'could not subscribe to cancels'));
      const runner = new BullMqRunner({
        redis: this.#redis,
        k: (name) => this.#k(name),
        leaseMs,
        busyRetryMs: options.busyRetryMs ?? 2_000,
        maxAttempts,
        rememberMs: this.#rememberMs,
        running: this.#running,
        hooks: options,
      });
      this.#worker = new Worker(QUEUE_NAME, (job: BullJob, token?: string) => runner.run(job, token), {
        connection,
        prefix: `${this.#prefix}:bull`,
        concurrency: options.concurrency,
        lockDuration: leaseMs,
        stalledInterval: leaseMs,
        // BullMQ fails a job itself past this; ours gives up first and tells the issue.
        maxStalledCount: maxAttempts + 1,
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 5000 },
      });
      this.#worker.on('error', (err: Error) => options.log.warn({ reason: err.message }, 'worker connection error'));
    }
  }

  /** Resolves once the Redis connections are up (and this worker listens for cancels). */
  async ready(): Promise<void> {
    await Promise.all([this.#queue.waitUntilReady(), this.#worker?.waitUntilReady(), this.#redis.ping()]);
  }

  async enqueue(job: Job): Promise<EnqueueResult> {
    const seen = this.#k(`delivery:${job.deliveryId}`);
    const fresh = await this.#redis.set(seen, '1', 'PX', this.#rememberMs, 'NX');
    if (fresh === null) return { accepted: false, reason: 'duplicate-delivery' };
    const id = bullJobId(job.deliveryId);
    const index = this.#k(`index:${jobKey(job)}`);
    try {
      const seq = await this.#redis.incr(this.#k('seq'));
      await this.#redis.zadd(index, seq, id);
      // The job id is the delivery id: BullMQ itself refuses a second job with the same id.
      await this.#queue.add('job', job, { jobId: id });
    } catch (err) {
      // Nothing was queued: the delivery may come again.
      await Promise.allSettled([this.#redis.del(seen), this.#redis.zrem(index, id)]);
      throw err;
    }
    return { accepted: true, position: await this.#queue.count() };
  }

  async stats(): Promise<QueueStats> {
    const c = await this.#queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
    return { waiting: (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0), running: c.active ?? 0 };
  }

  async isWaiting(job: Pick<Job, 'deliveryId' | 'owner' | 'repo' | 'number'>): Promise<boolean> {
    const id = bullJobId(job.deliveryId);
    const key = jobKey(job);
    const [score, lock] = await Promise.all([this.#redis.zscore(this.#k(`index:${key}`), id), this.#lockOf(key)]);
    if (score === null || lock?.deliveryId === job.deliveryId) return false;
    // As in describe: a job a worker has taken is starting, not waiting.
    const found = await this.#queue.getJob(id);
    return found !== undefined && (await found.getState()) !== 'active';
  }

  async describe(key: string): Promise<KeyStatus> {
    const [ids, lock] = await Promise.all([this.#redis.zrange(this.#k(`index:${key}`), '0', '-1'), this.#lockOf(key)]);
    const status: KeyStatus = { waiting: [] };
    if (lock !== undefined) {
      status.running = { deliveryId: lock.deliveryId, profile: lock.profile, requester: lock.requester, receivedAt: lock.receivedAt, startedAt: lock.startedAt };
    }
    for (const id of ids) {
      if (lock !== undefined && id === bullJobId(lock.deliveryId)) continue;
      const found = await this.#queue.getJob(id);
      // A job a worker has taken is starting, not waiting (unless its issue is busy: then it is delayed again).
      if (found === undefined || (await found.getState()) === 'active') continue;
      const parsed = jobSchema.safeParse(found.data);
      if (!parsed.success) continue;
      const j = parsed.data;
      status.waiting.push({ deliveryId: j.deliveryId, profile: j.profile, requester: j.requester, receivedAt: j.receivedAt });
    }
    return status;
  }

  async cancel(key: string, by: string): Promise<CancelResult> {
    const index = this.#k(`index:${key}`);
    const lock = await this.#lockOf(key);
    const runningId = lock === undefined ? undefined : bullJobId(lock.deliveryId);
    let removed = 0;
    for (const id of await this.#redis.zrange(index, '0', '-1')) {
      if (id === runningId) continue;
      // Out of the index, a job is never started, even one a worker has just picked up.
      if ((await this.#redis.zrem(index, id)) === 1) removed += 1;
      await this.#queue.remove(id).catch(() => 0);
    }
    if (lock !== undefined) await this.#redis.publish(this.#k('cancel'), JSON.stringify({ key, by }));
    return { removed, stoppedRunning: lock !== undefined };
  }

  async drain(): Promise<void> {
    for (;;) {
      const s = await this.stats();
      if (s.waiting === 0 && s.running === 0) return;
      await sleep(50);
    }
  }

  async stop(graceMs: number): Promise<void> {
    if (this.#worker === undefined) return;
    // Closing the worker takes no more jobs and resolves when the running ones have returned.
    const closed = this.#worker.close();
    const inTime = await within(
      closed.then(() => true),
      graceMs,
      false,
    );
    if (!inTime) {
      this.options.log.info({ jobs: this.#running.size }, 'grace period over: interrupting running jobs, they go back to the queue');
      this.#running.abortAll(shutdownReason);
      await closed;
    }
  }

  async close(): Promise<void> {
    await this.#worker?.close();
    await this.#queue.close();
    await Promise.allSettled([this.#subscriber?.quit(), this.#redis.quit()]);
  }

  async #lockOf(key: string): Promise<LockValue | undefined> {
    return readLease(this.#redis, this.#k(`lock:${key}`));
  }

  #k(name: string): string {
    return `${this.#prefix}:${name}`;
  }
}
