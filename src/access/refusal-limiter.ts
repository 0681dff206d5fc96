/**
 * At most one refusal reply per person and installation in a window (10 minutes by default), so
 * someone who may not start work cannot make the app post a comment for every comment of theirs.
 * Bounded: expired entries are dropped first, then the oldest. Per process: several web processes
 * each allow their own reply.
 */
export class RefusalLimiter {
  readonly #last = new Map<string, number>();

  constructor(
    private readonly windowMs = 10 * 60_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether this person got a refusal reply within the window; asks without counting. */
  answeredRecently(installationId: number, login: string): boolean {
    const last = this.#last.get(key(installationId, login));
    return last !== undefined && this.now() - last < this.windowMs;
  }

  /** Whether this person may be answered now; a yes counts as the reply. */
  allow(installationId: number, login: string): boolean {
    const k = key(installationId, login);
    const t = this.now();
    const last = this.#last.get(k);
    if (last !== undefined && t - last < this.windowMs) return false;
    // Re-inserted, so the map stays in time order: oldest first.
    this.#last.delete(k);
    this.#last.set(k, t);
    this.#prune(t);
    return true;
  }

  get size(): number {
    return this.#last.size;
  }

  #prune(t: number): void {
    for (const [key, at] of this.#last) {
      if (t - at < this.windowMs) break;
      this.#last.delete(key);
    }
    while (this.#last.size > this.maxEntries) {
      const oldest = this.#last.keys().next().value;
      if (oldest === undefined) break;
      this.#last.delete(oldest);
    }
  }
}

function key(installationId: number, login: string): string {
  return `${installationId}\0${login.toLowerCase()}`;
}
