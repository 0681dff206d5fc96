import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GitDataAnswer {
  status: number;
  body?: unknown;
}

/** A call the Git Data routes answered, for assertions. */
export interface GitDataCall {
  method: string;
  path: string;
  body: unknown;
  status: number;
}

/** The identity GitHub gives a commit an app creates through the API with no author or committer. */
export const APP_BOT = { name: 'issuesmith[bot]', email: '4242+issuesmith[bot]@users.noreply.127.0.0.1' };

/**
 * GitHub's Git Data API (blobs, trees, commits, refs) and the reads around it (compare, contents),
 * answered by git plumbing on a real bare repository, so what the app builds through the API is
 * exactly what git builds: `hash-object -w` for blobs, `read-tree` + `update-index --index-info` +
 * `write-tree` for a tree on a base tree, `commit-tree` for commits, `update-ref` with the old value
 * for refs (a fast-forward check unless forced). `level` is what the request's token may do.
 */
export class GitDataBackend {
  readonly calls: GitDataCall[] = [];
  /** GitHub lists a tree of over 100,000 entries only in part (`truncated: true`): a test turns that on. */
  truncateTrees = false;
  /** Runs before a route answers (a test moves a branch here to stage a race); `undefined` lets it through. */
  before?: (method: string, path: string, body: unknown) => GitDataAnswer | undefined;

  constructor(readonly bareOf: (owner: string, repo: string) => string) {}

  /** Answers a request under /repos/{owner}/{repo}/, or undefined when it is not one of these routes. */
  handle(method: string, fullPath: string, query: URLSearchParams, body: unknown, level: 'read' | 'write' | undefined): GitDataAnswer | undefined {
    const m = /^\/repos\/([^/]+)\/([^/]+)(\/(?:git\/.*|compare\/.*|contents\/.*))$/.exec(fullPath);
    if (!m) return undefined;
    const owner = decodeURIComponent(m[1] ?? '');
    const repo = decodeURIComponent(m[2] ?? '');
    // Octokit encodes a ref's or a file's slashes in the URL; GitHub takes either.
    const path = decodeURIComponent(m[3] ?? '');
    // The settings file has routes of its own in the fakes.
    if (/^\/contents\/\.github(%2F|\/)issuesmith\.yml$/i.test(path)) return undefined;
    const answer = this.before?.(method, path, body) ?? this.#route(this.bareOf(owner, repo), method, path, query, body, level);
    if (answer !== undefined) this.calls.push({ method, path, body, status: answer.status });
    return answer;
  }

  /** The write calls answered (blobs, trees, commits, refs). */
  writes(): GitDataCall[] {
    return this.calls.filter((c) => c.method !== 'GET');
  }

