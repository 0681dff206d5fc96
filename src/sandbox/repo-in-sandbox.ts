import { gitAuthEnv } from '../github/git-url.js';
import { shellQuote } from '../security/shell-quote.js';
import { SandboxError, type Sandbox } from './provider.js';

/**
 * Clones one branch shallowly into the sandbox. The token reaches git through the environment of
 * this one command, so it is never written to `.git/config`, the remote URL or the command line.
 * Returns the commit the work starts from.
 */
export async function cloneInSandbox(sandbox: Sandbox, o: { url: string; branch: string; token: string; workdir: string; timeoutMs: number }): Promise<string> {
  const clone = await sandbox.run(
    `git clone --quiet --depth 1 --single-branch --branch ${shellQuote(o.branch)} -- ${shellQuote(o.url)} ${shellQuote(o.workdir)}`,
    { env: gitAuthEnv(o.token), timeoutMs: o.timeoutMs },
  );
  if (clone.exitCode !== 0) throw new SandboxError(`could not clone the repository: ${clone.stderr.trim().split('\n').pop() ?? ''}`);
  // Agents that commit need an identity; their commits are collected as a diff, not kept.
  const head = await sandbox.run(
    'git config user.name "issuesmith agent" && git config user.email "agent@issuesmith.invalid" && git rev-parse HEAD',
    { cwd: o.workdir, timeoutMs: 30_000 },
  );
  const sha = head.stdout.trim();
  if (head.exitCode !== 0 || !/^[0-9a-f]{40,64}$/.test(sha)) throw new SandboxError('could not read the cloned commit');
  return sha;
}

/**
 * Stages everything in the work tree and reads out a binary diff against the starting commit, which
 * also catches commits the agent made itself. External diff drivers and text conversions, which a
 * repository's config could name, are switched off.
 */
export async function collectPatch(sandbox: Sandbox, o: { workdir: string; baseSha: string; patchFile: string }): Promise<Uint8Array> {
  const r = await sandbox.run(
    // `--` ends the revisions: a file named like the starting commit would otherwise make it ambiguous.
    `git add -A && git diff --cached --binary --no-color --no-ext-diff --no-textconv --full-index ${shellQuote(o.baseSha)} -- > ${shellQuote(o.patchFile)}`,
    { cwd: o.workdir, timeoutMs: 120_000 },
  );
  if (r.exitCode !== 0) throw new SandboxError(`could not collect the agent's changes: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  return sandbox.readFile(o.patchFile);
}

/**
 * Brings a resumed sandbox's checkout to a branch's current head, so the agent starts from what is
 * on GitHub now (a commit someone pushed since the last turn included). Files git ignores (installed
 * dependencies, build output) stay. Returns the commit the work starts from.
 */
export async function checkoutInSandbox(sandbox: Sandbox, o: { branch: string; token: string; workdir: string; timeoutMs: number }): Promise<string> {
  const fetch = await sandbox.run(`git fetch --quiet --depth 1 --no-tags origin ${shellQuote(`refs/heads/${o.branch}`)}`, {
    cwd: o.workdir,
    env: gitAuthEnv(o.token),
    timeoutMs: o.timeoutMs,
  });
  if (fetch.exitCode !== 0) throw new SandboxError(`could not fetch the pull request's branch: ${fetch.stderr.trim().split('\n').pop() ?? ''}`);
  const head = await sandbox.run('git reset --quiet --hard FETCH_HEAD && git clean -fdq && git rev-parse HEAD', { cwd: o.workdir, timeoutMs: 60_000 });
  const sha = head.stdout.trim();
  if (head.exitCode !== 0 || !/^[0-9a-f]{40,64}$/.test(sha)) throw new SandboxError('could not check out the pull request\'s branch');
  return sha;
}
