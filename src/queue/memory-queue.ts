import { JobDeferred } from './deferred.js';
import { jobKey, type Job } from '../job.js';
import type { CancelResult, EnqueueResult, JobProcessor, JobQueue, KeyStatus, QueueStats } from './queue.js';
import { WaitingJobs } from './waiting-jobs.js';
import { within } from './within.js';

interface Deferred {
  job: Job;
  key: string;
  timer: ReturnType<typeof setTimeout>;
}

interface Running {
  job: Job;
  startedAt: string;
  controller: AbortController;
  stoppedBy?: string;
}

export interface MemoryQueueOptions {
  /** Jobs running at once in this process. */
  concurrency: number;
  /** How many delivery ids to remember, to refuse redeliveries. */
  rememberDeliveries?: number;
  onError?: (err: unknown, job: Job) => void;
  /**
   * The jobs still waiting when the queue stopped, in arrival order, handed over once: there is nowhere
   * to put them back, so the caller tells their issues. `signal` is aborted when `stop` waits no longer.
   */
  onLost?: (jobs: readonly Job[], signal: AbortSignal) => void | Promise<void>;
  /**
   * How long `stop` waits for `onLost` at least (ms; what is left of the grace period when longer):
   * past it the app stops anyway. Telling thousands of issues one comment at a time, paced by
   * GitHub's limits, would otherwise hold a shutdown for hours, until the container is killed. Default 5 s.
   */
  lostNoticeMs?: number;
}

/**
 * The in-process queue: jobs run in arrival order, at most `concurrency` at once, never two for the
 * same issue or pull request at the same time, and a delivery id already seen is refused. A job whose
 * processor throws `JobDeferred` (its repository is full) waits aside for the time it asks, then goes
 * back to the head of the line; its slot goes to the next job meanwhile.
 */
