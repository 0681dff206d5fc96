import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';

export interface GitDataAnswer {
  status: number;
  body?: unknown;
}

/** A call the Git Data routes answered, for assertions. */
export interface GitDataCall {
  method: string;
  path: string;
  body: unknown;
  status: number;
}

/** The identity GitHub gives a commit an app creates through the API with no author or committer. */
export const APP_BOT = { name: 'issuesmith[bot]', email: '4242+issuesmith[bot]@users.noreply.127.0.0.1' };

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

/** One entry of a tree object. Names are kept as latin1 strings, one char a byte: git's names are bytes, and this keeps their order. */
export interface TreeItem {
  mode: string;
  name: string;
  sha: string;
}

/** A file of a new tree, as GitHub's POST /git/trees takes it. `sha: null` deletes the path. */
export interface TreeInput {
  path: string;
  mode: string;
  type?: string;
  sha?: string | null;
  content?: string;
}

export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const SHA = /^[0-9a-f]{40}$/;
const GIT_ENV = { PATH: process.env.PATH ?? '', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

const bytes = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
const text = (latin1: string): string => Buffer.from(latin1, 'latin1').toString('utf8');

/** What the request gave failed GitHub's checks: the route answers 422 with this message. */
class Refused extends Error {}

/**
 * One bare repository's object database and refs, read and written in this process the way git does:
 * loose objects (zlib of `"<type> <size>\0<content>"` at objects/xx/yyy…) and packs (idx v2, deltas)
 * are read directly, new objects are written loose; an object found in neither (an alternate, an
 * unknown pack format) is asked of `git cat-file`. Refs are read from loose files and packed-refs and
 * moved as `git update-ref` moves them with the old value: under the ref's lock file, checked again inside it.
 */
export class GitRepo {
  readonly #packs = new Map<string, Pack>();

  constructor(readonly gitDir: string) {}

  // ---- objects

  /** Writes an object (if git has it already, nothing) and returns its id. */
  write(type: ObjectType, content: Buffer): string {
    const header = Buffer.from(`${type} ${content.byteLength}\0`);
    const sha = createHash('sha1').update(header).update(content).digest('hex');
    if (this.#stored(sha)) return sha;
    const dir = join(this.gitDir, 'objects', sha.slice(0, 2));
    mkdirSync(dir, { recursive: true });
    // As git does: a temporary file beside the object, linked into place (atomic, and a racing writer's copy is the same bytes), read-only.
    const tmp = join(dir, `tmp_obj_${randomBytes(6).toString('hex')}`);
    writeFileSync(tmp, deflateSync(Buffer.concat([header, content]), { level: 1 }), { mode: 0o444 });
    try {
      linkSync(tmp, join(dir, sha.slice(2)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
    return sha;
  }

  /** An object, or undefined when the repository does not have it. */
  read(sha: string): { type: ObjectType; content: Buffer } | undefined {
    if (!SHA.test(sha)) return undefined;
    // Nothing is cached but packs' bytes: a test may repack or prune, and what is gone must read as gone.
    return this.#loose(sha) ?? this.#packed(sha) ?? this.#askGit(sha);
  }

  typeOf(sha: string): ObjectType | undefined {
    return this.read(sha)?.type;
  }

  /** The entries of a tree object, or undefined when `sha` is not a tree. */
  tree(sha: string): TreeItem[] | undefined {
    const o = this.read(sha);
    if (o?.type !== 'tree') return undefined;
    const items: TreeItem[] = [];
    const c = o.content;
    for (let i = 0; i < c.length;) {
      const space = c.indexOf(0x20, i);
      const nul = c.indexOf(0, space);
      items.push({ mode: c.toString('latin1', i, space), name: c.toString('latin1', space + 1, nul), sha: c.toString('hex', nul + 1, nul + 21) });
      i = nul + 21;
    }
    return items;
  }

  /** A commit's tree and parents, or undefined when `sha` is not a commit. */
  commit(sha: string): { tree: string; parents: string[]; message: string; headers: string } | undefined {
    const o = this.read(sha);
    if (o?.type !== 'commit') return undefined;
    const t = o.content.toString('utf8');
    const split = t.indexOf('\n\n');
    const headers = split === -1 ? t : t.slice(0, split);
    return {
      tree: /^tree ([0-9a-f]{40})$/m.exec(headers)?.[1] ?? '',
      parents: [...headers.matchAll(/^parent ([0-9a-f]{40})$/gm)].map((p) => p[1] ?? ''),
      message: split === -1 ? '' : t.slice(split + 2),
      headers,
    };
  }

  /** The tree a commit or tree id names (git's `<sha>^{tree}`), following tags. */
  peelToTree(sha: string): string | undefined {
    for (let id = sha, depth = 0; depth < 10; depth++) {
      const type = this.typeOf(id);
      if (type === 'tree') return id;
      if (type === 'commit') return this.commit(id)?.tree;
      if (type !== 'tag') return undefined;
      id = /^object ([0-9a-f]{40})$/m.exec(this.read(id)?.content.toString('utf8') ?? '')?.[1] ?? '';
    }
    return undefined;
  }

  /** Whether `ancestor` is `sha` or reachable from it through parents (git's `merge-base --is-ancestor`). */
  isAncestor(ancestor: string, sha: string): boolean {
    if (this.typeOf(ancestor) !== 'commit' || this.typeOf(sha) !== 'commit') return false;
    const seen = new Set<string>([sha]);
    for (const queue = [sha]; queue.length > 0;) {
      const id = queue.pop() ?? '';
      if (id === ancestor) return true;
      for (const p of this.commit(id)?.parents ?? []) {
        if (seen.has(p)) continue;
        seen.add(p);
        queue.push(p);
      }
    }
    return false;
  }

  #stored(sha: string): boolean {
    return existsSync(this.#loosePath(sha)) || this.#packed(sha, true) !== undefined;
  }

  #loosePath(sha: string): string {
    return join(this.gitDir, 'objects', sha.slice(0, 2), sha.slice(2));
  }

  #loose(sha: string): { type: ObjectType; content: Buffer } | undefined {
    let raw: Buffer;
    try {
      raw = inflateSync(readFileSync(this.#loosePath(sha)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const nul = raw.indexOf(0);
    const [type = '', size = ''] = raw.toString('latin1', 0, nul).split(' ');
    const content = raw.subarray(nul + 1);
    if (content.byteLength !== Number(size)) throw new Error(`loose object ${sha} is ${content.byteLength} bytes, its header says ${size}`);
    return { type: type as ObjectType, content };
  }

  /** Looks in the packs known, then in any pack pushed since; `probe` only says whether it is there. */
  #packed(sha: string, probe = false): { type: ObjectType; content: Buffer } | undefined {
    const id = Buffer.from(sha, 'hex');
    for (const rescan of [false, true]) {
      if (rescan) this.#scanPacks();
      for (const [name, pack] of this.#packs) {
        const offset = pack.find(id);
        if (offset === undefined) continue;
        // A pack a repack deleted no longer holds anything.
        if (!pack.onDisk()) {
          this.#packs.delete(name);
          continue;
        }
        if (probe) return { type: 'blob', content: Buffer.alloc(0) };
        return pack.read(offset, (base) => this.read(base));
      }
    }
    return undefined;
  }

  #scanPacks(): void {
    const dir = join(this.gitDir, 'objects', 'pack');
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.endsWith('.idx') || this.#packs.has(name) || !existsSync(join(dir, name.replace(/\.idx$/, '.pack')))) continue;
      const pack = Pack.open(join(dir, name));
      if (pack) this.#packs.set(name, pack);
    }
  }

  /** The last resort, for what this reader does not know how to find: git itself. */
  #askGit(sha: string): { type: ObjectType; content: Buffer } | undefined {
    let out: Buffer;
    try {
      out = execFileSync('git', ['--git-dir', this.gitDir, 'cat-file', '--batch'], { input: `${sha}\n`, env: GIT_ENV, maxBuffer: 1024 * 1024 * 1024, stdio: 'pipe' });
    } catch {
      return undefined;
    }
    const eol = out.indexOf(0x0a);
    const [, type, size] = out.toString('latin1', 0, eol).split(' ');
    if (type === undefined || size === undefined || type === 'missing') return undefined;
    return { type: type as ObjectType, content: out.subarray(eol + 1, eol + 1 + Number(size)) };
  }

  // ---- refs

  /** The object a ref names (loose file, or packed-refs), following symbolic refs; undefined when there is no such ref. */
  ref(name: string): string | undefined {
    for (let ref = name, depth = 0; depth < 5; depth++) {
      let value: string | undefined;
      try {
        if (statSync(join(this.gitDir, ref)).isFile()) value = readFileSync(join(this.gitDir, ref), 'utf8').trim();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
      }
      value ??= this.#packedRefs().get(ref);
      if (value === undefined) return undefined;
      if (!value.startsWith('ref: ')) return SHA.test(value) ? value : undefined;
      ref = value.slice('ref: '.length);
    }
    return undefined;
  }

  /** Refs under `prefix` (e.g. `refs/heads/`) with what they name, in git's order (bytewise by name), as `git for-each-ref` lists them. */
  refs(prefix: string): Array<{ ref: string; sha: string }> {
    const names = new Set([...this.#packedRefs().keys()].filter((r) => r.startsWith(prefix)));
    const walk = (rel: string): void => {
      let entries;
      try {
        entries = readdirSync(join(this.gitDir, rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const ref = `${rel}/${e.name}`;
        if (e.isDirectory()) walk(ref);
        else if (e.isFile() && isRefName(ref)) names.add(ref);
      }
    };
    walk(prefix.replace(/\/[^/]*$/, ''));
    const out: Array<{ ref: string; sha: string }> = [];
    for (const ref of names) {
      const sha = ref.startsWith(prefix) ? this.ref(ref) : undefined;
      if (sha !== undefined) out.push({ ref, sha });
    }
    return out.sort((a, b) => Buffer.compare(Buffer.from(a.ref), Buffer.from(b.ref)));
  }

  /**
   * Moves `ref` to `sha` only if it still names `old` (`''`: only if it does not exist), as `git update-ref`
   * does it, without a process: under the ref's lock file (`<ref>.lock`, made exclusively, renamed into
   * place); false for a missing object, a branch pointed at something other than a commit, a lock held,
   * and a name that clashes with another ref as a file and a directory.
   */
  updateRef(ref: string, sha: string, old: string): boolean {
    if (!isRefName(ref) || !SHA.test(sha)) return false;
    const object = this.read(sha);
    if (object === undefined || (ref.startsWith('refs/heads/') && object.type !== 'commit')) return false;
    const packed = this.#packedRefs();
    for (const other of packed.keys()) if (other !== ref && (other.startsWith(`${ref}/`) || ref.startsWith(`${other}/`))) return false;
    const file = join(this.gitDir, ref);
    const lock = `${file}.lock`;
    let fd: number | undefined;
    try {
      mkdirSync(dirname(file), { recursive: true });
      fd = openSync(lock, 'wx');
    } catch {
      return false;
    }
    let moved = false;
    try {
      let current: string | undefined;
      try {
        current = readFileSync(file, 'utf8').trim();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return false;
      }
      current ??= packed.get(ref);
      if (old === '' ? current !== undefined : current !== old) return false;
      writeSync(fd, `${sha}\n`);
      closeSync(fd);
      fd = undefined;
      renameSync(lock, file);
      moved = true;
      return true;
    } catch {
      return false;
    } finally {
      if (fd !== undefined) closeSync(fd);
      if (!moved) rmSync(lock, { force: true });
    }
  }

  #packedRefs(): Map<string, string> {
    const refs = new Map<string, string>();
    let t: string;
    try {
      t = readFileSync(join(this.gitDir, 'packed-refs'), 'utf8');
    } catch {
      return refs;
    }
    for (const line of t.split('\n')) {
      const m = /^([0-9a-f]{40}) (.+)$/.exec(line);
      if (m?.[1] !== undefined && m[2] !== undefined) refs.set(m[2], m[1]);
    }
    return refs;
  }

  // ---- what the API builds

  /**
   * GitHub's POST /git/trees: `base` (a tree, or nothing) with `entries` put in, the way git's index
   * does it (read-tree, then update-index, then write-tree): deletions first, so a path can turn from
   * a file into a directory in one tree; a file replaces a directory in its way and the reverse;
   * directories emptied disappear; directories not touched keep their ids.
   */
  buildTree(base: string | undefined, entries: readonly TreeInput[]): string {
    const root = new Dir(this, base);
    const ordered = [...entries.filter((e) => e.sha === null), ...entries.filter((e) => e.sha !== null)];
    const planned: Array<{ parts: string[]; item: { mode: string; sha: string } | null }> = [];
    for (const e of ordered) {
      const parts = bytes(String(e.path)).split('/');
      if (parts.some((p) => !isPathComponent(p))) throw new Refused(`tree.path ${JSON.stringify(e.path)} contains a malformed path component`);
      const type = e.type ?? TYPE_OF_MODE[e.mode];
      if (TYPE_OF_MODE[e.mode] === undefined || type !== TYPE_OF_MODE[e.mode]) throw new Refused(`tree.mode ${e.mode} / type ${e.type} not supported here`);
      if (e.sha === null) {
        planned.push({ parts, item: null });
        continue;
      }
      let sha = e.sha;
      if (sha === undefined) {
        if (typeof e.content !== 'string' || type !== 'blob') throw new Refused('Must supply either tree.sha or tree.content');
        sha = this.write('blob', Buffer.from(e.content, 'utf8'));
      }
      // A submodule's commit lives in another repository; anything else must be here, of the right type.
      if (type !== 'commit' && (!SHA.test(sha) || this.typeOf(sha) !== type)) throw new Refused(`tree.sha ${sha} is not a valid ${type}`);
      if (type === 'commit' && !SHA.test(sha)) throw new Refused(`tree.sha ${sha} is not a valid commit`);
      planned.push({ parts, item: { mode: e.mode === '040000' ? '40000' : e.mode, sha } });
    }
    for (const { parts, item } of planned) root.put(parts, item);
    return root.write() ?? this.write('tree', Buffer.alloc(0));
  }

  /** A commit as `git commit-tree` writes it: the time is now, in this process's time zone. */
  buildCommit(o: { tree: string; parents: readonly string[]; message: string; author: Ident; committer: Ident }): string {
    if (this.typeOf(o.tree) !== 'tree') throw new Refused('Tree SHA does not exist');
    for (const p of o.parents) if (this.typeOf(p) !== 'commit') throw new Refused('Parent SHA does not exist or is not a commit object');
    if (o.message.includes('\0')) throw new Refused('a NUL byte in a commit message is not allowed');
    const when = gitDate(new Date());
    const lines = [`tree ${o.tree}`, ...o.parents.map((p) => `parent ${p}`), `author ${ident(o.author)} ${when}`, `committer ${ident(o.committer)} ${when}`];
    return this.write('commit', Buffer.from(`${lines.join('\n')}\n\n${o.message}`, 'utf8'));
  }

  /** The paths that differ between two trees, every file listed (git's `diff-tree -r --name-only`), in git's order. */
  changedPaths(from: string, to: string): string[] {
    const out: string[] = [];
    const all = (sha: string, prefix: string): void => {
      for (const e of this.tree(sha) ?? []) {
        if (e.mode === '40000') all(e.sha, `${prefix}${e.name}/`);
        else out.push(text(prefix + e.name));
      }
    };
    const diff = (a: string | undefined, b: string | undefined, prefix: string): void => {
      const left = a === undefined ? [] : (this.tree(a) ?? []);
      const right = b === undefined ? [] : (this.tree(b) ?? []);
      let i = 0;
      let j = 0;
      while (i < left.length || j < right.length) {
        const l = left[i];
        const r = right[j];
        const c = l === undefined ? 1 : r === undefined ? -1 : compareKeys(sortKey(l), sortKey(r));
        if (c < 0 && l) {
          if (l.mode === '40000') all(l.sha, `${prefix}${l.name}/`);
          else out.push(text(prefix + l.name));
          i++;
        } else if (c > 0 && r) {
          if (r.mode === '40000') all(r.sha, `${prefix}${r.name}/`);
          else out.push(text(prefix + r.name));
          j++;
        } else if (l && r) {
          if (l.mode === '40000') {
            if (l.sha !== r.sha) diff(l.sha, r.sha, `${prefix}${l.name}/`);
          } else if (l.sha !== r.sha || l.mode !== r.mode) out.push(text(prefix + l.name));
          i++;
          j++;
        }
      }
    };
    diff(from, to, '');
    return out;
  }

  /** The entry at `path` in a tree (git's `ls-tree <tree> -- <path>` for an exact path), or undefined. */
  entryAt(tree: string, path: string): TreeItem | undefined {
    const parts = bytes(path).split('/');
    if (parts.some((p) => p === '')) return undefined;
    let at: TreeItem = { mode: '40000', name: '', sha: tree };
    for (const part of parts) {
      if (at.mode !== '40000') return undefined;
      const next = this.tree(at.sha)?.find((e) => e.name === part);
      if (next === undefined) return undefined;
      at = next;
    }
    return at;
  }
}

export interface Ident {
  name: string;
  email: string;
}

const TYPE_OF_MODE: Record<string, string> = { '100644': 'blob', '100755': 'blob', '120000': 'blob', '160000': 'commit', '040000': 'tree' };

/** Git's order of tree entries: by name bytes, a directory's name as if it ended in `/`. */
function sortKey(e: { mode: string; name: string }): string {
  return e.mode === '40000' ? `${e.name}/` : e.name;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What git's index accepts as one component of a path (verify_path): no empty, `.`, `..` or `.git` (nor an NTFS alias of it). */
function isPathComponent(p: string): boolean {
  if (p === '' || p === '.' || p === '..' || p.includes('\0')) return false;
  const folded = p.toLowerCase().replace(/[. ]+$/, '');
  return folded !== '.git' && folded !== 'git~1';
}

/** Modes as git's index writes them back (canon_mode): a file is 100644 or 100755 whatever its other bits. */
function canonicalMode(mode: string): string {
  const m = parseInt(mode, 8);
  const kind = m & 0o170000;
  if (kind === 0o100000) return m & 0o100 ? '100755' : '100644';
  if (kind === 0o120000) return '120000';
  if (kind === 0o040000) return '40000';
  return '160000';
}

/** A directory of a tree being built: read from its tree when first needed, written again only if something under it was touched. */
class Dir {
  #items: Map<string, { mode: string; sha: string } | Dir> | undefined;
  touched = false;

  constructor(
    private readonly repo: GitRepo,
    private readonly base: string | undefined,
  ) {}

  get items(): Map<string, { mode: string; sha: string } | Dir> {
    if (this.#items === undefined) {
      this.#items = new Map();
      if (this.base !== undefined) for (const e of this.repo.tree(this.base) ?? []) this.#items.set(e.name, { mode: e.mode, sha: e.sha });
    }
    return this.#items;
  }

  /** Puts `item` at `parts` (null: removes the file there; a directory there is left alone, as git's index has no entry of that name). */
  put(parts: readonly string[], item: { mode: string; sha: string } | null): void {
    this.touched = true;
    const [name = '', ...rest] = parts;
    const current = this.items.get(name);
    if (rest.length === 0) {
      if (item !== null) this.items.set(name, item);
      else if (current !== undefined && !(current instanceof Dir) && current.mode !== '40000') this.items.delete(name);
      return;
    }
    let dir: Dir;
    if (current instanceof Dir) dir = current;
    else if (current !== undefined && current.mode === '40000') dir = new Dir(this.repo, current.sha);
    else if (item === null) return;
    // A file (or submodule) in the way of a new path becomes a directory.
    else dir = new Dir(this.repo, undefined);
    this.items.set(name, dir);
    dir.put(rest, item);
  }

  /** Writes this directory's tree; undefined when it holds nothing (git's index cannot hold an empty directory). */
  write(): string | undefined {
    if (!this.touched && this.base !== undefined) return this.base;
    const entries: TreeItem[] = [];
    for (const [name, it] of this.items) {
      const sha = it instanceof Dir ? it.write() : it.sha;
      const mode = it instanceof Dir ? '40000' : canonicalMode(it.mode);
      if (sha === undefined || (mode === '40000' && sha === EMPTY_TREE)) continue;
      entries.push({ mode, name, sha });
    }
    if (entries.length === 0) return undefined;
    entries.sort((a, b) => compareKeys(sortKey(a), sortKey(b)));
    return this.repo.write('tree', Buffer.concat(entries.flatMap((e) => [Buffer.from(`${e.mode} ${e.name}\0`, 'latin1'), Buffer.from(e.sha, 'hex')])));
  }
}

/** Git's rule for a name on an identity line (ident.c): leading and trailing "crud" dropped, and `<`, `>` and newlines anywhere. */
function withoutCrud(s: string): string {
  const crud = (c: string): boolean => c <= ' ' || '.,:;<>"\\\''.includes(c);
  let start = 0;
  let end = s.length;
  while (start < end && crud(s[start] ?? '')) start++;
  while (end > start && crud(s[end - 1] ?? '')) end--;
  return s.slice(start, end).replace(/[\n<>]/g, '');
}

function ident(i: Ident): string {
  if (i.name.includes('\0') || i.email.includes('\0')) throw new Refused('Invalid request: a NUL byte in an identity');
  const name = withoutCrud(i.name);
  if (name === '') throw new Refused(`Invalid request: empty ident name (for <${i.email}>) not allowed`);
  return `${name} <${withoutCrud(i.email)}>`;
}

/** `<seconds> <+hhmm>` in this process's time zone, as git writes a date it takes from the clock. */
function gitDate(d: Date): string {
  const offset = -d.getTimezoneOffset();
  const abs = Math.abs(offset);
  return `${Math.floor(d.getTime() / 1000)} ${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/** Git's check-ref-format for a full ref name (one with a slash), so the API refuses what git would. */
export function isRefName(ref: string): boolean {
  if (ref === '@' || ref.endsWith('/') || ref.endsWith('.') || ref.includes('..') || ref.includes('@{') || ref.includes('//')) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref) || !ref.includes('/')) return false;
  return ref.split('/').every((c) => c !== '' && !c.startsWith('.') && !c.endsWith('.lock'));
}

/** A pack (idx version 2 and its .pack), read whole the first time an object in it is wanted. */
class Pack {
  #pack: Buffer | undefined;

  private constructor(
    private readonly packPath: string,
    private readonly idx: Buffer,
    private readonly count: number,
  ) {}

  static open(idxPath: string): Pack | undefined {
    const idx = readFileSync(idxPath);
    // Version 1 indexes (no magic) are left to git.
    if (idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) return undefined;
    return new Pack(idxPath.replace(/\.idx$/, '.pack'), idx, idx.readUInt32BE(8 + 255 * 4));
  }

  onDisk(): boolean {
    return existsSync(this.packPath);
  }

  /** The object's offset in the pack, by binary search of the idx's sorted ids. */
  find(id: Buffer): number | undefined {
    const fan = (b: number): number => (b < 0 ? 0 : this.idx.readUInt32BE(8 + b * 4));
    let lo = fan((id[0] ?? 0) - 1);
    let hi = fan(id[0] ?? 0);
    const ids = 8 + 256 * 4;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = Buffer.compare(this.idx.subarray(ids + mid * 20, ids + mid * 20 + 20), id);
      if (c === 0) {
        const offsets = ids + this.count * 24;
        const small = this.idx.readUInt32BE(offsets + mid * 4);
        if ((small & 0x80000000) === 0) return small;
        return Number(this.idx.readBigUInt64BE(offsets + this.count * 4 + (small & 0x7fffffff) * 8));
      }
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return undefined;
  }

  read(offset: number, byId: (sha: string) => { type: ObjectType; content: Buffer } | undefined): { type: ObjectType; content: Buffer } {
    // A pack's name is its checksum: its bytes never change, so they are read once.
    this.#pack ??= readFileSync(this.packPath);
    const pack = this.#pack;
    let pos = offset;
    let c = pack[pos++] ?? 0;
    const kind = (c >> 4) & 7;
    let size = c & 15;
    for (let shift = 4; c & 0x80; shift += 7) {
      c = pack[pos++] ?? 0;
      size += (c & 0x7f) * 2 ** shift;
    }
    const inflate = (at: number): Buffer => inflateSync(pack.subarray(at));
    const TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
    const plain = TYPES[kind];
    if (plain !== undefined) return { type: plain, content: inflate(pos).subarray(0, size) };
    let base: { type: ObjectType; content: Buffer } | undefined;
    if (kind === 6) {
      c = pack[pos++] ?? 0;
      let back = c & 0x7f;
      while (c & 0x80) {
        c = pack[pos++] ?? 0;
        back = (back + 1) * 128 + (c & 0x7f);
      }
      base = this.read(offset - back, byId);
    } else if (kind === 7) {
      base = byId(pack.toString('hex', pos, pos + 20));
      pos += 20;
    }
    if (base === undefined) throw new Error(`pack ${this.packPath}: object at ${offset} has kind ${kind} or a missing base`);
    return { type: base.type, content: applyDelta(base.content, inflate(pos).subarray(0, size)) };
  }
}

/** Git's delta format: the sizes, then copies from the base and inserted bytes. */
function applyDelta(base: Buffer, delta: Buffer): Buffer {
  let pos = 0;
  const varint = (): number => {
    let n = 0;
    let c;
    let shift = 0;
    do {
      c = delta[pos++] ?? 0;
      n += (c & 0x7f) * 2 ** shift;
      shift += 7;
    } while (c & 0x80);
    return n;
  };
  if (varint() !== base.byteLength) throw new Error('delta base size mismatch');
  const out = Buffer.alloc(varint());
  let at = 0;
  while (pos < delta.length) {
    const op = delta[pos++] ?? 0;
    if (op & 0x80) {
      let off = 0;
      let len = 0;
      for (let i = 0; i < 4; i++) if (op & (1 << i)) off += (delta[pos++] ?? 0) * 2 ** (8 * i);
      for (let i = 0; i < 3; i++) if (op & (1 << (4 + i))) len += (delta[pos++] ?? 0) * 2 ** (8 * i);
      if (len === 0) len = 0x10000;
      at += base.copy(out, at, off, off + len);
    } else if (op > 0) {
      at += delta.copy(out, at, pos, pos + op);
      pos += op;
    } else throw new Error('delta opcode 0');
  }
  if (at !== out.byteLength) throw new Error('delta result size mismatch');
  return out;
}

/**
 * GitHub's Git Data API (blobs, trees, commits, refs) and the reads around it (compare, contents),
 * answered on a real bare repository that git reads, clones and fscks afterwards: objects are written
 * and read in this process as git stores them (see GitRepo), trees built as git's index builds them,
 * and refs moved with the old value as `git update-ref` does (a fast-forward check unless forced), the one
 * process a commit costs. `level` is what the request's token may do.
 */
export class GitDataBackend {
  readonly calls: GitDataCall[] = [];
  /** GitHub lists a tree of over 100,000 entries only in part (`truncated: true`): a test turns that on. */
  truncateTrees = false;
  /** Runs before a route answers (a test moves a branch here to stage a race); `undefined` lets it through. */
  before?: (method: string, path: string, body: unknown) => GitDataAnswer | undefined;
  readonly #repos = new Map<string, GitRepo>();

  constructor(readonly bareOf: (owner: string, repo: string) => string) {}

  /** The repository at a bare path (one reader per repository, so its packs are read once). */
  repo(bare: string): GitRepo {
    let r = this.#repos.get(bare);
    if (r === undefined) this.#repos.set(bare, (r = new GitRepo(bare)));
    return r;
  }

  /** Answers a request under /repos/{owner}/{repo}/, or undefined when it is not one of these routes. */
  handle(method: string, fullPath: string, query: URLSearchParams, body: unknown, level: 'read' | 'write' | undefined): GitDataAnswer | undefined {
    const m = /^\/repos\/([^/]+)\/([^/]+)(\/(?:git\/.*|compare\/.*|contents\/.*))$/.exec(fullPath);
    if (!m) return undefined;
    const owner = decodeURIComponent(m[1] ?? '');
    const repo = decodeURIComponent(m[2] ?? '');
    // Octokit encodes a ref's or a file's slashes in the URL; GitHub takes either.
    const path = decodeURIComponent(m[3] ?? '');
    // The settings file has routes of its own in the fakes.
    if (/^\/contents\/\.github(%2F|\/)issuesmith\.yml$/i.test(path)) return undefined;
    let answer = this.before?.(method, path, body);
    if (answer === undefined) {
      try {
        const bare = this.bareOf(owner, repo);
        // A repository that is not there is GitHub's 404, whatever the route.
        answer = existsSync(bare) ? this.#route(this.repo(bare), method, path, query, body, level) : { status: 404, body: { message: 'Not Found' } };
      } catch (err) {
        if (!(err instanceof Refused)) throw err;
        answer = { status: 422, body: { message: err.message } };
      }
    }
    if (answer !== undefined) this.calls.push({ method, path, body, status: answer.status });
    return answer;
  }

  /** The write calls answered (blobs, trees, commits, refs). */
  writes(): GitDataCall[] {
    return this.calls.filter((c) => c.method !== 'GET');
  }

  #route(git: GitRepo, method: string, path: string, query: URLSearchParams, body: unknown, level: 'read' | 'write' | undefined): GitDataAnswer | undefined {
    const b = (body ?? {}) as Record<string, unknown>;
    if (method !== 'GET' && level !== 'write') return { status: 403, body: { message: 'Resource not accessible by integration' } };
    if (level === undefined) return { status: 401, body: { message: 'Bad credentials' } };
    const notFound = { status: 404, body: { message: 'Not Found' } };
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/git/blobs') {
      if (b.encoding !== 'base64' || typeof b.content !== 'string') return { status: 422, body: { message: 'Invalid request' } };
      const sha = git.write('blob', Buffer.from(b.content, 'base64'));
      return { status: 201, body: { sha, url: `blobs/${sha}` } };
    }
    if (method === 'GET' && (m = /^\/git\/blobs\/([0-9a-f]{40})$/.exec(path))) {
      const blob = git.read(m[1] ?? '');
      if (blob?.type !== 'blob') return notFound;
      return { status: 200, body: { sha: m[1], size: blob.content.byteLength, encoding: 'base64', content: blob.content.toString('base64') } };
    }
    if (method === 'GET' && (m = /^\/git\/commits\/([0-9a-f]{40})$/.exec(path))) {
      const commit = git.commit(m[1] ?? '');
      if (commit === undefined) return notFound;
      return { status: 200, body: { sha: m[1], tree: { sha: commit.tree }, parents: commit.parents.map((sha) => ({ sha })), message: commit.message } };
    }
    if (method === 'POST' && path === '/git/trees') {
      let base: string | undefined;
      if (b.base_tree !== undefined) {
        base = typeof b.base_tree === 'string' && SHA.test(b.base_tree) ? git.peelToTree(b.base_tree) : undefined;
        if (base === undefined) return { status: 422, body: { message: 'base_tree is not a valid tree oid' } };
      }
      if (!Array.isArray(b.tree)) return { status: 422, body: { message: 'Invalid request: tree is not an array' } };
      return { status: 201, body: { sha: git.buildTree(base, b.tree as TreeInput[]) } };
    }
    if (method === 'GET' && (m = /^\/git\/trees\/([0-9a-f]{40})$/.exec(path))) {
      const recursive = query.get('recursive') !== null;
      const tree: Array<{ path: string; mode: string; type: string; sha: string }> = [];
      const walk = (sha: string, prefix: string): boolean => {
        const items = git.tree(sha);
        if (items === undefined) return false;
        for (const e of items) {
          // Names are kept as bytes (latin1) inside the reader; GitHub gives paths in UTF-8.
          const name = prefix + Buffer.from(e.name, 'latin1').toString('utf8');
          const type = e.mode === '40000' ? 'tree' : e.mode === '160000' ? 'commit' : 'blob';
          tree.push({ path: name, mode: e.mode === '40000' ? '040000' : e.mode, type, sha: e.sha });
          if (recursive && type === 'tree') walk(e.sha, `${name}/`);
        }
        return true;
      };
      if (!walk(m[1] ?? '', '')) return notFound;
      return { status: 200, body: { sha: m[1], tree, truncated: this.truncateTrees } };
    }
    if (method === 'POST' && path === '/git/commits') {
      const parents = (b.parents ?? []) as string[];
      // GitHub signs a commit an app makes only when it names no author, committer or signature: the app's bot is both.
      const author = (b.author as Ident | undefined) ?? APP_BOT;
      const committer = (b.committer as Ident | undefined) ?? author;
      const sha = git.buildCommit({ tree: String(b.tree), parents, message: String(b.message ?? ''), author, committer });
      const signed = b.author === undefined && b.committer === undefined && b.signature === undefined;
      return {
        status: 201,
        body: { sha, tree: { sha: b.tree }, parents: parents.map((p) => ({ sha: p })), verification: { verified: signed, reason: signed ? 'valid' : 'unsigned' } },
      };
    }
    if (method === 'POST' && path === '/git/refs') {
      const ref = String(b.ref ?? '');
      if (!/^refs\/heads\/./.test(ref) || !isRefName(ref)) return { status: 422, body: { message: `${ref} is not a valid ref name.` } };
      if (git.ref(ref) !== undefined) return { status: 422, body: { message: 'Reference already exists' } };
      const sha = String(b.sha);
      if (git.typeOf(sha) !== 'commit') return { status: 422, body: { message: 'Object does not exist' } };
      if (!git.updateRef(ref, sha, '')) {
        return { status: 422, body: { message: git.ref(ref) !== undefined ? 'Reference already exists' : 'Reference cannot be created' } };
      }
      return { status: 201, body: { ref, object: { sha, type: 'commit' } } };
    }
    if (method === 'PATCH' && (m = /^\/git\/refs\/(heads\/.+)$/.exec(path))) {
      const ref = `refs/${m[1] ?? ''}`;
      const old = git.ref(ref);
      if (old === undefined) return { status: 422, body: { message: 'Reference does not exist' } };
      const sha = String(b.sha);
      if (b.force !== true && !git.isAncestor(old, sha)) return { status: 422, body: { message: 'Update is not a fast forward' } };
      if (!git.updateRef(ref, sha, old)) return { status: 422, body: { message: 'Reference cannot be updated' } };
      return { status: 200, body: { ref, object: { sha, type: 'commit' } } };
    }
    if (method === 'GET' && (m = /^\/git\/ref\/(heads\/.+)$/.exec(path))) {
      const ref = `refs/${m[1] ?? ''}`;
      const sha = git.ref(ref);
      return sha === undefined ? notFound : { status: 200, body: { ref, object: { sha, type: 'commit' } } };
    }
    if (method === 'GET' && (m = /^\/git\/matching-refs\/(heads\/.*)$/.exec(path))) {
      const prefix = `refs/${m[1] ?? ''}`;
      return {
        status: 200,
        body: git
          .refs('refs/heads/')
          .filter((r) => r.ref.startsWith(prefix))
          .map((r) => ({ ref: r.ref, object: { sha: r.sha, type: 'commit' } })),
      };
    }
    if (method === 'GET' && (m = /^\/compare\/([0-9a-f]{40})\.\.\.([0-9a-f]{40})$/.exec(path))) {
      const [, base = '', head = ''] = m;
      const ahead = git.isAncestor(base, head);
      const status = base === head ? 'identical' : ahead ? 'ahead' : 'diverged';
      // Diverged histories are rare here: git finds their merge base.
      const mergeBase = ahead ? base : (tryGit(git.gitDir, ['merge-base', base, head]) ?? base);
      const from = git.peelToTree(mergeBase);
      const to = git.peelToTree(head);
      if (from === undefined || to === undefined) return notFound;
      return { status: 200, body: { status, files: git.changedPaths(from, to).map((filename) => ({ filename, status: 'modified' })) } };
    }
    if (method === 'GET' && (m = /^\/contents\/(.+)$/.exec(path))) {
      const file = m[1] ?? '';
      const at = resolve(git, query.get('ref') ?? 'HEAD');
      const tree = at === undefined ? undefined : git.peelToTree(at);
      const entry = tree === undefined ? undefined : git.entryAt(tree, file);
      if (entry === undefined) return notFound;
      if (entry.mode === '40000') {
        return {
          status: 200,
          body: (git.tree(entry.sha) ?? []).map((e) => ({
            type: e.mode === '40000' ? 'dir' : e.mode === '160000' ? 'submodule' : e.mode === '120000' ? 'symlink' : 'file',
            name: text(e.name),
            path: `${file}/${text(e.name)}`,
            sha: e.sha,
          })),
        };
      }
      if (entry.mode === '120000') return { status: 200, body: { type: 'symlink', sha: entry.sha, path: file } };
      if (entry.mode === '160000') return { status: 200, body: { type: 'submodule', sha: entry.sha, path: file } };
      const content = git.read(entry.sha)?.content ?? Buffer.alloc(0);
      return { status: 200, body: { type: 'file', sha: entry.sha, path: file, size: content.byteLength, encoding: 'base64', content: content.toString('base64') } };
    }
    return undefined;
  }
}

/** A commit-ish GitHub takes as `ref`: an id, or a ref name as git resolves it (HEAD, refs/…, a tag, a branch). */
function resolve(git: GitRepo, name: string): string | undefined {
  if (SHA.test(name)) return git.typeOf(name) === undefined ? undefined : name;
  if (!isRefName(`refs/heads/${name}`) && name !== 'HEAD') return undefined;
  for (const ref of [name, `refs/${name}`, `refs/tags/${name}`, `refs/heads/${name}`]) {
    if (ref !== 'HEAD' && !ref.startsWith('refs/')) continue;
    const sha = git.ref(ref);
    if (sha !== undefined) return sha;
  }
  return undefined;
}

function tryGit(gitDir: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', env: GIT_ENV }).trim();
  } catch {
    return undefined;
  }
}
