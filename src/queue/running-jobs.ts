/** A job running in this process: its issue's key and the switch that stops it. */
export interface Running {
  key: string;
  controller: AbortController;
  stoppedBy?: string;
}

/** The jobs this process runs, and the cancels heard on the `cancel` channel that stop them. */
export class RunningJobs {
  readonly #running = new Map<string, Running>();
  /** Cancels heard on the channel, by key: when, and by whom (for a job that was just starting). */
  readonly #recentCancels = new Map<string, { at: number; by: string }>();

  get size(): number {
    return this.#running.size;
  }

  /** A job that has taken its issue's lease; one whose cancel was heard since `askedAt` starts stopped. */
  start(id: string, key: string, askedAt: number): Running {
    const running: Running = { key, controller: new AbortController() };
    this.#running.set(id, running);
    const heard = this.#recentCancels.get(key);
    if (heard !== undefined && heard.at >= askedAt) {
      running.stoppedBy = heard.by;
      running.controller.abort(new Error(`stopped by ${heard.by}`));
    }
    return running;
  }

  delete(id: string): void {
    this.#running.delete(id);
  }

  /** Stops every job still running, each with a reason of its own (the shutdown's). */
  abortAll(reason: () => unknown): void {
    for (const r of this.#running.values()) if (!r.controller.signal.aborted) r.controller.abort(reason());
  }

  /** A message on the `cancel` channel: `{ key, by }`. */
  onCancel(message: string): void {
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
}