export class MemoryQueue implements JobQueue {
  readonly #waiting = new WaitingJobs();
  /** Jobs put off, by delivery id, and their delivery ids by key: both indexed, as the waiting ones are. */
  readonly #deferred = new Map<string, Deferred>();
  readonly #deferredByKey = new Map<string, Set<string>>();
  readonly #runningKeys = new Map<string, Running>();
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
    const position = this.#waiting.push(job);
    this.#pump();
    return { accepted: true, position };
  }

  async stats(): Promise<QueueStats> {
    return { waiting: this.#waiting.size + this.#deferred.size, running: this.#running };
  }

  async isWaiting(job: Pick<Job, 'deliveryId'>): Promise<boolean> {
    return this.#waiting.has(job.deliveryId) || this.#deferred.has(job.deliveryId);
  }

  async describe(key: string): Promise<KeyStatus> {
    const brief = (j: Job): KeyStatus['waiting'][number] => ({ deliveryId: j.deliveryId, profile: j.profile, requester: j.requester, receivedAt: j.receivedAt });
    const status: KeyStatus = { waiting: [...this.#deferredOf(key), ...this.#waiting.ofKey(key)].map(brief) };
    const running = this.#runningKeys.get(key);
    if (running !== undefined) status.running = { ...brief(running.job), startedAt: running.startedAt };
    return status;
  }

  async cancel(key: string, by: string): Promise<CancelResult> {
    let removed = this.#waiting.removeKey(key).length;
    for (const job of this.#deferredOf(key)) {
      this.#undefer(job.deliveryId);
      removed += 1;
    }
    const running = this.#runningKeys.get(key);
    if (running !== undefined && !running.controller.signal.aborted) {
      running.stoppedBy = by;
      running.controller.abort(new Error(`stopped by ${by}`));
    }
    this.#pump();
    return { removed, stoppedRunning: running !== undefined };
  }

  drain(): Promise<void> {
    if (this.#idleNow()) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async stop(graceMs: number): Promise<void> {
    this.#closed = true;
    const lost = [...this.#takeDeferred(), ...this.#waiting.clear()];
    const started = Date.now();
    const finished = this.drain();
    const inTime = await within(
      finished.then(() => true),
      graceMs,
      false,
    );
    if (!inTime) {
      // Nowhere to put them back: they end as stopped by a shutdown (stoppedBy stays undefined).
      for (const running of this.#runningKeys.values()) {
        if (!running.controller.signal.aborted) running.controller.abort(new Error('the app is shutting down'));
      }
      await finished;
    }
    // The lost jobs' issues are told once the running jobs have reported: what became of work under
    // way comes first in the installation's writes. For what is left of the grace period, or a few seconds.
    if (lost.length === 0) return;
    const gaveUp = new AbortController();
    await within(this.#lose(lost, gaveUp.signal), Math.max(graceMs - (Date.now() - started), this.options.lostNoticeMs ?? 5000), undefined);
    gaveUp.abort();
  }

  #lose(jobs: readonly Job[], signal: AbortSignal): Promise<void> {
    return Promise.resolve()
      .then(() => this.options.onLost?.(jobs, signal))
      .catch((err: unknown) => {
        for (const job of jobs) this.options.onError?.(err, job);
      });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#takeDeferred();
    this.#waiting.clear();
    await this.drain();
  }

  #idleNow(): boolean {
    return this.#running === 0 && this.#waiting.size === 0 && this.#deferred.size === 0;
  }

  #defer(job: Job, key: string, ms: number): void {
    const timer = setTimeout(() => {
      this.#undefer(job.deliveryId);
      // Back at the head of the line: it was there before the jobs that arrived while it waited.
      this.#waiting.unshift(job);
      this.#pump();
    }, ms);
    this.#deferred.set(job.deliveryId, { job, key, timer });
    const ids = this.#deferredByKey.get(key) ?? new Set<string>();
    this.#deferredByKey.set(key, ids.add(job.deliveryId));
  }

  #deferredOf(key: string): Job[] {
    return [...(this.#deferredByKey.get(key) ?? [])].flatMap((id) => this.#deferred.get(id)?.job ?? []);
  }

  /** Takes a job out of the deferred ones, its timer cleared. */
  #undefer(deliveryId: string): void {
    const d = this.#deferred.get(deliveryId);
    if (d === undefined) return;
    clearTimeout(d.timer);
    this.#deferred.delete(deliveryId);
    const ids = this.#deferredByKey.get(d.key);
    ids?.delete(deliveryId);
    if (ids?.size === 0) this.#deferredByKey.delete(d.key);
  }

  #takeDeferred(): Job[] {
    const jobs = [...this.#deferred.values()].map((d) => d.job);
    for (const d of this.#deferred.values()) clearTimeout(d.timer);
    this.#deferred.clear();
    this.#deferredByKey.clear();
    return jobs;
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
      const job = this.#waiting.take((key) => this.#runningKeys.has(key));
      if (job === undefined) break;
      this.#start(job);
    }
    if (this.#idleNow()) {
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  }

  #start(job: Job): void {
    const key = jobKey(job);
    this.#running += 1;
    const running: Running = { job, startedAt: new Date().toISOString(), controller: new AbortController() };
    this.#runningKeys.set(key, running);
    void this.process(job, { signal: running.controller.signal, stoppedBy: () => running.stoppedBy, attempt: 1 })
      .catch((err: unknown) => {
        if (!(err instanceof JobDeferred)) this.options.onError?.(err, job);
        // Stopped while it was being put off: it just does not run. Shutting down: nowhere to put it.
        else if (running.controller.signal.aborted && running.stoppedBy !== undefined) return;
        else if (this.#closed) void this.#lose([job], new AbortController().signal);
        else this.#defer(job, key, err.retryInMs);
      })
      .finally(() => {
        this.#running -= 1;
        this.#runningKeys.delete(key);
        this.#waiting.freed(key);
        this.#pump();
      });
  }
}
