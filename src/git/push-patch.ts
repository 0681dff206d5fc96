import { UserError } from '../errors.js';
import { gitAuthEnv } from './auth-env.js';
import { branchName, DEFAULT_BRANCH_PREFIX } from './branch-name.js';
import type { HostGit } from './host-git.js';
import { StagedChange } from './staged-change.js';

export interface CommitInfo {
  message: string;
  author: { name: string; email: string };
}

export interface PushedBranch {
  branch: string;
  sha: string;
}

export interface PushedCommit {
  sha: string;
  /** The branch had moved on since the agent started (someone pushed): the change went on top. */
  movedOn: boolean;
  /** The first push lost a race with another push, and the second try went through. */
  retried: boolean;
}

/**
 * A new branch holding one commit, the staged change on its starting commit, pushed without force.
 * The token (one that may push) reaches only the `ls-remote` and `push` processes, in a repository
 * with no work tree, hooks or configuration of the repository's (HostGit).
 */
export async function pushNewBranch(
  staged: StagedChange,
  o: CommitInfo & { remoteUrl: string; token: string; number: number; title: string; branchPrefix?: string },
): Promise<PushedBranch> {
  const auth = gitAuthEnv(o.token);
  const prefix = o.branchPrefix ?? DEFAULT_BRANCH_PREFIX;
  const taken = await remoteBranches(staged.git, o.remoteUrl, auth, `refs/heads/${prefix}${o.number}-*`);
  const branch = branchName(o.number, o.title, taken, prefix);
  const sha = await commitTree(staged.git, staged.tree, staged.baseSha, o);
  await staged.git.run(['push', '--quiet', '--no-verify', '--', o.remoteUrl, `${sha}:refs/heads/${branch}`], { auth });
  return { branch, sha };
}

/**
 * A new commit on an existing branch, never a force push. The change goes on top of the branch's head
 * as it is now, so a commit someone pushed while the agent worked is kept (a three-way apply from the
 * agent's base when it does not apply as is). When the push still loses a race, it tries once more;
 * then it gives up with a message for the user.
 */
export async function pushOntoBranch(staged: StagedChange, o: CommitInfo & { remoteUrl: string; token: string; branch: string }): Promise<PushedCommit> {
  const { git } = staged;
  const auth = gitAuthEnv(o.token);
  for (let attempt = 1; ; attempt++) {
    const tip = await fetchTip(git, o.remoteUrl, auth, o.branch);
    const tree = tip === staged.baseSha ? staged.tree : await applyOnto(staged, tip, o.branch);
    const sha = await commitTree(git, tree, tip, o);
    try {
      await git.run(['push', '--quiet', '--no-verify', '--', o.remoteUrl, `${sha}:refs/heads/${o.branch}`], { auth });
      return { sha, movedOn: tip !== staged.baseSha, retried: attempt > 1 };
    } catch (err) {
      if (!isRaceLost(err)) throw err;
      if (attempt >= 2) {
        const why =
          (err instanceof Error ? err.message : String(err))
            .trim()
            .split('\n')
            .filter((l) => /rejected|error/i.test(l))
            .pop() ?? '';
        throw new UserError(
          `The branch \`${o.branch}\` kept moving while the new commit was being pushed (two tries), so nothing was pushed. Comment again to retry.${why === '' ? '' : ` Git said: \`${why.replace(/`/g, "'")}\``}`,
        );
      }
    }
  }
}

/** Stages and pushes a new branch in one go (the host-git path for callers that vet nothing in between). */
export function pushPatch(input: CommitInfo & StageInput & { number: number; title: string; branchPrefix?: string }): Promise<PushedBranch> {
  return withStaged(input, (staged) => pushNewBranch(staged, input));
}

/** Stages and pushes onto an existing branch in one go. */
export function pushPatchToBranch(input: CommitInfo & StageInput & { branch: string }): Promise<PushedCommit> {
  return withStaged(input, (staged) => pushOntoBranch(staged, input));
}

interface StageInput {
  remoteUrl: string;
  token: string;
  baseSha: string;
  patch: Uint8Array;
  workDir: string;
}

async function withStaged<T>(input: StageInput, push: (staged: StagedChange) => Promise<T>): Promise<T> {
  const staged = await StagedChange.stage({ remoteUrl: input.remoteUrl, auth: gitAuthEnv(input.token), baseSha: input.baseSha, patch: input.patch, workDir: input.workDir });
  try {
    return await push(staged);
  } finally {
    await staged.dispose();
  }
}

async function commitTree(git: HostGit, tree: string, parent: string, o: CommitInfo): Promise<string> {
  const who = { GIT_AUTHOR_NAME: o.author.name, GIT_AUTHOR_EMAIL: o.author.email, GIT_COMMITTER_NAME: o.author.name, GIT_COMMITTER_EMAIL: o.author.email };
  return (await git.run(['commit-tree', tree, '-p', parent, '-F', '-'], { env: who, input: o.message })).trim();
}

async function fetchTip(git: HostGit, remoteUrl: string, auth: Record<string, string>, branch: string): Promise<string> {
  try {
    await git.run(['fetch', '--quiet', '--depth=1', '--no-tags', '--', remoteUrl, `+refs/heads/${branch}:refs/issuesmith/tip`], { auth });
  } catch {
    throw new UserError(`The pull request's branch \`${branch}\` is gone, so there is nothing to add a commit to.`);
  }
  return (await git.run(['rev-parse', '--verify', 'refs/issuesmith/tip^{commit}'])).trim();
}

/** The patch on the branch's new tip; when it does not apply as is, a three-way apply from the agent's base (which the staged repository holds). */
async function applyOnto(staged: StagedChange, tip: string, branch: string): Promise<string> {
  const { git } = staged;
  const index = git.indexFile(`tip-${tip}`);
  await git.run(['read-tree', tip], { index });
  try {
    await git.run(['apply', '--cached', '--whitespace=nowarn', '-'], { index, input: staged.patch });
  } catch {
    try {
      await git.run(['read-tree', tip], { index });
      await git.run(['apply', '--cached', '--3way', '--whitespace=nowarn', '-'], { index, input: staged.patch });
    } catch {
      throw new UserError(
        `Someone pushed to \`${branch}\` while the agent was working, and the agent's change conflicts with it, so nothing was pushed. Comment again to let the agent start from the new head.`,
      );
    }
  }
  return (await git.run(['write-tree'], { index })).trim();
}

function isRaceLost(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message}\n${(err as { stderr?: string }).stderr ?? ''}` : String(err);
  return /\[rejected\]|\[remote rejected\]|non-fast-forward|fetch first|cannot lock ref/i.test(text);
}

async function remoteBranches(git: HostGit, remoteUrl: string, auth: Record<string, string>, pattern: string): Promise<Set<string>> {
  const out = await git.run(['ls-remote', '--heads', '--', remoteUrl, pattern], { auth });
  const names = new Set<string>();
  for (const line of out.split('\n')) {
    const ref = line.split('\t')[1];
    if (ref?.startsWith('refs/heads/')) names.add(ref.slice('refs/heads/'.length));
  }
  return names;
}
