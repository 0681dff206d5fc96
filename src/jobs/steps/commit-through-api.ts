import { UserError } from '../../errors.js';
import { inlineContents, TreeNotCheckedError, type GitData } from '../../github/git-data.js';
import { branchName, DEFAULT_BRANCH_PREFIX } from '../../git/branch-name.js';
import type { FilesChange } from './vet-files.js';

/** How many times a follow-up's commit is rebuilt on a branch that keeps moving before the turn gives up. */
export const MAX_ATTEMPTS = 3;

/**
 * Someone pushed to the branch while the agent worked, touching the same files: nothing was pushed
 * and no ref moved. The turn's sandbox and session are kept, so nothing of the agent's work is lost.
 */
export class BranchMovedError extends UserError {
  constructor(branch: string, overlap: readonly string[] | undefined) {
    const what =
      overlap === undefined
        ? "and its history no longer follows the commit the agent started from (a force push?), so the agent's change was not put on top of it"
        : `changing the same files as the agent (${names(overlap)})`;
    super(
      `Someone pushed to \`${branch}\` while the agent was working, ${what}. Nothing was pushed and the branch was left as it is. Nothing is lost: the agent's session is kept, so comment again and it picks up from the new head.`,
    );
    this.name = 'BranchMovedError';
  }
}

/**
 * The change as one new commit on a new branch: its blobs, one tree on the starting commit's tree, one
 * commit whose parent is the starting commit, then the branch (never forced: a name taken meanwhile
 * is skipped for the next free one). No ref points at anything until the commit is whole.
 */
export async function commitNewBranch(
  git: GitData,
  change: FilesChange,
  o: { message: string; number: number; title: string; branchPrefix?: string },
): Promise<{ branch: string; sha: string }> {
  const treeOn = await treeMaker(git, change);
  const tree = await treeOn(await git.treeOf(change.baseSha));
  const sha = await git.createCommit({ message: o.message, tree, parent: change.baseSha });
  const prefix = o.branchPrefix ?? DEFAULT_BRANCH_PREFIX;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const taken = await git.branchesStartingWith(`${prefix}${o.number}-`);
    const branch = branchName(o.number, o.title, taken, prefix);
    if (await git.createBranch(branch, sha)) return { branch, sha };
  }
  throw new UserError(`Other branches named for #${o.number} kept appearing while the change was being committed, so nothing was pushed. Comment again to retry.`);
}

/**
 * The change as one new commit on an existing branch, moved only as a fast-forward. When the branch
 * moved while the agent worked, the commits since the agent's starting point are looked at: when none
 * touches the agent's files, the commit is rebuilt on the new head (its tree there, the head as parent)
 * and tried again, a few times at most; otherwise nothing moves and BranchMovedError says so.
 */
export async function commitOntoBranch(git: GitData, change: FilesChange, o: { message: string; branch: string }): Promise<{ sha: string; movedOn: boolean; retried: boolean }> {
  const treeOn = await treeMaker(git, change);
  let parent = change.baseSha;
  let baseTree = await git.treeOf(parent);
  for (let attempt = 1; ; attempt++) {
    const tree = await treeOn(baseTree);
    const sha = await git.createCommit({ message: o.message, tree, parent });
    const moved = await git.fastForward(o.branch, sha);
    if (moved === true) return { sha, movedOn: parent !== change.baseSha, retried: attempt > 1 };
    const head = await git.head(o.branch);
    if (head === undefined) throw new UserError(`The pull request's branch \`${o.branch}\` is gone, so there is nothing to add a commit to.`);
    // Not a race: GitHub refused the update itself (a rule of the branch).
    if (head === parent) throw new UserError(`GitHub refused to move \`${o.branch}\` to the new commit (${moved.message.replace(/`/g, "'")}), so nothing was pushed.`);
    if (attempt >= MAX_ATTEMPTS)
      throw new UserError(`The branch \`${o.branch}\` kept moving while the new commit was being made (${MAX_ATTEMPTS} tries), so nothing was pushed. Comment again to retry.`);
    const theirs = await git.pathsChangedSince(change.baseSha, head);
    if (theirs === undefined) throw new BranchMovedError(o.branch, undefined);
    const overlap = change.paths.filter((p) => [...theirs].some((q) => p === q || p.startsWith(`${q}/`) || q.startsWith(`${p}/`)));
    if (overlap.length > 0) throw new BranchMovedError(o.branch, overlap);
    parent = head;
    baseTree = await git.treeOf(head);
  }
}

/**
 * Creates the blobs of the change's binary and large files, and returns how to make its tree on a base
 * tree: text files go inside the tree request (no blob write each), and the tree is read back to check
 * them; when GitHub cannot list the tree whole to check it, those files get blobs too and the tree is
 * made again from ids alone.
 */
async function treeMaker(git: GitData, change: FilesChange): Promise<(base: string) => Promise<string>> {
  let inline = inlineContents(change.blobs);
  await git.createBlobs(new Map([...change.blobs].filter(([id]) => !inline.has(id))));
  return async (base) => {
    try {
      return await git.createTree(base, change.entries, inline);
    } catch (err) {
      if (!(err instanceof TreeNotCheckedError)) throw err;
      await git.createBlobs(new Map([...change.blobs].filter(([id]) => inline.has(id))));
      inline = new Map();
      return git.createTree(base, change.entries);
    }
  };
}

function names(paths: readonly string[]): string {
  const shown = paths
    .slice(0, 5)
    .map((p) => `\`${p.replace(/`/g, "'")}\``)
    .join(', ');
  return paths.length > 5 ? `${shown} and ${paths.length - 5} more` : shown;
}
