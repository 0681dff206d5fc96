import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
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
