import { gitAuthEnv } from '../git/auth-env.js';
import { shellQuote } from '../security/shell-quote.js';
import { FileTooLargeError, SandboxError, type Sandbox } from './provider.js';

/**
 * Clones one branch shallowly into the sandbox. The token reaches git through the environment of
 * this one command, so it is never written to `.git/config`, the remote URL or the command line.
 * Returns the commit the work starts from.
 */
export async function cloneInSandbox(sandbox: Sandbox, o: { url: string; branch: string; token: string; workdir: string; timeoutMs: number }): Promise<string> {
  const clone = await sandbox.run(`git clone --quiet --depth 1 --single-branch --branch ${shellQuote(o.branch)} -- ${shellQuote(o.url)} ${shellQuote(o.workdir)}`, {
    env: gitAuthEnv(o.token),
    timeoutMs: o.timeoutMs,
  });
  if (clone.exitCode !== 0) throw new SandboxError(`could not clone the repository: ${clone.stderr.trim().split('\n').pop() ?? ''}`);
  // Agents that commit need an identity; their commits are collected as a diff, not kept.
  const head = await sandbox.run('git config user.name "issuesmith agent" && git config user.email "agent@issuesmith.invalid" && git rev-parse HEAD', {
    cwd: o.workdir,
    timeoutMs: 30_000,
  });
  const sha = head.stdout.trim();
  if (head.exitCode !== 0 || !/^[0-9a-f]{40,64}$/.test(sha)) throw new SandboxError('could not read the cloned commit');
  return sha;
}

/** Where a collected change lies in the sandbox: scratch files beside the prompt, outside the work tree. */
export interface ChangeFiles {
  /** The binary patch against the starting commit (for host git). */
  patch: string;
  /** `git diff --raw -z`: the changed paths with their modes and blob ids (for the API path). */
  list: string;
  /** `git cat-file --batch` of every blob the listing names as a path's new content. */
  blobs: string;
  /** `git diff --numstat -z`: lines added and removed, for the report. */
  numstat: string;
}

/** The agent's change, collected in the sandbox: its size, where its parts lie there, and its patch read out on demand. */
export interface CollectedChange {
  /** The patch's size as the sandbox gave it; 0 is no change. */
  bytes: number;
  files: ChangeFiles;
  /** The patch read out of the sandbox (at most the cap, whatever the sandbox said its size was); read once, when asked. */
  patch(): Promise<Uint8Array>;
}

/** The scratch files of a change collected with the given prefix (the prompt's directory). */
export function changeFiles(prefix: string): ChangeFiles {
  return { patch: `${prefix}.patch`, list: `${prefix}.list`, blobs: `${prefix}.blobs`, numstat: `${prefix}.numstat` };
}

/**
 * Stages everything in the work tree and writes what either commit path needs, in one command: the
 * binary diff against the starting commit (which also catches commits the agent made itself), the raw
 * listing of the changed paths, the new contents of their blobs and the line counts. External diff
 * drivers and text conversions, which a repository's config could name, are switched off. The
 * patch's size is checked inside the sandbox before anything is read out; nothing else is read here.
 * Whatever the sandbox writes is the agent's word: the readers check every part of it (changed-files.ts).
 */
