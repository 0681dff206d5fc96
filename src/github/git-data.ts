import type { Octokit } from './octokit.js';

/** One path of a new tree: a blob of ours, or a deletion (`sha: null`). */
export interface TreeEntry {
  path: string;
  mode: '100644' | '100755' | '120000';
  sha: string | null;
}

/** How many blobs are created at once: GitHub's secondary limits frown on many concurrent writes. */
export const BLOB_CONCURRENCY = 4;

/** A file this large or smaller, in UTF-8 that reads back byte for byte and holds no NUL, goes inside the tree request. */
export const INLINE_MAX_BYTES = 512 * 1024;
/** All the files inside one tree request together: the rest get blobs of their own. */
export const INLINE_TOTAL_MAX_BYTES = 4 * 1024 * 1024;

/**
 * The contents that go inside the tree request as text (`content`) instead of a blob write each: UTF-8
 * that decodes and encodes back to the very same bytes, no NUL, within the caps. Every write costs an
 * installation about a second of GitHub's budget, so a change of text files is three writes, not N + 3.
 */
export function inlineContents(contents: ReadonlyMap<string, Buffer>): Map<string, string> {
  const inline = new Map<string, string>();
  let total = 0;
  for (const [id, content] of contents) {
    if (content.byteLength > INLINE_MAX_BYTES || total + content.byteLength > INLINE_TOTAL_MAX_BYTES || content.includes(0)) continue;
    const text = content.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(content)) continue;
    inline.set(id, text);
    total += content.byteLength;
  }
  return inline;
}

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

  /**
   * A tree: `base` with the entries put in (nested paths are created, `sha: null` deletes). An entry
   * whose blob is in `inline` goes with its text as `content`, and GitHub writes the blob; the tree is
   * then read back (one read) and must hold every entry under the very id git gave its content, or
   * nothing points at it and this throws.
   */
  async createTree(base: string, entries: readonly TreeEntry[], inline: ReadonlyMap<string, string> = new Map()): Promise<string> {
    const { data } = await this.#write(() =>
      this.octokit.rest.git.createTree({
        owner: this.owner,
        repo: this.repo,
        base_tree: base,
        tree: entries.map((e) => {
          const text = e.sha === null ? undefined : inline.get(e.sha);
          return text === undefined ? { path: e.path, mode: e.mode, type: 'blob' as const, sha: e.sha } : { path: e.path, mode: e.mode, type: 'blob' as const, content: text };
        }),
      }),
    );
    if (entries.some((e) => e.sha !== null && inline.has(e.sha))) await this.#checkTree(data.sha, entries);
    return data.sha;
  }

  /** Reads a new tree back and checks that each entry holds the blob and mode it should, and each deletion is gone. */
  async #checkTree(tree: string, entries: readonly TreeEntry[]): Promise<void> {
    const { data } = await this.#read(() => this.octokit.rest.git.getTree({ owner: this.owner, repo: this.repo, tree_sha: tree, recursive: 'true' }));
    if (data.truncated) throw new TreeNotCheckedError(tree);
    const held = new Map(data.tree.map((t) => [t.path ?? '', t]));
    for (const e of entries) {
      const got = held.get(e.path);
      const ok = e.sha === null ? got === undefined || got.type !== 'blob' : got?.type === 'blob' && got.sha === e.sha && got.mode === e.mode;
      if (!ok) throw new Error(`GitHub's tree ${tree} holds ${e.path} as ${got?.sha ?? 'nothing'} (${got?.mode ?? '-'}), expected ${e.sha ?? 'nothing'} (${e.mode})`);
    }
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

/** A tree too large for GitHub to list whole, so its inline contents could not be checked: the caller writes blobs instead. */
export class TreeNotCheckedError extends Error {
  constructor(readonly tree: string) {
    super(`GitHub listed the tree ${tree} only in part`);
    this.name = 'TreeNotCheckedError';
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { status?: number }).status;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
