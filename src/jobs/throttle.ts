export interface ThrottleOptions {
  /** At least this long between two sends; a function is asked each time a send is scheduled. */
  minIntervalMs: number | (() => number);
  now?: () => number;
  /** A send failed; the throttle goes on (live updates are best effort). */
  onError?: (err: unknown) => void;
  /**
   * Asked before each send but the first: true holds the send back (the value kept, newer ones
   * replacing it) and asks again after `deferMs`. For live edits to give way to writes that matter
   * more while the installation's write budget is spent; `final` never waits for it.
   */
  defer?: () => boolean;
  /** Default 1 s. */
  deferMs?: number;
  /**
   * Each send but the first waits at least this long after the update that called for it, so that a
   * burst (an agent's last lines, then its exit) goes out as one, or not at all when what comes next
   * drops it. Default 0.
   */
  gatherMs?: number;
}

/**
 * Sends the latest value at most once per interval and only when it changed; `final` always sends
 * its value (after any send in flight), even when the last throttled one was skipped. GitHub's
 * secondary rate limits answer 403 or 429 with `retry-after`: the throttle then waits that long.
 */
export class Throttle<T> {
  #sent: T | undefined;
  #hasSent = false;
  #pending: T | undefined;
  #hasPending = false;
  #lastAt = Number.NEGATIVE_INFINITY;
  #notBefore = Number.NEGATIVE_INFINITY;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inflight: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #now: () => number;

  constructor(
    private readonly send: (value: T) => Promise<void>,
    private readonly options: ThrottleOptions,
    private readonly same: (a: T, b: T) => boolean = Object.is,
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** How many sends were made: for tests and metrics. */
  sends = 0;
  /** How many times a send was held back by `defer`. */
  deferrals = 0;

  update(value: T): void {
    if (this.#closed) return;
    this.#pending = value;
    this.#hasPending = true;
    this.#schedule();
  }

  /** Forgets the value waiting for its slot, if any: what comes next matters more. */
  dropPending(): void {
    this.#hasPending = false;
  }

  /** Sends `value` now unless it is what was sent last; later updates are ignored. */
  async final(value: T): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#hasPending = false;
    await this.#inflight;
    if (this.#hasSent && this.same(this.#sent as T, value)) return;
    // The last word must land: a rate limit is waited out (twice at most, a minute each) before giving up.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.#sendNow(value);
        return;
      } catch (err) {
        this.#backOff(err);
        const wait = Math.min(this.#notBefore - this.#now(), 60_000);
        if (attempt >= 3 || wait <= 0 || this.#notBefore === Number.NEGATIVE_INFINITY) throw err;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    const interval = typeof this.options.minIntervalMs === 'function' ? this.options.minIntervalMs() : this.options.minIntervalMs;
    const at = Math.max(this.#lastAt + interval, this.#notBefore, this.#hasSent ? this.#now() + (this.options.gatherMs ?? 0) : Number.NEGATIVE_INFINITY);
    const wait = at - this.#now();
    if (wait <= 0) this.#flush();
    else this.#timer = setTimeout(() => this.#flush(), wait);
  }

  #flush(): void {
    this.#timer = undefined;
    if (!this.#hasPending || this.#closed) return;
    const value = this.#pending as T;
    this.#hasPending = false;
    if (this.#hasSent && this.same(this.#sent as T, value)) return;
    if (this.#hasSent && this.options.defer?.() === true) {
      this.deferrals += 1;
      this.#hasPending = true;
      this.#timer = setTimeout(() => this.#flush(), this.options.deferMs ?? 1_000);
      return;
    }
    this.#lastAt = this.#now();
    this.#inflight = this.#inflight
      .then(() => this.#sendNow(value))
      .catch((err: unknown) => {
        this.#backOff(err);
        this.options.onError?.(err);
      })
      .then(() => {
        // What came in while this send was in flight goes out after the interval.
        if (this.#hasPending && !this.#closed) this.#schedule();
      });
  }

  async #sendNow(value: T): Promise<void> {
    this.#lastAt = this.#now();
    this.sends += 1;
    await this.send(value);
    this.#sent = value;
    this.#hasSent = true;
  }

  #backOff(err: unknown): void {
    const e = err as { status?: number; response?: { headers?: Record<string, string | undefined> } };
    if (e.status !== 403 && e.status !== 429) {
      this.#notBefore = Number.NEGATIVE_INFINITY;
      return;
    }
    const seconds = Number(e.response?.headers?.['retry-after']);
    this.#notBefore = this.#now() + (Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000);
  }
}
