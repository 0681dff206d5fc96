import type { Job } from './job.js';

export type EnqueueResult =
  | { accepted: true; position: number }
  | { accepted: false; reason: 'duplicate-delivery' };

export interface QueueStats {
  waiting: number;
  running: number;
}

/** Where jobs wait for a worker. In-process by default; BullMQ on Redis when REDIS_URL is set. */
export interface JobQueue {
  enqueue(job: Job): Promise<EnqueueResult>;
  stats(): QueueStats;
  /** Resolves when nothing is waiting or running. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export type JobProcessor = (job: Job) => Promise<void>;
