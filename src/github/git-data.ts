import type { Octokit } from './octokit.js';

/** One path of a new tree: a blob of ours, or a deletion (`sha: null`). */
export interface TreeEntry {
  path: string;
  mode: '100644' | '100755' | '120000';
  sha: string | null;
}

/** How many blobs are created at once: GitHub's secondary limits frown on many concurrent writes. */
export const BLOB_CONCURRENCY = 4;

/**
 * One repository's Git database through GitHub's REST API (blobs, trees, commits, refs), with the
 * client it is given (the app's own requests, never a token handed to git), counting its calls.
 * Commits are created with no author, committer or signature of ours, so GitHub makes the app's bot
 * their author and committer and signs them (a Verified commit).
 */
export class GitData {
  /** API calls made, reads and writes. */
  calls = 0;
  writes = 0;

  constructor(
    private readonly octokit: Octokit,
    readonly owner: string,
    readonly repo: string,
  ) {}

  /**
   * Creates a blob for every content (keyed by git's id of it), `BLOB_CONCURRENCY` at a time, and checks
   * that GitHub stored it under that id: the tree then holds exactly the bytes vetted.
   */
  async createBlobs(contents: ReadonlyMap<string, Buffer>): Promise<void> {
    const queue = [...contents.entries()];
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const [id, content] = next;
        const { data } = await this.#write(() => this.octokit.rest.git.createBlob({ owner: this.owner, repo: this.repo, content: content.toString('base64'), encoding: 'base64' }));
        if (data.sha !== id) throw new Error(`GitHub stored a blob as ${data.sha}, expected ${id}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(BLOB_CONCURRENCY, queue.length) }, worker));
  }

  /** The tree of a commit. */
  async treeOf(commit: string): Promise<string> {
    const { data } = await this.#read(() => this.octokit.rest.git.getCommit({ owner: this.owner, repo: this.repo, commit_sha: commit }));
    return data.tree.sha;
  }

  /** A tree: `base` with the entries put in (nested paths are created, `sha: null` deletes). */
  async createTree(base: string, entries: readonly TreeEntry[]): Promise<string> {
    const { data } = await this.#write(() =>
      this.octokit.rest.git.createTree({
        owner: this.owner,
        repo: this.repo,
        base_tree: base,
        tree: entries.map((e) => ({ path: e.path, mode: e.mode, type: 'blob' as const, sha: e.sha })),
      }),
    );
    return data.sha;
  }

  /** A commit of `tree` on `parent`, with no author or committer given (GitHub signs it). */
  async createCommit(o: { message: string; tree: string; parent: string }): Promise<string> {
    const { data } = await this.#write(() => this.octokit.rest.git.createCommit({ owner: this.owner, repo: this.repo, message: o.message, tree: o.tree, parents: [o.parent] }));
    return data.sha;
  }

  /** The names of the branches starting with `prefix`. */
  async branchesStartingWith(prefix: string): Promise<Set<string>> {
    const { data } = await this.#read(() => this.octokit.rest.git.listMatchingRefs({ owner: this.owner, repo: this.repo, ref: `heads/${prefix}`, per_page: 100 }));
    return new Set(data.map((r) => r.ref.replace(/^refs\/heads\//, '')));
  }

  /** Creates a branch; false when a branch of that name exists already. */
  async createBranch(branch: string, sha: string): Promise<boolean> {
    try {
      await this.#write(() => this.octokit.rest.git.createRef({ owner: this.owner, repo: this.repo, ref: `refs/heads/${branch}`, sha }));
      return true;
    } catch (err) {
      if (statusOf(err) === 422 && /already exists/i.test(messageOf(err))) return false;
      throw err;
    }
  }

  /** Moves a branch to `sha` only as a fast-forward (`force: false`); GitHub's refusal when it did not (the branch moved, or a rule). */
  async fastForward(branch: string, sha: string): Promise<true | { message: string }> {
    try {
      await this.#write(() => this.octokit.rest.git.updateRef({ owner: this.owner, repo: this.repo, ref: `heads/${branch}`, sha, force: false }));
      return true;
    } catch (err) {
      if (statusOf(err) === 422) return { message: messageOf(err) };
      throw err;
    }
  }

  /** The branch's head, or undefined when the branch is gone. */
  async head(branch: string): Promise<string | undefined> {
    try {
      const { data } = await this.#read(() => this.octokit.rest.git.getRef({ owner: this.owner, repo: this.repo, ref: `heads/${branch}` }));
      return data.object.sha;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /**
   * The paths the commits after `base` up to `head` changed, or undefined when `head` does not simply
   * follow `base` (history rewritten) or GitHub lists no more than its first 300 files.
   */
  async pathsChangedSince(base: string, head: string): Promise<Set<string> | undefined> {
    const { data } = await this.#read(() =>
      this.octokit.rest.repos.compareCommitsWithBasehead({ owner: this.owner, repo: this.repo, basehead: `${base}...${head}`, per_page: 100 }),
    );
    if (data.status !== 'ahead' || data.files === undefined || data.files.length >= 300) return undefined;
    const paths = new Set<string>();
    for (const f of data.files) {
      paths.add(f.filename);
      if (f.previous_filename !== undefined) paths.add(f.previous_filename);
    }
    return paths;
  }

  /** The content of a file in a commit (GitHub's, not the sandbox's), or undefined when there is no plain file there. */
  async fileAt(path: string, ref: string): Promise<Buffer | undefined> {
    try {
      const { data } = await this.#read(() => this.octokit.rest.repos.getContent({ owner: this.owner, repo: this.repo, path, ref }));
      if (Array.isArray(data) || data.type !== 'file') return undefined;
      if ('content' in data && data.content !== '' && data.encoding === 'base64') return Buffer.from(data.content, 'base64');
      // Over 1 MB the contents API leaves the content out; the blob has it.
      const blob = await this.#read(() => this.octokit.rest.git.getBlob({ owner: this.owner, repo: this.repo, file_sha: data.sha }));
      return Buffer.from(blob.data.content, 'base64');
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  #read<T>(call: () => Promise<T>): Promise<T> {
    this.calls += 1;
    return call();
  }

  #write<T>(call: () => Promise<T>): Promise<T> {
    this.calls += 1;
    this.writes += 1;
    return call();
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { status?: number }).status;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
