import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, Queue, UnrecoverableError, WaitingError, Worker, type Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import { JobDeferred } from './deferred.js';
import { JobInterrupted, shutdownReason } from './interrupted.js';
import { jobKey, jobSchema, type Job } from '../job.js';
import type { CancelResult, EnqueueResult, JobProcessor, JobQueue, KeyStatus, QueueStats } from './queue.js';

export interface QueueLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface BullMqQueueOptions {
  /** `redis://` or `rediss://` URL (REDIS_URL). */
  url: string;
  /** Namespace of every key in Redis; processes that share work use the same one. */
  prefix?: string;
  /** Runs jobs. Without it this process only enqueues (the web role). */
  process?: JobProcessor;
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
  log: QueueLogger;
  onError?: (err: unknown, job: Job) => void;
  /** A job whose workers died with it `maxAttempts` times: it is not run again; the caller tells the issue. */
  onAbandoned?: (job: Job, attempts: number) => void | Promise<void>;
}

interface Running {
  key: string;
  controller: AbortController;
  stoppedBy?: string;
}

interface LockValue {
  token: string;
  deliveryId: string;
  profile: string;
  requester: Job['requester'];
  receivedAt: string;
  startedAt: string;
}

const QUEUE_NAME = 'jobs';
const DAY_MS = 24 * 60 * 60_000;

