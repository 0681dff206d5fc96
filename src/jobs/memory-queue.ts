import { jobKey, type Job } from './job.js';
import type { EnqueueResult, JobProcessor, JobQueue, QueueStats } from './queue.js';

export interface MemoryQueueOptions {
  /** Jobs running at once in this process. */
  concurrency: number;
  /** How many delivery ids to remember, to refuse redeliveries. */
  rememberDeliveries?: number;
  onError?: (err: unknown, job: Job) => void;
}

/**
 * The in-process queue: jobs run in arrival order, at most `concurrency` at once, never two for the
 * same issue or pull request at the same time, and a delivery id already seen is refused.
 */
export class MemoryQueue implements JobQueue {
  readonly #waiting: Job[] = [];
  readonly #runningKeys = new Set<string>();
  readonly #seen = new Set<string>();
  #running = 0;
  #closed = false;
  #idle: Array<() => void> = [];

  constructor(
    private readonly process: JobProcessor,
    private readonly options: MemoryQueueOptions,
  ) {}

  async enqueue(job: Job): Promise<EnqueueResult> {
    if (this.#seen.has(job.deliveryId)) return { accepted: false, reason: 'duplicate-delivery' };
    this.#remember(job.deliveryId);
    this.#waiting.push(job);
    const position = this.#waiting.length;
    this.#pump();
    return { accepted: true, position };
  }

  stats(): QueueStats {
    return { waiting: this.#waiting.length, running: this.#running };
  }

  drain(): Promise<void> {
    if (this.#running === 0 && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#waiting.length = 0;
    await this.drain();
  }

  #remember(id: string): void {
    this.#seen.add(id);
    const max = this.options.rememberDeliveries ?? 10_000;
    if (this.#seen.size > max) {
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
  }

  #pump(): void {
    while (!this.#closed && this.#running < this.options.concurrency) {
      const index = this.#waiting.findIndex((j) => !this.#runningKeys.has(jobKey(j)));
      if (index === -1) break;
      const [job] = this.#waiting.splice(index, 1);
      if (job === undefined) break;
      this.#start(job);
    }
    if (this.#running === 0 && this.#waiting.length === 0) {
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  }

  #start(job: Job): void {
    const key = jobKey(job);
    this.#running += 1;
    this.#runningKeys.add(key);
    void this.process(job)
      .catch((err: unknown) => this.options.onError?.(err, job))
      .finally(() => {
        this.#running -= 1;
        this.#runningKeys.delete(key);
        this.#pump();
      });
  }
}
