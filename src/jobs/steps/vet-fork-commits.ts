import { UserError } from '../../errors.js';
import { gitAuthEnv } from '../../git/auth-env.js';
import { CommitRange } from '../../git/commit-range.js';
import { GITLINK_MODE, type ChangedFile } from '../../git/staged-change.js';
import type { PullRequestInfo } from '../../github/pull-request-info.js';
import { checkChange, checkSymlinks, isSymlink, isWorkflowPath } from '../../security/check-change.js';
import type { Turn } from './turn.js';
import { changeRules, filesWithSecrets, type VettedChange } from './vet-change.js';

/** GitHub lists at most this many commits of a pull request; a longer one cannot be checked commit by commit. */
export const MAX_FORK_COMMITS = 250;

/** What a fork's commits bring into the base repository, once checked: what the agent's change is then measured with. */
export interface VettedForkCommits {
  /** Every path a commit of the range touches. */
  paths: Set<string>;
  /** The bytes of the files the commits add or change. */
  bytes: number;
  touchesWorkflows: boolean;
  commits: number;
}

const SUBJECT = "This pull request's commits from the fork";

/**
 * The fork's commits, checked on the host before any sandbox exists, since pushing the agent's work
 * to a branch of the base repository pushes them too, with the app's write token: every commit of the
 * range against its parents (a file added in one commit and removed in the next still counts), by the
 * same rules as the agent's change (workflows, submodules, symlinks leaving the repository, file size,
 * the repository's limits, secrets). The head is pinned: GitHub's list of the pull request's commits
 * must hold the head the job read, fetched by its id from the base repository (`refs/pull/N/head`
 * makes it reachable there) with the job's read token, which covers the base repository alone.
 */
export async function vetForkCommits(turn: Turn, fork: PullRequestInfo): Promise<VettedForkCommits> {
  const { deps, repo } = turn;
  const { github, settings } = deps;
  turn.stopped();
  if ((fork.commits ?? 0) > MAX_FORK_COMMITS) {
    throw new UserError(
      `Pull request #${fork.number} has ${fork.commits} commits, more than the ${MAX_FORK_COMMITS} GitHub lists, so the app cannot check each of them before they go into a branch of this repository. Nothing was run or pushed. Squash them in the fork and ask again.`,
    );
  }
  const listed = new Set(await github.pullRequestCommits(fork.number));
  if (!listed.has(fork.headSha)) {
    throw new UserError(`The fork's branch of pull request #${fork.number} moved while the job started, so nothing was run or pushed. Ask again.`);
  }
  const token = await github.readToken();
  const range = await CommitRange.fetch({ remoteUrl: github.remoteUrl(), auth: gitAuthEnv(token), head: fork.headSha, inRange: listed, workDir: settings.workDir });
  try {
    const files = range.files();
    const rules = { ...changeRules(repo, settings), subject: SUBJECT };
    const readable = files.filter((f) => f.status !== 'deleted' && f.mode !== GITLINK_MODE && f.blob !== f.oldBlob);
    const bytes = sizeOfNew(readable);
    checkChange(files, bytes, rules);
    const contents = await range.blobs(readable.flatMap((f) => (f.status === 'added' || f.status === 'copied' ? [f.blob] : [f.blob, f.oldBlob])));
    checkSymlinks(
      readable.filter(isSymlink).map((f) => ({ path: f.path, target: (contents.get(f.blob) ?? Buffer.alloc(0)).toString('utf8') })),
      rules,
    );
    const leaking = await filesWithSecrets(readable, contents, deps.redactor);
    if (leaking.length > 0) {
      const names = [...new Set(leaking)]
        .slice(0, 5)
        .map((f) => `\`${f.replace(/`/g, "'")}\``)
        .join(', ');
      throw new UserError(`${SUBJECT} hold a secret or an access token (in ${names}), so nothing was run or pushed: they would go into a branch of this repository.`);
    }
    const paths = new Set(files.flatMap((f) => (f.oldPath !== undefined ? [f.path, f.oldPath] : [f.path])));
    return { paths, bytes, touchesWorkflows: [...paths].some(isWorkflowPath), commits: range.commits.length };
  } finally {
    await range.dispose();
  }
}

/**
 * The agent's change and the fork's commits together, against the repository's limits: what the new
 * branch brings is both. Returns the change as the push needs it (with `workflows: write` when either
 * touches workflows, which the checks allowed); on a refusal the staged change is removed.
 */
export async function withForkCommits(
  vetted: VettedChange & { path: 'host-git' },
  fork: VettedForkCommits,
  turn: Turn,
  patchBytes: number,
): Promise<VettedChange & { path: 'host-git' }> {
  const rules = changeRules(turn.repo, turn.deps.settings);
  const paths = new Set([...fork.paths, ...vetted.staged.paths()]);
  try {
    checkChange(
      [...paths].map((path) => ({ path, mode: '100644', oldMode: '100644', size: 0 })),
      fork.bytes + patchBytes,
      { ...rules, subject: "The agent's change with this pull request's commits from the fork" },
    );
  } catch (err) {
    await vetted.staged.dispose();
    throw err;
  }
  return { ...vetted, touchesWorkflows: vetted.touchesWorkflows || fork.touchesWorkflows };
}

/** The bytes of the distinct contents the commits add or change. */
function sizeOfNew(files: readonly ChangedFile[]): number {
  const sizes = new Map(files.map((f) => [f.blob, f.size]));
  let total = 0;
  for (const size of sizes.values()) total += size;
  return total;
}