// Extends a lock only while it still holds our value, and deletes it only then: a lock that expired
// and was taken by another worker is never touched.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * The queue on Redis, for several worker processes on several machines. BullMQ holds the jobs and
 * hands a job whose worker died (its lock not renewed) to another worker. Around it, in plain Redis:
 * - `delivery:<id>`: a delivery id seen (SET NX with a TTL), so a redelivery is refused on any process;
 * - `lock:<jobKey>`: one job at a time per issue, a lease renewed while the job runs; a job whose
 *   issue is busy goes back to the delayed set and tries again, as does one whose processor throws
 *   `JobDeferred` (its repository runs its max_concurrent_jobs): the worker slot goes to another job;
 * - `index:<jobKey>`: the issue's jobs not yet finished, for `describe` and `cancel`; a job no longer
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
  readonly #leaseMs: number;
  readonly #busyRetryMs: number;
  readonly #maxAttempts: number;
  readonly #running = new Map<string, Running>();
  /** Cancels heard on the channel, by key: when, and by whom (for a job that was just starting). */
  readonly #recentCancels = new Map<string, { at: number; by: string }>();

  constructor(private readonly options: BullMqQueueOptions) {
    this.#prefix = options.prefix ?? 'issuesmith';
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#busyRetryMs = options.busyRetryMs ?? 2_000;
    this.#maxAttempts = options.maxAttempts ?? 3;
    const connection = { url: options.url, maxRetriesPerRequest: null };
    this.#redis = new Redis(options.url, { maxRetriesPerRequest: 3 });
    this.#redis.on('error', (err: Error) => options.log.warn({ reason: err.message }, 'redis connection error'));
    this.#queue = new Queue(QUEUE_NAME, { connection, prefix: `${this.#prefix}:bull` });
    this.#queue.on('error', (err: Error) => options.log.warn({ reason: err.message }, 'queue connection error'));
    if (options.process !== undefined) {
      this.#subscriber = new Redis(options.url, { maxRetriesPerRequest: null });
      this.#subscriber.on('error', (err: Error) => options.log.warn({ reason: err.message }, 'redis subscriber error'));
      this.#subscriber.on('message', (_channel: string, message: string) => this.#onCancel(message));
      void this.#subscriber.subscribe(this.#k('cancel')).catch((err: unknown) => options.log.error({ err }, 'could not subscribe to cancels'));
      this.#worker = new Worker(QUEUE_NAME, (job: BullJob, token?: string) => this.#processOne(job, token), {
        connection,
        prefix: `${this.#prefix}:bull`,
        concurrency: options.concurrency,
        lockDuration: this.#leaseMs,
        stalledInterval: this.#leaseMs,
        // BullMQ fails a job itself past this; ours gives up first and tells the issue.
        maxStalledCount: this.#maxAttempts + 1,
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
    const fresh = await this.#redis.set(seen, '1', 'PX', this.options.rememberDeliveriesMs ?? 7 * DAY_MS, 'NX');
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
    const timer = new AbortController();
    const inTime = await Promise.race([closed.then(() => true), sleep(graceMs, false, { signal: timer.signal }).catch(() => false)]);
    timer.abort();
    if (!inTime) {
      this.options.log.info({ jobs: this.#running.size }, 'grace period over: interrupting running jobs, they go back to the queue');
      for (const r of this.#running.values()) if (!r.controller.signal.aborted) r.controller.abort(shutdownReason());
      await closed;
    }
  }

  async close(): Promise<void> {
    await this.#worker?.close();
    await this.#queue.close();
    await Promise.allSettled([this.#subscriber?.quit(), this.#redis.quit()]);
  }

  async #processOne(bjob: BullJob, token: string | undefined): Promise<void> {
    const parsed = jobSchema.safeParse(bjob.data);
    if (!parsed.success) {
      // Whatever is in Redis is outside input: a job that does not match the schema is never run.
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      this.options.log.error({ jobId: bjob.id, problems }, 'malformed job refused: not run');
      throw new UnrecoverableError(`malformed job: ${problems}`);
    }
    const job = parsed.data;
    const key = jobKey(job);
    const id = bullJobId(job.deliveryId);
    const lockKey = this.#k(`lock:${key}`);
    const lock: LockValue = { token: randomUUID(), deliveryId: job.deliveryId, profile: job.profile, requester: job.requester, receivedAt: job.receivedAt, startedAt: new Date().toISOString() };
    const value = JSON.stringify(lock);
    const askedAt = Date.now();
    if ((await this.#redis.set(lockKey, value, 'PX', this.#leaseMs, 'NX')) === null) {
      // Another job of this issue runs (or a dead worker's lease has not expired yet): wait a turn.
      await bjob.moveToDelayed(Date.now() + this.#busyRetryMs, token);
      throw new DelayedError();
    }
    const running: Running = { key, controller: new AbortController() };
    this.#running.set(id, running);
    const renew = setInterval(() => {
      this.#redis.eval(RENEW, 1, lockKey, value, this.#leaseMs).then(
        (ok) => ok === 0 && this.options.log.warn({ delivery: job.deliveryId, key }, 'lost the issue lock while running (lease expired)'),
        (err: unknown) => this.options.log.warn({ delivery: job.deliveryId, reason: String(err) }, 'could not renew the issue lock'),
      );
    }, Math.max(100, Math.floor(this.#leaseMs / 3)));
    const release = async (): Promise<void> => {
      clearInterval(renew);
      this.#running.delete(id);
      await this.#redis.eval(RELEASE, 1, lockKey, value).catch(() => undefined);
    };
    const heard = this.#recentCancels.get(key);
    if (heard !== undefined && heard.at >= askedAt) {
      running.stoppedBy = heard.by;
      running.controller.abort(new Error(`stopped by ${heard.by}`));
    }
    const index = this.#k(`index:${key}`);
    if ((await this.#redis.zscore(index, id)) === null) {
      // Cancelled (or already finished) before it could start.
      this.options.log.info({ delivery: job.deliveryId, key }, 'job was cancelled before it started');
      await release();
      return;
    }
    const attemptsKey = this.#k(`attempts:${job.deliveryId}`);
    const attempt = await this.#redis.hincrby(attemptsKey, 'started', 1);
    await this.#redis.pexpire(attemptsKey, this.options.rememberDeliveriesMs ?? 7 * DAY_MS);
    const interrupted = Number((await this.#redis.hget(attemptsKey, 'interrupted')) ?? 0);
    const crashes = attempt - 1 - interrupted;
    try {
      if (crashes >= this.#maxAttempts) {
        this.options.log.error({ delivery: job.deliveryId, key, crashes }, 'job given up: its worker died with it too many times');
        await this.options.onAbandoned?.(job, attempt - 1);
        await this.#redis.zrem(index, id);
        return;
      }
      if (attempt > 1) this.options.log.info({ delivery: job.deliveryId, key, attempt }, 'job restarted');
      try {
        await this.options.process?.(job, { signal: running.controller.signal, stoppedBy: () => running.stoppedBy, attempt });
      } catch (err) {
        if (err instanceof JobDeferred) {
          // Not a run: the attempt is given back, so a job put off many times is not taken for one that keeps crashing.
          await this.#redis.hincrby(attemptsKey, 'started', -1);
          await release();
          await bjob.moveToDelayed(Date.now() + err.retryInMs, token);
          throw new DelayedError();
        }
        if (!(err instanceof JobInterrupted)) {
          this.options.onError?.(err, job);
          await this.#redis.zrem(index, id);
          return;
        }
        // Back to the queue, for this worker's successor or another worker.
        await this.#redis.hincrby(attemptsKey, 'interrupted', 1);
        await release();
        await bjob.moveToWait(token);
        this.options.log.info({ delivery: job.deliveryId, key }, 'job interrupted by shutdown: put back in the queue');
        throw new WaitingError();
      }
      await this.#redis.zrem(index, id);
    } finally {
      await release();
    }
  }

  #onCancel(message: string): void {
    let parsed: { key?: unknown; by?: unknown };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      return;
    }
    if (typeof parsed.key !== 'string' || typeof parsed.by !== 'string') return;
    const { key, by } = parsed;
    const now = Date.now();
    this.#recentCancels.set(key, { at: now, by });
    for (const [k, at] of this.#recentCancels) if (now - at.at > 60_000) this.#recentCancels.delete(k);
    for (const r of this.#running.values()) {
      if (r.key === key && !r.controller.signal.aborted) {
        r.stoppedBy = by;
        r.controller.abort(new Error(`stopped by ${by}`));
      }
    }
  }

  async #lockOf(key: string): Promise<LockValue | undefined> {
    const raw = await this.#redis.get(this.#k(`lock:${key}`));
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw) as LockValue;
    } catch {
      return undefined;
    }
  }

  #k(name: string): string {
    return `${this.#prefix}:${name}`;
  }
}

/** BullMQ job ids may not contain ':' and must not look like integers. */
export function bullJobId(deliveryId: string): string {
  return `d-${encodeURIComponent(deliveryId)}`;
}
