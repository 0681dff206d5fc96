/**
 * Caps the jobs running at once in one repository (`limits.max_concurrent_jobs`). The worker holds a
 * slot for the whole job. This one lives in the process; a queue shared by several processes needs one
 * in that store (Redis, with the BullMQ queue).
 */
export interface RepoLimiter {
  /** Waits for a free slot in the repository (no limit: at once) and returns its release. Rejects when `signal` aborts. */
  acquire(repo: string, max: number | undefined, signal?: AbortSignal): Promise<() => void>;
  /**
   * Takes a free slot at once and returns its release, or undefined when the repository is full: the
   * worker then gives its own slot back to the queue instead of waiting in it. A limiter without it is
   * waited on.
   */
  tryAcquire?(repo: string, max: number | undefined): Promise<(() => void) | undefined>;
}

export class MemoryRepoLimiter implements RepoLimiter {
  readonly #running = new Map<string, number>();
  readonly #waiting = new Map<string, Array<() => void>>();

  async tryAcquire(repo: string, max: number | undefined): Promise<(() => void) | undefined> {
    const key = repo.toLowerCase();
    // Jobs already waiting in `acquire` go first.
    if (max !== undefined && ((this.#running.get(key) ?? 0) >= max || (this.#waiting.get(key)?.length ?? 0) > 0)) return undefined;
    return this.acquire(repo, max);
  }

  async acquire(repo: string, max: number | undefined, signal?: AbortSignal): Promise<() => void> {
    const key = repo.toLowerCase();
    if (max !== undefined) {
      while ((this.#running.get(key) ?? 0) >= max) {
        signal?.throwIfAborted();
        await new Promise<void>((resolve, reject) => {
          const queue = this.#waiting.get(key) ?? [];
          this.#waiting.set(key, queue);
          const wake = (): void => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          };
          const onAbort = (): void => {
            queue.splice(queue.indexOf(wake), 1);
            reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
          };
          queue.push(wake);
          signal?.addEventListener('abort', onAbort, { once: true });
        });
      }
    }
    this.#running.set(key, (this.#running.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#running.get(key) ?? 1) - 1;
      if (left <= 0) this.#running.delete(key);
      else this.#running.set(key, left);
      this.#waiting.get(key)?.shift()?.();
      if (this.#waiting.get(key)?.length === 0) this.#waiting.delete(key);
    };
  }

  /** Jobs holding a slot in a repository. */
  running(repo: string): number {
    return this.#running.get(repo.toLowerCase()) ?? 0;
  }
}
