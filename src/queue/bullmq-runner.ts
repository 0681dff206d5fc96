import { randomUUID } from 'node:crypto';
import { DelayedError, UnrecoverableError, WaitingError, type Job as BullJob } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobKey, jobSchema, type Job } from '../job.js';
import type { Logger } from '../logger.js';
import { bullJobId } from './bull-job-id.js';
import { JobDeferred } from './deferred.js';
import { JobInterrupted } from './interrupted.js';
import { takeLease, type LockValue } from './issue-lease.js';
import type { JobProcessor } from './queue.js';
import type { Running, RunningJobs } from './running-jobs.js';

/** What the queue's owner gives the worker side: the processor, the log, and what to do when a job fails or is given up. */
export interface JobHooks {
  /** Runs jobs. Without it this process only enqueues (the web role). */
  process?: JobProcessor;
  log: Logger;
  onError?: (err: unknown, job: Job) => void;
  /** A job whose workers died with it `maxAttempts` times: it is not run again; the caller tells the issue. */
  onAbandoned?: (job: Job, attempts: number) => void | Promise<void>;
}

export interface RunnerDeps {
  redis: Redis;
  /** The Redis key of a name, in the queue's namespace. */
  k: (name: string) => string;
  leaseMs: number;
  busyRetryMs: number;
  maxAttempts: number;
  /** How long a delivery's attempts are remembered. */
  rememberMs: number;
  running: RunningJobs;
  hooks: JobHooks;
}

/** One job counted as started, under its issue's lease. */
interface Started {
  job: Job;
  key: string;
  id: string;
  index: string;
  attemptsKey: string;
  attempt: number;
  crashes: number;
  running: Running;
  release: () => Promise<void>;
}

/**
 * The worker side of the BullMQ queue: a job runs only under its issue's lease (one job at a time per
 * issue), only while it is still in the issue's index (not cancelled), and is given up on once its
 * workers died with it too often.
 */
export class BullMqRunner {
  constructor(private readonly d: RunnerDeps) {}

  /** BullMQ's processor for one job. */
  async run(bjob: BullJob, token: string | undefined): Promise<void> {
    const job = this.#parse(bjob);
    const { redis, k, hooks } = this.d;
    const key = jobKey(job);
    const id = bullJobId(job.deliveryId);
    const lock: LockValue = {
      token: randomUUID(),
      deliveryId: job.deliveryId,
      profile: job.profile,
      requester: job.requester,
      receivedAt: job.receivedAt,
      startedAt: new Date().toISOString(),
    };
    const askedAt = Date.now();
    const lease = await takeLease(redis, k(`lock:${key}`), lock, { leaseMs: this.d.leaseMs, log: hooks.log, delivery: job.deliveryId, key });
    if (lease === undefined) {
      // Another job of this issue runs (or a dead worker's lease has not expired yet): wait a turn.
      await bjob.moveToDelayed(Date.now() + this.d.busyRetryMs, token);
      throw new DelayedError();
    }
    const running = this.d.running.start(id, key, askedAt);
    const release = async (): Promise<void> => {
      this.d.running.delete(id);
      await lease.release();
    };
    // Released on every path, a Redis failure before the run included: the lease's renewal stops with it.
    try {
      const index = k(`index:${key}`);
      if ((await redis.zscore(index, id)) === null) {
        // Cancelled (or already finished) before it could start.
        hooks.log.info({ delivery: job.deliveryId, key }, 'job was cancelled before it started');
        return;
      }
      const attemptsKey = k(`attempts:${job.deliveryId}`);
      const attempt = await redis.hincrby(attemptsKey, 'started', 1);
      await redis.pexpire(attemptsKey, this.d.rememberMs);
      const interrupted = Number((await redis.hget(attemptsKey, 'interrupted')) ?? 0);
      const crashes = attempt - 1 - interrupted;
      await this.#runStarted(bjob, token, { job, key, id, index, attemptsKey, attempt, crashes, running, release });
    } finally {
      await release();
    }
  }

  #parse(bjob: BullJob): Job {
    const parsed = jobSchema.safeParse(bjob.data);
    if (parsed.success) return parsed.data;
    // Whatever is in Redis is outside input: a job that does not match the schema is never run.
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    this.d.hooks.log.error({ jobId: bjob.id, problems }, 'malformed job refused: not run');
    throw new UnrecoverableError(`malformed job: ${problems}`);
  }

  async #runStarted(bjob: BullJob, token: string | undefined, s: Started): Promise<void> {
    const { redis, hooks } = this.d;
    const { job, key, id, index, attemptsKey, attempt, running, release } = s;
    if (s.crashes >= this.d.maxAttempts) {
      hooks.log.error({ delivery: job.deliveryId, key, crashes: s.crashes }, 'job given up: its worker died with it too many times');
      await hooks.onAbandoned?.(job, attempt - 1);
      await redis.zrem(index, id);
      return;
    }
    if (attempt > 1) hooks.log.info({ delivery: job.deliveryId, key, attempt }, 'job restarted');
    try {
      await hooks.process?.(job, { signal: running.controller.signal, stoppedBy: () => running.stoppedBy, attempt });
    } catch (err) {
      if (err instanceof JobDeferred) {
        // Not a run: the attempt is given back, so a job put off many times is not taken for one that keeps crashing.
        await redis.hincrby(attemptsKey, 'started', -1);
        await release();
        await bjob.moveToDelayed(Date.now() + err.retryInMs, token);
        throw new DelayedError();
      }
      if (!(err instanceof JobInterrupted)) {
        hooks.onError?.(err, job);
        await redis.zrem(index, id);
        return;
      }
      // Back to the queue, for this worker's successor or another worker.
      await redis.hincrby(attemptsKey, 'interrupted', 1);
      await release();
      await bjob.moveToWait(token);
      hooks.log.info({ delivery: job.deliveryId, key }, 'job interrupted by shutdown: put back in the queue');
      throw new WaitingError();
    }
    await redis.zrem(index, id);
  }
}
