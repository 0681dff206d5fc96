import { HostGit } from './host-git.js';
import { describe, readBlobs, type ChangedFile } from './staged-change.js';

/** One commit of the range and what it brings: the files it changes against every one of its parents. */
export interface RangeCommit {
  sha: string;
  parents: string[];
  files: ChangedFile[];
}

/**
 * Commits of another repository's history (a fork's pull request, fetched from the base repository's
 * `refs/pull/N/head`) in a bare repository on the host (HostGit: no work tree, no repository
 * configuration, hooks or filters). What the range brings into the base repository is read from git
 * itself, commit by commit, so a file added in one commit and removed in the next is still seen.
 */
export class CommitRange {
  private constructor(
    readonly git: HostGit,
    readonly head: string,
    readonly commits: RangeCommit[],
  ) {}

  /**
   * Fetches `head` deep enough to hold every commit of `inRange` (the pull request's commits, as GitHub
   * lists them) and their parents: a commit of the range is at most `inRange.length - 1` commits from
   * the head, along commits of the range. Then walks from the head through the parents recorded in the
   * commit objects: a commit GitHub listed is part of the range, any other is already in the base
   * repository's history and ends the walk. A listed commit the walk needs and the fetch did not bring
   * is an error, never a commit left unchecked.
   */
  static async fetch(o: { remoteUrl: string; auth: Record<string, string>; head: string; inRange: ReadonlySet<string>; workDir: string }): Promise<CommitRange> {
    const git = await HostGit.create(o.workDir);
    try {
      await git.run(['fetch', '--quiet', `--depth=${o.inRange.size + 1}`, '--no-tags', '--', o.remoteUrl, o.head], { auth: o.auth });
      const commits: RangeCommit[] = [];
      const seen = new Set<string>();
      const queue = [o.head];
      for (let sha = queue.shift(); sha !== undefined; sha = queue.shift()) {
        if (seen.has(sha) || !o.inRange.has(sha)) continue;
        seen.add(sha);
        const parents = await parentsOf(git, sha);
        commits.push({ sha, parents, files: await brings(git, sha, parents) });
        queue.push(...parents);
      }
      return new CommitRange(git, o.head, commits);
    } catch (err) {
      await git.dispose();
      throw err;
    }
  }

  /** Every change of every commit of the range. */
  files(): ChangedFile[] {
    return this.commits.flatMap((c) => c.files);
  }

  /** The contents of blobs of the range, by id. */
  blobs(ids: readonly string[]): Promise<Map<string, Buffer>> {
    return readBlobs(this.git, ids);
  }

  async dispose(): Promise<void> {
    await this.git.dispose();
  }
}

/** The parents the commit object records (a shallow fetch's boundary hides them from rev-list, not from the object). */
async function parentsOf(git: HostGit, sha: string): Promise<string[]> {
  const text = await git.run(['cat-file', 'commit', sha]);
  const header = text.slice(0, text.indexOf('\n\n') === -1 ? text.length : text.indexOf('\n\n'));
  return header
    .split('\n')
    .filter((l) => l.startsWith('parent '))
    .map((l) => l.slice('parent '.length).trim());
}

/**
 * What a commit brings: against its one parent, its diff; a root commit, everything it holds; a merge,
 * the changes that differ from every parent (git's combined view), since whatever a merge takes from
 * a parent as it was is that parent's: in the base repository already, or checked as part of the range.
 */
async function brings(git: HostGit, sha: string, parents: readonly string[]): Promise<ChangedFile[]> {
  const [first, ...others] = parents.length > 0 ? parents : [await emptyTree(git)];
  const against = await describe(git, first ?? '', sha);
  if (others.length === 0) return against;
  const elsewhere = await Promise.all(others.map(async (p) => new Set((await describe(git, p, sha)).map((f) => f.path))));
  return against.filter((f) => elsewhere.every((paths) => paths.has(f.path)));
}

async function emptyTree(git: HostGit): Promise<string> {
  return (await git.run(['hash-object', '-t', 'tree', '-w', '--stdin'], { input: '' })).trim();
}
