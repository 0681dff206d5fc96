import { jobKey, type Job } from '../job.js';

interface Entry {
  job: Job;
  key: string;
  /** Place in line: smaller goes first. */
  order: number;
}

/**
 * The in-process queue's waiting jobs, indexed so that what one delivery costs does not grow with the
 * line: by delivery id (is it still waiting?), by key (an issue's jobs, oldest first), and a min-heap of
 * each key's oldest job, for the oldest job whose key is free. Heap entries are checked when taken
 * (a key cancelled, running, or whose oldest job changed leaves a stale one behind), so every
 * operation is O(1) or O(log n), and O(k) in the k jobs of one key where it returns them.
 */
export class WaitingJobs {
  readonly #byDelivery = new Map<string, Entry>();
  readonly #byKey = new Map<string, Entry[]>();
  readonly #heads: Entry[] = [];
  #front = 0;
  #back = 0;

  get size(): number {
    return this.#byDelivery.size;
  }

  has(deliveryId: string): boolean {
    return this.#byDelivery.has(deliveryId);
  }

  /** Adds a job at the end of the line and returns its position (1 for the first). */
  push(job: Job): number {
    this.#back += 1;
    this.#add({ job, key: jobKey(job), order: this.#back }, 'back');
    return this.#byDelivery.size;
  }

  /** Puts a job back at the head of the line. */
  unshift(job: Job): void {
    this.#front -= 1;
    this.#add({ job, key: jobKey(job), order: this.#front }, 'front');
  }

  /** One issue's waiting jobs, oldest first. */
  ofKey(key: string): Job[] {
    return (this.#byKey.get(key) ?? []).map((e) => e.job);
  }

  /** Takes out one issue's waiting jobs, oldest first. */
  removeKey(key: string): Job[] {
    const entries = this.#byKey.get(key) ?? [];
    this.#byKey.delete(key);
    for (const e of entries) this.#byDelivery.delete(e.job.deliveryId);
    return entries.map((e) => e.job);
  }

  /** Takes out the oldest job whose key is not running, if any. */
  take(running: (key: string) => boolean): Job | undefined {
    for (;;) {
      const head = this.#popHead();
      if (head === undefined) return undefined;
      const line = this.#byKey.get(head.key);
      // Stale: the key was cancelled or its oldest job changed. A running key comes back through freed().
      if (line?.[0] !== head || running(head.key)) continue;
      line.shift();
      const next = line[0];
      if (next === undefined) this.#byKey.delete(head.key);
      // Its issue's next job, for when the issue is free (at once for a caller that runs nothing).
      else this.#pushHead(next);
      this.#byDelivery.delete(head.job.deliveryId);
      return head.job;
    }
  }

  /** A key's running job ended: its oldest waiting job may go next (it was passed over while the key ran). */
  freed(key: string): void {
    const first = this.#byKey.get(key)?.[0];
    if (first !== undefined) this.#pushHead(first);
  }

  /** Takes out every waiting job, oldest first. */
  clear(): Job[] {
    const all = [...this.#byDelivery.values()].sort((a, b) => a.order - b.order).map((e) => e.job);
    this.#byDelivery.clear();
    this.#byKey.clear();
    this.#heads.length = 0;
    return all;
  }

  #add(entry: Entry, end: 'front' | 'back'): void {
    this.#byDelivery.set(entry.job.deliveryId, entry);
    const line = this.#byKey.get(entry.key);
    if (line === undefined) this.#byKey.set(entry.key, [entry]);
    else if (end === 'back') line.push(entry);
    else line.unshift(entry);
    if (this.#byKey.get(entry.key)?.[0] === entry) this.#pushHead(entry);
  }

  #pushHead(entry: Entry): void {
    const heap = this.#heads;
    heap.push(entry);
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      const [a, b] = [heap[parent], heap[i]];
      if (a === undefined || b === undefined || a.order <= b.order) break;
      heap[parent] = b;
      heap[i] = a;
      i = parent;
    }
  }

  #popHead(): Entry | undefined {
    const heap = this.#heads;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    for (let i = 0; ;) {
      const [l, r] = [2 * i + 1, 2 * i + 2];
      let least = i;
      if ((heap[l]?.order ?? Infinity) < (heap[least]?.order ?? Infinity)) least = l;
      if ((heap[r]?.order ?? Infinity) < (heap[least]?.order ?? Infinity)) least = r;
      if (least === i) break;
      const [a, b] = [heap[i], heap[least]];
      if (a === undefined || b === undefined) break;
      heap[i] = b;
      heap[least] = a;
      i = least;
    }
    return top;
  }
}
