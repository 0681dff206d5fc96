import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file in a local sandbox's directory that names it to other processes (see `killTagged`). */
export const TAG_FILE = 'sandbox.json';

export interface LocalTag {
  id: string;
  metadata?: Record<string, string>;
  /** The process groups of its running commands. */
  pids?: number[];
}

/**
 * Writes a local sandbox's tag file without blocking the event loop (it was written synchronously at
 * every command start): one write at a time, and a change made meanwhile is written after it, so the
 * file ends with the latest state. Once closed it writes nothing more.
 */
export class LocalTagFile {
  #writing: Promise<void> | undefined;
  #dirty = false;
  #closed = false;

  constructor(
    private readonly dir: string,
    private readonly state: () => LocalTag,
  ) {}

  /** Resolves once the file holds the state as of this call (or the writer was closed). */
  save(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#dirty = true;
    this.#writing ??= (async () => {
      while (this.#dirty && !this.#closed) {
        this.#dirty = false;
        // A failure means the sandbox is being removed.
        await writeFile(join(this.dir, TAG_FILE), JSON.stringify(this.state())).catch(() => undefined);
      }
      this.#writing = undefined;
    })();
    return this.#writing;
  }

  /** Writes nothing more; resolves once a write under way is done, so that it cannot put the file back into a directory being removed. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#writing;
  }
}
