import { gitBlobId, parseRawDiff, UnsafeChangeError, type RawEntry } from '../git/raw-diff.js';
import { shellQuote } from '../security/shell-quote.js';
import { FileTooLargeError, SandboxError, type Sandbox } from './provider.js';

/** The list of changed paths is read out at most this far: some 20,000 paths. */
export const MAX_LIST_BYTES = 4 * 1024 * 1024;

/**
 * The agent's change as git in the sandbox lists it against the starting commit (after `git add -A`,
 * which collecting the patch did): one entry a path, renames as a deletion and an addition, with
 * modes and blob ids. Undefined when the list is longer than `MAX_LIST_BYTES` (too many files for
 * the API path). The list is the agent's word: parseRawDiff checks its shape and every path.
 */
export async function listChange(sandbox: Sandbox, o: { workdir: string; baseSha: string; listFile: string }): Promise<RawEntry[] | undefined> {
  const r = await sandbox.run(
    `git add -A && git -c core.quotePath=false diff --cached --raw -z --no-renames --no-abbrev --no-ext-diff --no-textconv ${shellQuote(o.baseSha)} -- > ${shellQuote(o.listFile)}`,
    { cwd: o.workdir, timeoutMs: 120_000 },
  );
  if (r.exitCode !== 0) throw new SandboxError(`could not list the agent's changes: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  try {
    return parseRawDiff(await sandbox.readFile(o.listFile, { maxBytes: MAX_LIST_BYTES }));
  } catch (err) {
    if (err instanceof FileTooLargeError) return undefined;
    throw err;
  }
}

/**
 * The contents of the given blobs, read out of the sandbox's repository in one file (`git cat-file
 * --batch`), at most `maxBytes` of it: undefined when there is more. Each content is checked against
 * its id (git's own hash of it), so what is read is what git in the sandbox holds under that id.
 */
export async function readBlobs(sandbox: Sandbox, o: { workdir: string; ids: readonly string[]; file: string; maxBytes: number }): Promise<Map<string, Buffer> | undefined> {
  const ids = [...new Set(o.ids)];
  const out = new Map<string, Buffer>();
  if (ids.length === 0) return out;
  await sandbox.writeFile(`${o.file}.ids`, `${ids.join('\n')}\n`);
  const r = await sandbox.run(`git cat-file --batch < ${shellQuote(`${o.file}.ids`)} > ${shellQuote(o.file)}`, { cwd: o.workdir, timeoutMs: 120_000 });
  if (r.exitCode !== 0) throw new SandboxError(`could not read the agent's files: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  let raw: Buffer;
  try {
    raw = Buffer.from(await sandbox.readFile(o.file, { maxBytes: o.maxBytes }));
  } catch (err) {
    if (err instanceof FileTooLargeError) return undefined;
    throw err;
  }
  let at = 0;
  for (const id of ids) {
    const eol = raw.indexOf(10, at);
    const header = eol === -1 ? '' : raw.subarray(at, eol).toString('utf8');
    const m = /^([0-9a-f]{40}|[0-9a-f]{64}) blob (\d+)$/.exec(header);
    if (!m || m[1] !== id) throw new UnsafeChangeError(`no readable content for the blob ${id}`);
    const size = Number(m[2]);
    const content = raw.subarray(eol + 1, eol + 1 + size);
    if (content.byteLength !== size || gitBlobId(content, id.length) !== id) throw new UnsafeChangeError(`content that does not match its id ${id}`);
    out.set(id, content);
    at = eol + 1 + size + 1;
  }
  return out;
}
