import { gitAuthEnv } from '../git/auth-env.js';
import { UserError } from '../errors.js';
import { shellQuote } from '../security/shell-quote.js';
import { SandboxError, type Sandbox } from './provider.js';

/**
 * A fork's pull request checked out in the sandbox, from the base repository (the fork itself is never
 * contacted, and the token, read-only, covers the base repository alone): `refs/pull/N/head`, which
 * must be the head the job read, and the base branch's head beside it (for the instruction files, see
 * `keepBaseInstructions`). The token reaches git through the environment of the fetch alone, in a
 * repository just made (no configuration or hooks of anyone's); the checkout runs without it. Returns
 * the commit the work starts from.
 */
export async function fetchPullInSandbox(
  sandbox: Sandbox,
  o: { url: string; pull: number; headSha: string; baseRef: string; token: string; workdir: string; timeoutMs: number },
): Promise<string> {
  const refs = [`+refs/pull/${o.pull}/head:refs/remotes/pull/head`, `+refs/heads/${o.baseRef}:refs/remotes/base/head`].map(shellQuote).join(' ');
  const fetched = await sandbox.run(
    `git init --quiet -- ${shellQuote(o.workdir)} && git -C ${shellQuote(o.workdir)} fetch --quiet --depth 1 --no-tags -- ${shellQuote(o.url)} ${refs}`,
    { env: gitAuthEnv(o.token), timeoutMs: o.timeoutMs },
  );
  if (fetched.exitCode !== 0) throw new SandboxError(`could not fetch the pull request's head: ${fetched.stderr.trim().split('\n').pop() ?? ''}`);
  const head = await sandbox.run(
    `git checkout --quiet -B ${shellQuote(`pull-${o.pull}`)} refs/remotes/pull/head && git config user.name "issuesmith agent" && git config user.email "agent@issuesmith.invalid" && git rev-parse HEAD`,
    { cwd: o.workdir, timeoutMs: 120_000 },
  );
  const sha = head.stdout.trim().split('\n').pop() ?? '';
  if (head.exitCode !== 0 || !/^[0-9a-f]{40,64}$/.test(sha)) throw new SandboxError("could not check out the pull request's head");
  if (sha !== o.headSha) throw new UserError(`The fork's branch of pull request #${o.pull} moved while the job started, so nothing was pushed. Ask again.`);
  return sha;
}

/**
 * The agent reads its instruction files (CLAUDE.md, AGENTS.md, the repository's `instructions_file`)
 * as the base branch has them, never as a fork changed them: where the fork's head differs, the base
 * branch's file takes its place in the work tree (or it goes, when the base branch has none), and git
 * is told to keep the fork's own in the commit (skip-worktree, or an exclude for a file only the base
 * branch has), so the swap is never part of the change. An edit the agent makes to these files is not
 * kept either.
 */
export async function keepBaseInstructions(sandbox: Sandbox, o: { workdir: string; paths: readonly string[] }): Promise<void> {
  const paths = [...new Set(o.paths)].filter((p) => p !== '');
  if (paths.length === 0) return;
  const script = [
    'set -e',
    'base=refs/remotes/base/head',
    'for p in "$@"; do',
    '  if git diff --quiet "$base" HEAD -- "$p"; then continue; fi',
    '  if git cat-file -e "HEAD:$p" 2>/dev/null; then git update-index --skip-worktree -- "$p"; else printf \'/%s\\n\' "$p" >> .git/info/exclude; fi',
    '  rm -rf -- "$p"',
    '  if git cat-file -e "$base:$p" 2>/dev/null; then mkdir -p -- "$(dirname -- "$p")"; git cat-file blob "$base:$p" > "$p"; fi',
    'done',
  ].join('\n');
  const r = await sandbox.run(`bash -c ${shellQuote(script)} issuesmith ${paths.map(shellQuote).join(' ')}`, { cwd: o.workdir, timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new SandboxError(`could not put the base branch's instruction files in place: ${r.stderr.trim().split('\n').pop() ?? ''}`);
}