export async function collectChange(sandbox: Sandbox, o: { workdir: string; baseSha: string; files: ChangeFiles; maxBytes: number; maxBlobs: number }): Promise<CollectedChange> {
  const base = shellQuote(o.baseSha);
  const f = o.files;
  const count = (n: number): string => {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a count: ${n}`);
    return String(n);
  };
  const r = await sandbox.run(
    [
      // `--` ends the revisions: a file named like the starting commit would otherwise make it ambiguous.
      'git add -A &&',
      `git diff --cached --binary --no-color --no-ext-diff --no-textconv --full-index ${base} -- > ${shellQuote(f.patch)} &&`,
      `size=$(stat -c %s ${shellQuote(f.patch)}) &&`,
      // A patch over the cap is refused as it is: nothing more is written.
      `if [ "$size" -le ${count(o.maxBytes)} ]; then`,
      `  git -c core.quotePath=false diff --cached --raw -z --no-renames --no-abbrev --no-ext-diff --no-textconv ${base} -- > ${shellQuote(f.list)} &&`,
      `  git diff --cached --numstat -z --no-renames --no-ext-diff --no-textconv ${base} -- > ${shellQuote(f.numstat)} &&`,
      // A path's new blob id is the fourth field of its raw line (the path comes after a tab, quoted); a deletion's is zeros.
      `  { git diff --cached --raw --no-renames --no-abbrev --no-ext-diff --no-textconv ${base} -- | cut -d ' ' -f 4 | grep -v '^0*$' | sort -u | head -n ${count(o.maxBlobs)} | git cat-file --batch > ${shellQuote(f.blobs)}; }`,
      'fi &&',
      'echo "$size"',
    ].join('\n'),
    { cwd: o.workdir, timeoutMs: 120_000 },
  );
  if (r.exitCode !== 0) throw new SandboxError(`could not collect the agent's changes: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  const size = Number(r.stdout.trim().split('\n').pop());
  if (!Number.isSafeInteger(size) || size < 0) throw new SandboxError("could not collect the agent's changes: no size for the patch");
  if (size > o.maxBytes) throw new PatchTooLargeError(size, o.maxBytes);
  let read: Promise<Uint8Array> | undefined;
  return {
    bytes: size,
    files: f,
    patch: () =>
      (read ??= sandbox.readFile(f.patch, { maxBytes: o.maxBytes }).catch((err: unknown) => {
        throw err instanceof FileTooLargeError ? new PatchTooLargeError(undefined, o.maxBytes) : err;
      })),
  };
}

/** The agent's patch is over the cap; nothing of it was read out. */
export class PatchTooLargeError extends Error {
  constructor(
    readonly bytes: number | undefined,
    readonly maxBytes: number,
  ) {
    super(`the patch is ${bytes ?? 'more than'} bytes (cap ${maxBytes})`);
    this.name = 'PatchTooLargeError';
  }
}

/**
 * Brings a resumed sandbox's checkout to a branch's current head, so the agent starts from what is
 * on GitHub now (a commit someone pushed since the last turn included). Files git ignores (installed
 * dependencies, build output) stay. Returns the commit the work starts from.
 *
 * The work tree's `.git/config` is the agent's by now: it could point `origin` at its own server, or
 * add `url.*.insteadOf`, `http.proxy`, `credential.helper`, `core.sshCommand`. So the fetch that
 * carries the token reads none of it: it fetches by explicit URL into a fresh bare repository in a
 * temporary directory, with no global or system configuration, that directory as HOME, no hooks and
 * no file transport. The commit then comes into the work tree from there, by a local fetch that gets
 * no token, and must arrive as the very commit fetched.
 */
export async function checkoutInSandbox(sandbox: Sandbox, o: { url: string; branch: string; token: string; workdir: string; timeoutMs: number }): Promise<string> {
  const fetched = await sandbox.run(
    [
      'tmp=$(mktemp -d) || exit 1',
      'if ! (',
      '  cd "$tmp" &&',
      '  export HOME="$tmp" XDG_CONFIG_HOME="$tmp" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 &&',
      '  git init --quiet --bare "$tmp/fetch.git" &&',
      `  git --git-dir="$tmp/fetch.git" -c core.hooksPath=/dev/null -c protocol.file.allow=never fetch --quiet --depth 1 --no-tags -- ${shellQuote(o.url)} ${shellQuote(`+refs/heads/${o.branch}:refs/heads/head`)} &&`,
      '  git --git-dir="$tmp/fetch.git" rev-parse refs/heads/head',
      '); then rm -rf "$tmp"; exit 1; fi',
      'printf \'%s\\n\' "$tmp"',
    ].join('\n'),
    { env: gitAuthEnv(o.token), timeoutMs: o.timeoutMs },
  );
  // The last two lines: the commit, then the temporary directory (a login shell's profile may print before them).
  const [sha = '', tmp = ''] = fetched.stdout
    .trim()
    .split('\n')
    .slice(-2)
    .map((l) => l.trim());
  if (fetched.exitCode !== 0 || !/^[0-9a-f]{40,64}$/.test(sha) || !tmp.startsWith('/')) {
    throw new SandboxError(`could not fetch the pull request's branch: ${fetched.stderr.trim().split('\n').pop() ?? ''}`);
  }
  // No token from here on: whatever the work tree's configuration does with this fetch, it carries no credential.
  const head = await sandbox.run(
    `git -c protocol.file.allow=always fetch --quiet --depth 1 --no-tags -- ${shellQuote(`${tmp}/fetch.git`)} refs/heads/head && git reset --quiet --hard FETCH_HEAD && git clean -fdq && git rev-parse HEAD; rc=$?; rm -rf ${shellQuote(tmp)}; exit $rc`,
    { cwd: o.workdir, timeoutMs: 60_000 },
  );
  const at = head.stdout.trim().split('\n').pop() ?? '';
  if (head.exitCode !== 0 || at !== sha) throw new SandboxError("could not check out the pull request's branch");
  return sha;
}
