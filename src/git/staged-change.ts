import { HostGit } from './host-git.js';

/** One file of the outgoing change, as git itself describes it (`git diff-index --raw --numstat -M`). */
export interface ChangedFile {
  status: 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'type-changed';
  /** The path after the change (the old path for a deletion). */
  path: string;
  /** The path before a rename or copy. */
  oldPath?: string;
  /** Git's file mode after the change: 100644, 100755, 120000 (symlink), 160000 (submodule); 000000 when deleted. */
  mode: string;
  oldMode: string;
  blob: string;
  oldBlob: string;
  added: number;
  removed: number;
  binary: boolean;
  /** Size in bytes of the content after the change (0 when deleted or a submodule). */
  size: number;
}

export const ZERO_MODE = '000000';
export const SYMLINK_MODE = '120000';
export const GITLINK_MODE = '160000';

const STATUS: Record<string, ChangedFile['status']> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', C: 'copied', T: 'type-changed' };

/**
 * The agent's change applied, on the host, to the commit it started from, in a bare repository with a
 * temporary index (no work tree, see HostGit). Everything the app checks about a change (its files,
 * modes, sizes and contents) is read from here, so what is checked is what would be committed.
 */
export class StagedChange {
  private constructor(
    readonly git: HostGit,
    readonly baseSha: string,
    readonly patch: Uint8Array,
    readonly tree: string,
    readonly files: ChangedFile[],
  ) {}

  /**
   * Fetches the starting commit alone (with a token that may read), applies the patch to it in an index
   * and writes the tree. Throws when the patch does not apply to its own starting commit.
   */
  static async stage(o: { remoteUrl: string; auth: Record<string, string>; baseSha: string; patch: Uint8Array; workDir: string }): Promise<StagedChange> {
    const git = await HostGit.create(o.workDir);
    try {
      await git.run(['fetch', '--quiet', '--depth=1', '--no-tags', '--', o.remoteUrl, o.baseSha], { auth: o.auth });
      const index = git.indexFile('staged');
      await git.run(['read-tree', o.baseSha], { index });
      await git.run(['apply', '--cached', '--whitespace=nowarn', '-'], { index, input: o.patch });
      const tree = (await git.run(['write-tree'], { index })).trim();
      const files = await describe(git, o.baseSha, tree);
      return new StagedChange(git, o.baseSha, o.patch, tree, files);
    } catch (err) {
      await git.dispose();
      throw err;
    }
  }

  /** Every path the change touches, both sides of a rename or copy. */
  paths(): string[] {
    const all = new Set<string>();
    for (const f of this.files) {
      all.add(f.path);
      if (f.oldPath !== undefined) all.add(f.oldPath);
    }
    return [...all];
  }

  /** The contents of blobs of this repository, by id. */
  blobs(ids: readonly string[]): Promise<Map<string, Buffer>> {
    return readBlobs(this.git, ids);
  }

  async dispose(): Promise<void> {
    await this.git.dispose();
  }
}

/** The contents of blobs of a repository on the host, by id; a missing one is an error. */
export async function readBlobs(git: HostGit, ids: readonly string[]): Promise<Map<string, Buffer>> {
  const unique = [...new Set(ids)].filter((id) => !/^0+$/.test(id));
  const out = new Map<string, Buffer>();
  if (unique.length === 0) return out;
  const raw = await git.runRaw(['cat-file', '--batch'], { input: `${unique.join('\n')}\n` });
  let at = 0;
  while (at < raw.length) {
    const eol = raw.indexOf(10, at);
    const [id, type, size] = raw.subarray(at, eol).toString('utf8').split(' ');
    if (type === 'missing' || id === undefined || size === undefined) throw new Error(`blob ${id ?? '?'} is missing`);
    const n = Number(size);
    out.set(id, raw.subarray(eol + 1, eol + 1 + n));
    at = eol + 1 + n + 1;
  }
  return out;
}

/** git's own description of the difference between the base commit and the staged tree (or any two tree-ishes). */
export async function describe(git: HostGit, base: string, tree: string): Promise<ChangedFile[]> {
  const raw = (await git.run(['diff-tree', '-r', '-z', '-M', '--raw', '--no-abbrev', base, tree])).split('\0');
  const files: ChangedFile[] = [];
  for (let i = 0; i < raw.length - 1;) {
    const head = raw[i++] ?? '';
    const m = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([AMDRCTUX])\d*$/.exec(head);
    if (!m) throw new Error(`unexpected output of git diff-tree: ${JSON.stringify(head.slice(0, 80))}`);
    const [, oldMode = '', mode = '', oldBlob = '', blob = '', letter = ''] = m;
    const status = STATUS[letter];
    if (status === undefined) throw new Error(`unexpected change status ${letter}`);
    const first = raw[i++] ?? '';
    const second = status === 'renamed' || status === 'copied' ? (raw[i++] ?? '') : undefined;
    files.push({
      status,
      path: second ?? first,
      ...(second !== undefined ? { oldPath: first } : {}),
      mode,
      oldMode,
      blob,
      oldBlob,
      added: 0,
      removed: 0,
      binary: false,
      size: 0,
    });
  }
  const byPath = new Map(files.map((f) => [f.path, f]));
  const numstat = (await git.run(['diff-tree', '-r', '-z', '-M', '--numstat', base, tree])).split('\0');
  for (let i = 0; i < numstat.length - 1;) {
    const [added = '', removed = '', path = ''] = (numstat[i++] ?? '').split('\t');
    // A rename's numstat names its paths in the next two fields.
    const newPath = path === '' ? (i++, numstat[i++] ?? '') : path;
    const f = byPath.get(newPath);
    if (f === undefined) continue;
    f.binary = added === '-';
    f.added = f.binary ? 0 : Number(added);
    f.removed = f.binary ? 0 : Number(removed);
  }
  const sized = files.filter((f) => f.mode !== ZERO_MODE && f.mode !== GITLINK_MODE);
  if (sized.length > 0) {
    const check = (await git.run(['cat-file', '--batch-check'], { input: `${sized.map((f) => f.blob).join('\n')}\n` })).split('\n');
    sized.forEach((f, k) => {
      f.size = Number((check[k] ?? '').split(' ')[2] ?? 0);
    });
  }
  return files;
}
