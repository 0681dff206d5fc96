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

  /** Whether this person may be answered now; a yes counts as the reply. */
  allow(installationId: number, login: string): boolean {
    const key = `${installationId}\0${login.toLowerCase()}`;
    const t = this.now();
    const last = this.#last.get(key);
    if (last !== undefined && t - last < this.windowMs) return false;
    // Re-inserted, so the map stays in time order: oldest first.
    this.#last.delete(key);
    this.#last.set(key, t);
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
