import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SessionStore } from './session-store.js';

/** Session state as files in one directory on the host: the default, for a single app process. */
export class DirectorySessionStore implements SessionStore {
  readonly name = 'directory';

  constructor(private readonly dir: string) {}

  async save(key: string, data: Uint8Array): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.#file(key);
    // Written aside and renamed, so a reader never sees half a tar.
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, data, { mode: 0o600 });
    await rename(partial, file);
  }

  async load(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.#file(key)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.#file(key), { force: true });
  }

  async close(): Promise<void> {
    // Nothing is held open.
  }

  /** Keys hold `/` and `#`; a hash makes a safe file name whatever the repository is called. */
  #file(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.tar.gz`);
  }
}