  #route(bare: string, method: string, path: string, query: URLSearchParams, body: unknown, level: 'read' | 'write' | undefined): GitDataAnswer | undefined {
    const git = (args: string[], o: { input?: string | Buffer; env?: Record<string, string> } = {}): string =>
      execFileSync('git', ['--git-dir', bare, ...args], {
        encoding: 'utf8',
        input: o.input,
        env: { PATH: process.env.PATH ?? '', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...o.env },
        maxBuffer: 1024 * 1024 * 1024,
      }).trim();
    const tryGit = (args: string[]): string | undefined => {
      try {
        return git(args);
      } catch {
        return undefined;
      }
    };
    const b = (body ?? {}) as Record<string, unknown>;
    if (method !== 'GET' && level !== 'write') return { status: 403, body: { message: 'Resource not accessible by integration' } };
    if (level === undefined) return { status: 401, body: { message: 'Bad credentials' } };
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/git/blobs') {
      if (b.encoding !== 'base64' || typeof b.content !== 'string') return { status: 422, body: { message: 'Invalid request' } };
      const sha = git(['hash-object', '-w', '--stdin'], { input: Buffer.from(b.content, 'base64') });
      return { status: 201, body: { sha, url: `blobs/${sha}` } };
    }
    if (method === 'GET' && (m = /^\/git\/blobs\/([0-9a-f]{40})$/.exec(path))) {
      const content = execFileSync('git', ['--git-dir', bare, 'cat-file', 'blob', m[1] ?? '']);
      return { status: 200, body: { sha: m[1], size: content.byteLength, encoding: 'base64', content: content.toString('base64') } };
    }
    if (method === 'GET' && (m = /^\/git\/commits\/([0-9a-f]{40})$/.exec(path))) {
      const text = tryGit(['cat-file', 'commit', m[1] ?? '']);
      if (text === undefined) return { status: 404, body: { message: 'Not Found' } };
      const tree = /^tree ([0-9a-f]{40})$/m.exec(text)?.[1];
      const parents = [...text.matchAll(/^parent ([0-9a-f]{40})$/gm)].map((p) => ({ sha: p[1] }));
      return { status: 200, body: { sha: m[1], tree: { sha: tree }, parents, message: text.slice(text.indexOf('\n\n') + 2) } };
    }
    if (method === 'POST' && path === '/git/trees') {
      const entries = (b.tree ?? []) as Array<{ path: string; mode: string; type: string; sha?: string | null; content?: string }>;
      const index = join(mkdtempSync(join(tmpdir(), 'fake-gh-index-')), 'index');
      try {
        const env = { GIT_INDEX_FILE: index };
        if (typeof b.base_tree === 'string') {
          if (tryGit(['cat-file', '-e', `${b.base_tree}^{tree}`]) === undefined) return { status: 422, body: { message: 'base_tree is not a valid tree oid' } };
          git(['read-tree', b.base_tree], { env });
        }
        // Deletions first, so a path can turn from a file into a directory in one tree.
        const ordered = [...entries.filter((e) => e.sha === null), ...entries.filter((e) => e.sha !== null)];
        // GitHub writes the blob of an entry given as `content` (text, stored as its UTF-8 bytes); one of `sha` and `content`, never both.
        for (const e of ordered) {
          if (e.content === undefined) continue;
          if (e.sha !== undefined) return { status: 422, body: { message: 'tree.sha and tree.content cannot both be given' } };
          e.sha = git(['hash-object', '-w', '--stdin'], { input: Buffer.from(e.content, 'utf8') });
        }
        const records: string[] = [];
        for (const e of ordered) {
          if (!['100644', '100755', '120000'].includes(e.mode) || e.type !== 'blob')
            return { status: 422, body: { message: `tree.mode ${e.mode} / type ${e.type} not supported here` } };
          if (e.sha === null) {
            records.push(`0 ${'0'.repeat(40)}\t${e.path}`);
            continue;
          }
          if (tryGit(['cat-file', '-t', e.sha ?? '']) !== 'blob') return { status: 422, body: { message: `tree.sha ${e.sha} is not a valid blob` } };
          records.push(`${e.mode} ${e.sha ?? ''}\t${e.path}`);
        }
        git(['update-index', '-z', '--index-info'], { env, input: records.map((r) => `${r}\0`).join('') });
        const sha = git(['write-tree'], { env });
        return { status: 201, body: { sha } };
      } finally {
        rmSync(join(index, '..'), { recursive: true, force: true });
      }
    }
    if (method === 'GET' && (m = /^\/git\/trees\/([0-9a-f]{40})$/.exec(path))) {
      const recursive = query.get('recursive') !== null;
      const listing = tryGit(['ls-tree', '-z', '--full-tree', ...(recursive ? ['-r', '-t'] : []), m[1] ?? '']);
      if (listing === undefined) return { status: 404, body: { message: 'Not Found' } };
      const tree = listing
        .split('\0')
        .filter((l) => l !== '')
        .map((l) => {
          const [meta = '', p = ''] = l.split('\t');
          const [mode, type, sha] = meta.split(' ');
          return { path: p, mode, type, sha };
        });
      return { status: 200, body: { sha: m[1], tree, truncated: this.truncateTrees } };
    }
    if (method === 'POST' && path === '/git/commits') {
      const parents = (b.parents ?? []) as string[];
      // GitHub signs a commit an app makes only when it names no author, committer or signature: the app's bot is both.
      const author = (b.author as { name: string; email: string } | undefined) ?? APP_BOT;
      const committer = (b.committer as { name: string; email: string } | undefined) ?? author;
      const sha = git(['commit-tree', String(b.tree), ...parents.flatMap((p) => ['-p', p]), '-F', '-'], {
        input: String(b.message ?? ''),
        env: { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email, GIT_COMMITTER_NAME: committer.name, GIT_COMMITTER_EMAIL: committer.email },
      });
      const signed = b.author === undefined && b.committer === undefined && b.signature === undefined;
      return {
        status: 201,
        body: { sha, tree: { sha: b.tree }, parents: parents.map((p) => ({ sha: p })), verification: { verified: signed, reason: signed ? 'valid' : 'unsigned' } },
      };
    }
    if (method === 'POST' && path === '/git/refs') {
      const ref = String(b.ref ?? '');
      if (!/^refs\/heads\/./.test(ref) || tryGit(['check-ref-format', ref]) === undefined) return { status: 422, body: { message: `${ref} is not a valid ref name.` } };
      if (tryGit(['rev-parse', '--verify', '--quiet', ref]) !== undefined) return { status: 422, body: { message: 'Reference already exists' } };
      git(['update-ref', ref, String(b.sha), '']);
      return { status: 201, body: { ref, object: { sha: b.sha, type: 'commit' } } };
    }
    if (method === 'PATCH' && (m = /^\/git\/refs\/(heads\/.+)$/.exec(path))) {
      const ref = `refs/${m[1] ?? ''}`;
      const old = tryGit(['rev-parse', '--verify', '--quiet', ref]);
      if (old === undefined) return { status: 422, body: { message: 'Reference does not exist' } };
      const sha = String(b.sha);
      if (b.force !== true && tryGit(['merge-base', '--is-ancestor', old, sha]) === undefined) return { status: 422, body: { message: 'Update is not a fast forward' } };
      if (tryGit(['update-ref', ref, sha, old]) === undefined) return { status: 422, body: { message: 'Reference cannot be updated' } };
      return { status: 200, body: { ref, object: { sha, type: 'commit' } } };
    }
    if (method === 'GET' && (m = /^\/git\/ref\/(heads\/.+)$/.exec(path))) {
      const ref = `refs/${m[1] ?? ''}`;
      const sha = tryGit(['rev-parse', '--verify', '--quiet', ref]);
      return sha === undefined ? { status: 404, body: { message: 'Not Found' } } : { status: 200, body: { ref, object: { sha, type: 'commit' } } };
    }
    if (method === 'GET' && (m = /^\/git\/matching-refs\/(heads\/.*)$/.exec(path))) {
      const prefix = `refs/${m[1] ?? ''}`;
      const refs = git(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads'])
        .split('\n')
        .filter((l) => l !== '' && l.startsWith(prefix))
        .map((l) => {
          const [ref, sha] = l.split(' ');
          return { ref, object: { sha, type: 'commit' } };
        });
      return { status: 200, body: refs };
    }
    if (method === 'GET' && (m = /^\/compare\/([0-9a-f]{40})\.\.\.([0-9a-f]{40})$/.exec(path))) {
      const [, base = '', head = ''] = m;
      const status = base === head ? 'identical' : tryGit(['merge-base', '--is-ancestor', base, head]) !== undefined ? 'ahead' : 'diverged';
      const mergeBase = tryGit(['merge-base', base, head]) ?? base;
      const files = git(['diff-tree', '-r', '-z', '--name-only', '--no-renames', mergeBase, head])
        .split('\0')
        .filter((f) => f !== '')
        .map((filename) => ({ filename, status: 'modified' }));
      return { status: 200, body: { status, files } };
    }
    if (method === 'GET' && (m = /^\/contents\/(.+)$/.exec(path))) {
      const file = m[1] ?? '';
      const ref = query.get('ref') ?? 'HEAD';
      const line = tryGit(['ls-tree', '-z', ref, '--', file])?.split('\0')[0];
      const [meta = '', name] = (line ?? '').split('\t');
      const [mode, type, sha = ''] = meta.split(' ');
      if (line === undefined || line === '' || name !== file) return { status: 404, body: { message: 'Not Found' } };
      if (type !== 'blob' || mode === '120000') return { status: 200, body: { type: mode === '120000' ? 'symlink' : 'dir', sha, path: file } };
      const content = execFileSync('git', ['--git-dir', bare, 'cat-file', 'blob', sha]);
      return { status: 200, body: { type: 'file', sha, path: file, size: content.byteLength, encoding: 'base64', content: content.toString('base64') } };
    }
    return undefined;
  }
}
