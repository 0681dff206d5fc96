import type { Job } from '../job.js';

export type EnqueueResult = { accepted: true; position: number } | { accepted: false; reason: 'duplicate-delivery' };

export interface QueueStats {
  waiting: number;
  running: number;
}

/** What is queued and running for one issue or pull request (one `jobKey`). */
export interface KeyStatus {
  /** Jobs waiting for this key, oldest first. */
  waiting: Array<Pick<Job, 'deliveryId' | 'profile' | 'requester' | 'receivedAt'>>;
  /** The job running for this key, if any, and when it started (ISO time). */
  running?: Pick<Job, 'deliveryId' | 'profile' | 'requester' | 'receivedAt'> & { startedAt: string };
}

export interface CancelResult {
  /** Waiting jobs removed before they started. */
  removed: number;
  /** Whether a running job was told to stop. */
  stoppedRunning: boolean;
}

/** What the queue tells a job while it runs. */
export interface JobContext {
  /** Aborted when someone stops the job (`/agent stop`, the check run's Stop button) or the worker shuts down. */
  signal: AbortSignal;
  /** Who stopped it, once `signal` is aborted by a person; undefined for a shutdown. */
  stoppedBy(): string | undefined;
  /** 1 for the first run; more when a worker died with the job and another took it up. */
  attempt: number;
}

/** Where jobs wait for a worker. In-process by default; BullMQ on Redis when REDIS_URL is set. */
export interface JobQueue {
  enqueue(job: Job): Promise<EnqueueResult>;
  stats(): Promise<QueueStats>;
  /**
   * Whether this one job is still waiting (queued or put off), not started, finished or cancelled: an
   * O(1) lookup, for answers about one delivery that must not cost more as the line grows.
   */
  isWaiting(job: Pick<Job, 'deliveryId' | 'owner' | 'repo' | 'number'>): Promise<boolean>;
  /** The waiting and running jobs of one issue or pull request. */
  describe(key: string): Promise<KeyStatus>;
  /** Removes the waiting jobs of one issue or pull request and stops its running job. */
  cancel(key: string, by: string): Promise<CancelResult>;
  /** Resolves when nothing is waiting or running. */
  drain(): Promise<void>;
  /**
   * Graceful shutdown (SIGTERM): takes no more jobs, lets running ones finish for up to `graceMs`,
   * then aborts them (stoppedBy() undefined). A queue that can put them back aborts with
   * `JobInterrupted` as the reason and requeues the jobs that throw it.
   */
  stop(graceMs: number): Promise<void>;
  close(): Promise<void>;
}

export type JobProcessor = (job: Job, context: JobContext) => Promise<void>;
