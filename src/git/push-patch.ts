import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { UserError } from '../errors.js';
import { gitAuthEnv } from '../github/git-url.js';
import { branchName } from './branch-name.js';

export interface PushPatchInput {
  remoteUrl: string;
  /** A token that may push; used through the environment only, never written to disk. */
  token: string;
  /** The commit the agent started from: the branch is made on it. */
  baseSha: string;
  number: number;
  title: string;
  patch: Uint8Array;
  message: string;
  author: { name: string; email: string };
  workDir: string;
  /** Start of the branch name (`pull_request.branch_prefix`). */
  branchPrefix?: string;
}

export interface PushedBranch {
  branch: string;
  sha: string;
}

/**
 * On the host: fetch the starting commit alone, make a new branch on it, apply the agent's patch to
 * the index, commit as the app and push without force. The clone lives in a temporary directory that
 * is removed on every path.
 */
export async function pushPatch(input: PushPatchInput): Promise<PushedBranch> {
  const dir = await mkdtemp(join(input.workDir, 'issuesmith-push-'));
  try {
    const git = hostGit(dir, input.token);
    await git.init();
    await git.addRemote('origin', input.remoteUrl);
    const prefix = input.branchPrefix ?? 'issuesmith/';
    const taken = await remoteBranches(git, `refs/heads/${prefix}${input.number}-*`);
    const branch = branchName(input.number, input.title, taken, prefix);
    await git.raw(['fetch', '--depth=1', '--no-tags', 'origin', input.baseSha]);
    await git.raw(['checkout', '-q', '-b', branch, input.baseSha]);
    // Inside .git, so the patch itself can never be committed.
    const patchFile = join(dir, '.git', 'issuesmith.patch');
    await writeFile(patchFile, input.patch);
    await git.raw(['apply', '--index', '--whitespace=nowarn', patchFile]);
    await git
      .addConfig('user.name', input.author.name)
      .addConfig('user.email', input.author.email)
      .addConfig('commit.gpgsign', 'false');
    await git.commit(input.message, undefined, { '--no-verify': null });
    const sha = (await git.revparse(['HEAD'])).trim();
    await git.raw(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
    return { branch, sha };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface PushToBranchInput {
  remoteUrl: string;
  /** A token that may push; used through the environment only, never written to disk. */
  token: string;
  /** The pull request's branch, which exists. */
  branch: string;
  /** The commit the agent started from (the branch's head when the turn began). */
  baseSha: string;
  patch: Uint8Array;
  message: string;
  author: { name: string; email: string };
  workDir: string;
}

export interface PushedCommit {
  sha: string;
  /** The branch had moved on since the agent started (someone pushed): the change went on top. */
  movedOn: boolean;
  /** The first push lost a race with another push, and the second try went through. */
  retried: boolean;
}

/**
 * On the host: a new commit on an existing branch, never a force push. The agent's patch goes on top
 * of the branch's head as it is now, so a commit someone pushed while the agent worked is kept. When
 * the push still loses a race (the branch moved between fetch and push), it fetches, re-applies and
 * tries once more; then it gives up with a message for the user.
 */
export async function pushPatchToBranch(input: PushToBranchInput): Promise<PushedCommit> {
  const dir = await mkdtemp(join(input.workDir, 'issuesmith-push-'));
  try {
    const git = hostGit(dir, input.token);
    await git.init();
    await git.addRemote('origin', input.remoteUrl);
    await git
      .addConfig('user.name', input.author.name)
      .addConfig('user.email', input.author.email)
      .addConfig('commit.gpgsign', 'false');
    const patchFile = join(dir, '.git', 'issuesmith.patch');
    await writeFile(patchFile, input.patch);
    for (let attempt = 1; ; attempt++) {
      const tip = await fetchTip(git, input.branch);
      await git.raw(['checkout', '-q', '-B', 'work', tip]);
      await applyOnto(git, patchFile, tip, input);
      await git.commit(input.message, undefined, { '--no-verify': null });
      const sha = (await git.revparse(['HEAD'])).trim();
      try {
        await git.raw(['push', '--quiet', 'origin', `HEAD:refs/heads/${input.branch}`]);
        return { sha, movedOn: tip !== input.baseSha, retried: attempt > 1 };
      } catch (err) {
        if (!isRaceLost(err)) throw err;
        if (attempt >= 2) {
          const why = (err instanceof Error ? err.message : String(err)).trim().split('\n').filter((l) => /rejected|error/i.test(l)).pop() ?? '';
          throw new UserError(
            `The branch \`${input.branch}\` kept moving while the new commit was being pushed (two tries), so nothing was pushed. Comment again to retry.${why === '' ? '' : ` Git said: \`${why.replace(/`/g, "'")}\``}`,
          );
        }
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function fetchTip(git: SimpleGit, branch: string): Promise<string> {
  try {
    await git.raw(['fetch', '--depth=1', '--no-tags', 'origin', `+refs/heads/${branch}:refs/remotes/origin/work`]);
  } catch {
    throw new UserError(`The pull request's branch \`${branch}\` is gone, so there is nothing to add a commit to.`);
  }
  return (await git.revparse(['refs/remotes/origin/work'])).trim();
}

/** The patch on the branch's tip; when the tip moved and it does not apply as is, a three-way merge from the agent's base. */
async function applyOnto(git: SimpleGit, patchFile: string, tip: string, input: PushToBranchInput): Promise<void> {
  try {
    await git.raw(['apply', '--index', '--whitespace=nowarn', patchFile]);
    return;
  } catch (err) {
    if (tip === input.baseSha) throw err;
  }
  try {
    await git.raw(['fetch', '--depth=1', '--no-tags', 'origin', input.baseSha]);
    await git.raw(['apply', '--3way', '--index', '--whitespace=nowarn', patchFile]);
  } catch {
    await git.raw(['reset', '-q', '--hard', tip]).catch(() => undefined);
    throw new UserError(`Someone pushed to \`${input.branch}\` while the agent was working, and the agent's change conflicts with it, so nothing was pushed. Comment again to let the agent start from the new head.`);
  }
}

function isRaceLost(err: unknown): boolean {
  const text = err instanceof Error ? err.message : String(err);
  return /\[rejected\]|\[remote rejected\]|non-fast-forward|fetch first|cannot lock ref/i.test(text);
}

function hostGit(dir: string, token: string): SimpleGit {
  return simpleGit({ baseDir: dir, unsafe: { allowUnsafeConfigEnvCount: true } }).env({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    // The host's own git configuration (credential helpers, hooks paths) must not take part.
    GIT_CONFIG_NOSYSTEM: '1',
    ...gitAuthEnv(token),
  });
}

async function remoteBranches(git: SimpleGit, pattern: string): Promise<Set<string>> {
  const out = await git.raw(['ls-remote', '--heads', 'origin', pattern]);
  const names = new Set<string>();
  for (const line of out.split('\n')) {
    const ref = line.split('\t')[1];
    if (ref?.startsWith('refs/heads/')) names.add(ref.slice('refs/heads/'.length));
  }
  return names;
}
