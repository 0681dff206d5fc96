import { createHash } from 'node:crypto';

/** One path of a change as `git diff --raw -z --no-renames --no-abbrev` lists it (a rename is a deletion and an addition). */
export interface RawEntry {
  status: 'added' | 'modified' | 'deleted' | 'type-changed';
  path: string;
  /** 000000 when deleted; 100644, 100755, 120000 (symlink) or 160000 (submodule) otherwise. */
  mode: string;
  oldMode: string;
  /** The blob (or, for a submodule, the commit) after the change; zeros when deleted. */
  blob: string;
  oldBlob: string;
}

const STATUS: Record<string, RawEntry['status']> = { A: 'added', M: 'modified', D: 'deleted', T: 'type-changed' };
const MODES = new Set(['000000', '100644', '100755', '120000', '160000']);

/**
 * Reads the raw diff a sandbox produced. The sandbox is the agent's, so nothing in it is taken on
 * trust: every line must have git's shape, every mode be one git writes for a file, every path be a
 * plain relative path (see `unsafePathReason`). Throws an UnsafeChangeError naming the first problem.
 */
export function parseRawDiff(raw: Uint8Array): RawEntry[] {
  const fields = Buffer.from(raw).toString('utf8').split('\0');
  const entries: RawEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < fields.length - 1;) {
    const head = fields[i++] ?? '';
    const m = /^:(\d{6}) (\d{6}) ([0-9a-f]{40}|[0-9a-f]{64}) ([0-9a-f]{40}|[0-9a-f]{64}) ([AMDT])$/.exec(head);
    if (!m) throw new UnsafeChangeError(`an unexpected line in the list of changed files (${JSON.stringify(head.slice(0, 60))})`);
    const [, oldMode = '', mode = '', oldBlob = '', blob = '', letter = ''] = m;
    const path = fields[i++];
    if (path === undefined) throw new UnsafeChangeError('a changed file with no name');
    if (!MODES.has(mode) || !MODES.has(oldMode)) throw new UnsafeChangeError(`a file mode git does not write (${mode}) for ${quoted(path)}`);
    const why = unsafePathReason(path);
    if (why !== undefined) throw new UnsafeChangeError(`the path ${quoted(path)} ${why}`);
    if (seen.has(path)) throw new UnsafeChangeError(`the path ${quoted(path)} listed twice`);
    seen.add(path);
    const status = STATUS[letter] ?? 'modified';
    if ((status === 'deleted') !== (mode === '000000') || (status === 'added') !== (oldMode === '000000')) {
      throw new UnsafeChangeError(`a change of ${quoted(path)} whose modes do not match its kind`);
    }
    entries.push({ status, path, mode, oldMode, blob, oldBlob });
  }
  return entries;
}

/**
 * Why a path may not be committed, or undefined when it may: it must be relative, with no empty,
 * `.` or `..` component, no component that is `.git` in any case (nor the `.git.` or `git~1` forms
 * some file systems read as `.git`), no control characters, and at most 4096 bytes.
 */
export function unsafePathReason(path: string): string | undefined {
  if (path === '') return 'is empty';
  if (Buffer.byteLength(path) > 4096) return 'is too long';
  if (path.startsWith('/')) return 'is absolute';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(path)) return 'holds a control character';
  if (path.includes('\\')) return 'holds a backslash';
  for (const part of path.split('/')) {
    if (part === '' || part === '.' || part === '..') return 'is not a plain relative path';
    const p = part.toLowerCase().replace(/[. ]+$/, '');
    if (p === '.git' || p === 'git~1') return 'is inside `.git`';
  }
  return undefined;
}

/** Git's id of a blob with this content, in the repository's hash (SHA-1 ids are 40 digits, SHA-256 ones 64). */
export function gitBlobId(content: Uint8Array, idLength = 40): string {
  const hash = createHash(idLength === 64 ? 'sha256' : 'sha1');
  hash.update(`blob ${content.byteLength}\0`);
  hash.update(content);
  return hash.digest('hex');
}

/** The sandbox's account of the change cannot be trusted or used. */
export class UnsafeChangeError extends Error {
  constructor(readonly problem: string) {
    super(`the change read out of the sandbox has ${problem}`);
    this.name = 'UnsafeChangeError';
  }
}

function quoted(path: string): string {
  return `\`${path.slice(0, 120).replace(/`/g, "'")}\``;
}
