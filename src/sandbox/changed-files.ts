import { gitBlobId, parseRawDiff, UnsafeChangeError, type RawEntry } from '../git/raw-diff.js';
import { FileTooLargeError, type Sandbox } from './provider.js';

/** The list of changed paths is read out at most this far: some 20,000 paths. */
export const MAX_LIST_BYTES = 4 * 1024 * 1024;

/**
 * The agent's change as git in the sandbox listed it against the starting commit (collectChange wrote
 * the list): one entry a path, renames as a deletion and an addition, with modes and blob ids.
 * Undefined when the list is longer than `MAX_LIST_BYTES` (too many files for the API path). The list
 * is the agent's word: parseRawDiff checks its shape and every path.
 */
export async function readChangeList(sandbox: Sandbox, listFile: string): Promise<RawEntry[] | undefined> {
  try {
    return parseRawDiff(await sandbox.readFile(listFile, { maxBytes: MAX_LIST_BYTES }));
  } catch (err) {
    if (err instanceof FileTooLargeError) return undefined;
    throw err;
  }
}

/**
 * The contents of the given blobs, from the file `git cat-file --batch` wrote in the sandbox
 * (collectChange), read out at most `maxBytes` of it: undefined when there is more. The file is the
 * agent's word: its records are read by their headers, in any order, and each content wanted must
 * hash to its id (git's own hash of it), so what is read is what git holds under that id.
 */
export async function readBlobs(sandbox: Sandbox, o: { ids: readonly string[]; file: string; maxBytes: number }): Promise<Map<string, Buffer> | undefined> {
  const wanted = new Set(o.ids);
  const out = new Map<string, Buffer>();
  if (wanted.size === 0) return out;
  let raw: Buffer;
  try {
    raw = Buffer.from(await sandbox.readFile(o.file, { maxBytes: o.maxBytes }));
  } catch (err) {
    if (err instanceof FileTooLargeError) return undefined;
    throw err;
  }
  for (let at = 0; at < raw.byteLength;) {
    const eol = raw.indexOf(10, at);
    if (eol === -1) break;
    const header = raw.subarray(at, eol).toString('utf8');
    const m = /^([0-9a-f]{40}|[0-9a-f]{64}) (?:(blob|tree|commit|tag) (\d+)|missing|ambiguous)$/.exec(header);
    if (!m) break;
    if (m[2] === undefined) {
      at = eol + 1;
      continue;
    }
    const id = m[1] ?? '';
    const size = Number(m[3]);
    const content = raw.subarray(eol + 1, eol + 1 + size);
    if (content.byteLength !== size || raw[eol + 1 + size] !== 10) break;
    if (m[2] === 'blob' && wanted.has(id) && !out.has(id)) {
      if (gitBlobId(content, id.length) !== id) throw new UnsafeChangeError(`content that does not match its id ${id}`);
      out.set(id, content);
    }
    at = eol + 1 + size + 1;
  }
  for (const id of wanted) if (!out.has(id)) throw new UnsafeChangeError(`no readable content for the blob ${id}`);
  return out;
}
