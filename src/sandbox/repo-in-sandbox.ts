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

/**
 * Stages everything in the work tree and reads out a binary diff against the starting commit, which
 * also catches commits the agent made itself. External diff drivers and text conversions, which a
 * repository's config could name, are switched off. The patch's size is checked inside the sandbox
 * before anything is read out, and the read itself stops at `maxBytes`, whatever the sandbox says.
 */
export async function collectPatch(sandbox: Sandbox, o: { workdir: string; baseSha: string; patchFile: string; maxBytes: number }): Promise<Uint8Array> {
  const r = await sandbox.run(
    // `--` ends the revisions: a file named like the starting commit would otherwise make it ambiguous.
    `git add -A && git diff --cached --binary --no-color --no-ext-diff --no-textconv --full-index ${shellQuote(o.baseSha)} -- > ${shellQuote(o.patchFile)} && stat -c %s ${shellQuote(o.patchFile)}`,
    { cwd: o.workdir, timeoutMs: 120_000 },
  );
  if (r.exitCode !== 0) throw new SandboxError(`could not collect the agent's changes: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  const size = Number(r.stdout.trim().split('\n').pop());
  if (Number.isFinite(size) && size > o.maxBytes) throw new PatchTooLargeError(size, o.maxBytes);
  try {
    return await sandbox.readFile(o.patchFile, { maxBytes: o.maxBytes });
  } catch (err) {
    if (err instanceof FileTooLargeError) throw new PatchTooLargeError(undefined, o.maxBytes);
    throw err;
  }
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
