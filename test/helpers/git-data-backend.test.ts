import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APP_BOT, GitDataBackend, isRefName, type TreeInput } from './git-data-backend.js';
import { GitServer } from './git-server.js';

const ENV = { PATH: process.env.PATH ?? '', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', TZ: process.env.TZ ?? '' };

/** The fake Git Data API must write what git itself writes: every check here asks real git. */
describe('the fake Git Data backend, checked against git', () => {
  let dir: string;
  let bare: string;
  let backend: GitDataBackend;

  const git = (args: string[], o: { input?: string | Buffer; env?: Record<string, string> } = {}): string =>
    execFileSync('git', ['--git-dir', bare, ...args], { input: o.input, env: { ...ENV, ...o.env }, encoding: 'utf8', maxBuffer: 1 << 28, stdio: 'pipe' }).replace(/\n$/, '');
  const api = (method: string, path: string, body?: unknown, query = ''): { status: number; body: unknown } => {
    const a = backend.handle(method, `/repos/acme/widgets${path}`, new URLSearchParams(query), body, 'write');
    if (a === undefined) throw new Error(`no route for ${method} ${path}`);
    return { status: a.status, body: a.body };
  };
  const sha = (a: { body: unknown }): string => (a.body as { sha: string }).sha;
  const blob = (content: string | Buffer): string => sha(api('POST', '/git/blobs', { content: Buffer.from(content).toString('base64'), encoding: 'base64' }));

  /** What git's index makes of the same request: read-tree of the base, deletions then additions through update-index, write-tree. */
  function gitTree(base: string | undefined, entries: readonly TreeInput[]): string {
    const index = join(dir, `index-${randomBytes(4).toString('hex')}`);
    const env = { GIT_INDEX_FILE: index };
    if (base !== undefined) git(['read-tree', base], { env });
    const ordered = [...entries.filter((e) => e.sha === null), ...entries.filter((e) => e.sha !== null)];
    const records = ordered.map((e) => (e.sha === null ? `0 ${'0'.repeat(40)}\t${e.path}\0` : `${e.mode} ${e.sha}\t${e.path}\0`));
    git(['update-index', '-z', '--index-info'], { env, input: records.join('') });
    return git(['write-tree'], { env });
  }

  /** A base tree git built from files (path → content, or [mode, sha] for a symlink or submodule). */
  function base(files: Record<string, string | [string, string]>): string {
    return gitTree(
      undefined,
      Object.entries(files).map(([path, c]) =>
        typeof c === 'string' ? { path, mode: '100644', sha: git(['hash-object', '-w', '--stdin'], { input: c }) } : { path, mode: c[0], sha: c[1] },
      ),
    );
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'issuesmith-gitdata-'));
    bare = join(dir, 'acme', 'widgets.git');
    mkdirSync(bare, { recursive: true });
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare], { env: ENV });
    git(['config', 'gc.auto', '0']);
    backend = new GitDataBackend(() => bare);
  });

  afterEach(() => {
    // Whatever a test wrote, git must find the repository sound.
    git(['fsck', '--strict', '--no-dangling']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores blobs under the ids git gives them, as loose objects git reads back byte for byte', () => {
    for (const content of [Buffer.alloc(0), Buffer.from('hello\n'), randomBytes(100_000), Buffer.from('naïve – 日本語 ☃\r\n')]) {
      const id = blob(content);
      expect(id).toBe(git(['hash-object', '--stdin'], { input: content }));
      expect(execFileSync('git', ['--git-dir', bare, 'cat-file', 'blob', id], { env: ENV, maxBuffer: 1 << 28 }).equals(content), `blob ${id}`).toBe(true);
    }
    expect(api('POST', '/git/blobs', { content: 'x', encoding: 'utf-8' }).status).toBe(422);
  });

  const X = 'f'.repeat(40);
  const cases: Array<[string, Record<string, string | [string, string]> | undefined, (b: (s: string) => string) => TreeInput[]]> = [
    [
      'new files with spaces and Unicode in their names, and nested new directories',
      { 'README.md': '# hi\n' },
      (b) => [
        { path: 'docs/café notes/naïve – 日本語 ☃.md', mode: '100644', type: 'blob', sha: b('ü\n') },
        { path: ' leading and trailing space ', mode: '100644', type: 'blob', sha: b('x\n') },
        { path: 'a/b/c/d/e.txt', mode: '100644', type: 'blob', sha: b('deep\n') },
      ],
    ],
    [
      'the executable bit, a symlink and a submodule',
      { 'scripts/run.sh': 'echo\n', 'src/app.js': '1\n' },
      (b) => [
        { path: 'scripts/run.sh', mode: '100755', type: 'blob', sha: b('echo\n') },
        { path: 'link', mode: '120000', type: 'blob', sha: b('src/app.js') },
        { path: 'vendor/lib', mode: '160000', type: 'commit', sha: X },
      ],
    ],
    [
      'names whose order only git knows (a directory sorts as if its name ended in a slash)',
      { 'foo/x': '1\n', 'a.b': '2\n' },
      (b) => [
        { path: 'foo.txt', mode: '100644', type: 'blob', sha: b('3\n') },
        { path: 'foo-bar', mode: '100644', type: 'blob', sha: b('4\n') },
        { path: 'foo0', mode: '100644', type: 'blob', sha: b('5\n') },
        { path: 'a/b', mode: '100644', type: 'blob', sha: b('6\n') },
        { path: 'a-', mode: '100644', type: 'blob', sha: b('7\n') },
        { path: 'Z', mode: '100644', type: 'blob', sha: b('8\n') },
        { path: 'é', mode: '100644', type: 'blob', sha: b('9\n') },
      ],
    ],
    [
      'a file turned into a directory',
      { 'remove-me.txt': 'bye\n', 'keep.txt': 'k\n' },
      (b) => [
        { path: 'remove-me.txt/inside.txt', mode: '100644', type: 'blob', sha: b('inside\n') },
        { path: 'remove-me.txt', mode: '100644', type: 'blob', sha: null },
      ],
    ],
    [
      'a file put where a directory was, and a path through a file',
      { 'd/x': '1\n', 'd/y/z': '2\n', f: '3\n' },
      (b) => [
        { path: 'd', mode: '100644', type: 'blob', sha: b('now a file\n') },
        { path: 'f/g', mode: '100644', type: 'blob', sha: b('through\n') },
      ],
    ],
    [
      'deletions that empty a directory and its parent',
      { 'a/b/only.txt': '1\n', 'a/c.txt': '2\n', 'keep/k.txt': '3\n', 'top.txt': '4\n' },
      () => [
        { path: 'a/b/only.txt', mode: '100644', type: 'blob', sha: null },
        { path: 'a/c.txt', mode: '100644', type: 'blob', sha: null },
        { path: 'top.txt', mode: '100644', type: 'blob', sha: null },
      ],
    ],
    [
      'deleting what is not there, or a whole directory by its name (git leaves both alone)',
      { 'docs/a.md': '1\n', 'src/b.js': '2\n' },
      () => [
        { path: 'nothing/here.txt', mode: '100644', type: 'blob', sha: null },
        { path: 'docs', mode: '100644', type: 'blob', sha: null },
        { path: 'src/b.js/deeper', mode: '100644', type: 'blob', sha: null },
      ],
    ],
    [
      'every file deleted',
      { 'a.txt': '1\n', 'b/c.txt': '2\n' },
      () => [
        { path: 'a.txt', mode: '100644', type: 'blob', sha: null },
        { path: 'b/c.txt', mode: '100644', type: 'blob', sha: null },
      ],
    ],
    [
      'a tree with no base',
      undefined,
      (b) => [
        { path: 'x/y.txt', mode: '100644', type: 'blob', sha: b('y\n') },
        { path: 'x.txt', mode: '100755', type: 'blob', sha: b('x\n') },
      ],
    ],
    [
      'a base with a submodule and a symlink, left as they are',
      { sub: ['160000', X], ln: ['120000', ''], 'src/a.js': '1\n' },
      (b) => [{ path: 'src/b.js', mode: '100644', type: 'blob', sha: b('2\n') }],
    ],
    [
      'a submodule replaced by a file, and the reverse',
      { sub: ['160000', X], file: 'f\n' },
      (b) => [
        { path: 'sub', mode: '100644', type: 'blob', sha: b('not a submodule\n') },
        { path: 'file', mode: '160000', type: 'commit', sha: X },
      ],
    ],
  ];

  it.each(cases)('builds the tree git builds for %s', (_name, files, entries) => {
    const fixed =
      files === undefined
        ? undefined
        : Object.fromEntries(Object.entries(files).map(([p, c]) => [p, Array.isArray(c) && c[1] === '' ? ([c[0], blob('target')] as [string, string]) : c]));
    const baseTree = fixed === undefined ? undefined : base(fixed);
    const request = entries(blob);
    const answer = api('POST', '/git/trees', baseTree === undefined ? { tree: request } : { base_tree: baseTree, tree: request });
    expect(answer.status).toBe(201);
    expect(sha(answer)).toBe(gitTree(baseTree, request));
    expect(git(['cat-file', '-t', sha(answer)])).toBe('tree');
  });

  it('takes a commit as base_tree, a new directory as a tree entry and a file by its content, as GitHub does', () => {
    const baseTree = base({ 'a.txt': '1\n' });
    const commit = git(['commit-tree', baseTree, '-m', 'base'], { env: { GIT_AUTHOR_NAME: 'A', GIT_AUTHOR_EMAIL: 'a@x', GIT_COMMITTER_NAME: 'A', GIT_COMMITTER_EMAIL: 'a@x' } });
    const sub = base({ 'inner.txt': 'in\n' });
    const answer = api('POST', '/git/trees', {
      base_tree: commit,
      tree: [
        { path: 'lib/sub', mode: '040000', type: 'tree', sha: sub },
        { path: 'b.txt', mode: '100644', type: 'blob', content: 'b\n' },
      ],
    });
    expect(answer.status).toBe(201);
    expect(git(['ls-tree', '-r', sha(answer)]).split('\n')).toEqual([
      `100644 blob ${git(['hash-object', '--stdin'], { input: '1\n' })}\ta.txt`,
      `100644 blob ${git(['hash-object', '--stdin'], { input: 'b\n' })}\tb.txt`,
      `100644 blob ${git(['hash-object', '--stdin'], { input: 'in\n' })}\tlib/sub/inner.txt`,
    ]);
  });

  it.each([
    ['a base tree that is not there', { base_tree: 'e'.repeat(40), tree: [] }, 'base_tree is not a valid tree oid'],
    ['a blob that is not there', { tree: [{ path: 'a', mode: '100644', type: 'blob', sha: 'e'.repeat(40) }] }, `tree.sha ${'e'.repeat(40)} is not a valid blob`],
    ['a mode GitHub does not know', { tree: [{ path: 'a', mode: '100664', type: 'blob', sha: 'e'.repeat(40) }] }, 'tree.mode 100664 / type blob not supported here'],
    ['a path climbing out', { tree: [{ path: '../a', mode: '100644', type: 'blob', content: 'x' }] }, 'tree.path "../a" contains a malformed path component'],
    ['a path into .git', { tree: [{ path: 'x/.GIT/config', mode: '100644', type: 'blob', content: 'x' }] }, 'tree.path "x/.GIT/config" contains a malformed path component'],
    ['an absolute path', { tree: [{ path: '/etc/passwd', mode: '100644', type: 'blob', content: 'x' }] }, 'tree.path "/etc/passwd" contains a malformed path component'],
  ])('refuses a tree with %s (422)', (_name, body, message) => {
    expect(api('POST', '/git/trees', body)).toEqual({ status: 422, body: { message } });
  });

  /** The same commit by `git commit-tree`, at the time and zone the backend's commit has. */
  function gitCommit(tree: string, parents: string[], message: string, author: { name: string; email: string }, committer = author, when?: string): string {
    const date = when ?? /^author .* (\d+ [+-]\d{4})$/m.exec(git(['cat-file', 'commit', 'HEAD']))?.[1] ?? '';
    return git(['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'], {
      input: message,
      env: {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_COMMITTER_NAME: committer.name,
        GIT_COMMITTER_EMAIL: committer.email,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
      },
    });
  }

  it.each([
    ['the app (no author or committer given)', undefined, undefined, 'Fix the widget (#1)\n\nCo-authored-by: octocat <1+octocat@users.noreply.127.0.0.1>'],
    ['an author and another committer', { name: 'Ada Lovelace', email: 'ada@example.com' }, { name: 'Committer', email: 'c@example.com' }, 'one line, no newline'],
    [
      'names git trims ("crud") and a message of odd lines',
      { name: ' .,Dr. <Who>; ', email: ' <who@example.com>. ' },
      undefined,
      'subject  \r\n\n\n  body with trailing space   \n\n\n',
    ],
    ['Unicode everywhere', { name: 'Zoë Ñandú 日本', email: 'zoë@exämple.com' }, undefined, 'naïve – 日本語 ☃\n'],
  ])('writes the commit git commit-tree writes for %s', (_name, author, committer, message) => {
    const tree = base({ 'a.txt': '1\n' });
    const parentCommit = gitCommit(tree, [], 'parent\n', { name: 'P', email: 'p@x' }, undefined, '1700000000 +0000');
    const answer = api('POST', '/git/commits', { message, tree, parents: [parentCommit], ...(author && { author }), ...(committer && { committer }) });
    expect(answer.status).toBe(201);
    const raw = git(['cat-file', 'commit', sha(answer)]);
    const when = /^committer .* (\d+ [+-]\d{4})$/m.exec(raw)?.[1] ?? '';
    expect(sha(answer)).toBe(gitCommit(tree, [parentCommit], message, author ?? APP_BOT, committer ?? author ?? APP_BOT, when));
    expect((answer.body as { verification: { verified: boolean } }).verification.verified).toBe(author === undefined);
  });

  it("dates a commit in this process's time zone, as git does", () => {
    const tree = base({ 'a.txt': '1\n' });
    const ours = git(['cat-file', 'commit', sha(api('POST', '/git/commits', { message: 'm', tree, parents: [] }))]);
    const theirs = git([
      'cat-file',
      'commit',
      git(['commit-tree', tree, '-m', 'm'], { env: { GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a' } }),
    ]);
    const zone = (raw: string): string | undefined => /^author .* \d+ ([+-]\d{4})$/m.exec(raw)?.[1];
    expect(zone(ours)).toBe(zone(theirs));
  });

  it('refuses a commit on a tree or parent that is not there, or an empty name (422)', () => {
    const tree = base({ 'a.txt': '1\n' });
    expect(api('POST', '/git/commits', { message: 'm', tree: 'e'.repeat(40), parents: [] })).toEqual({ status: 422, body: { message: 'Tree SHA does not exist' } });
    expect(api('POST', '/git/commits', { message: 'm', tree, parents: [tree] }).status).toBe(422);
    expect(api('POST', '/git/commits', { message: 'm', tree, parents: [], author: { name: ' <> ', email: 'a@x' } }).status).toBe(422);
  });

  describe('refs', () => {
    let first: string;
    let second: string;
    let other: string;

    beforeEach(() => {
      const tree = base({ 'a.txt': '1\n' });
      first = gitCommit(tree, [], 'first\n', { name: 'P', email: 'p@x' }, undefined, '1700000000 +0000');
      second = gitCommit(tree, [first], 'second\n', { name: 'P', email: 'p@x' }, undefined, '1700000001 +0000');
      other = gitCommit(tree, [first], 'other\n', { name: 'P', email: 'p@x' }, undefined, '1700000002 +0000');
      git(['update-ref', 'refs/heads/main', first]);
    });

    it('creates a branch once, and refuses it a second time or over a branch of the same path', () => {
      expect(api('POST', '/git/refs', { ref: 'refs/heads/feature/x', sha: first })).toEqual({
        status: 201,
        body: { ref: 'refs/heads/feature/x', object: { sha: first, type: 'commit' } },
      });
      expect(git(['rev-parse', 'feature/x'])).toBe(first);
      expect(api('POST', '/git/refs', { ref: 'refs/heads/feature/x', sha: second })).toEqual({ status: 422, body: { message: 'Reference already exists' } });
      // A ref whose name is a directory of refs, or under a ref: git refuses, GitHub answers 422.
      expect(api('POST', '/git/refs', { ref: 'refs/heads/feature', sha: second }).status).toBe(422);
      expect(api('POST', '/git/refs', { ref: 'refs/heads/main/x', sha: second }).status).toBe(422);
      expect(api('POST', '/git/refs', { ref: 'refs/heads/nothing', sha: 'e'.repeat(40) }).status).toBe(422);
      expect(git(['for-each-ref', '--format=%(refname)'])).toBe('refs/heads/feature/x\nrefs/heads/main');
    });

    it('moves a ref only as git update-ref would: the old value, its lock, a commit on a branch, no clash with packed refs', () => {
      const repo = backend.repo(bare);
      const tree = git(['rev-parse', `${first}^{tree}`]);
      expect(repo.updateRef('refs/heads/main', second, other)).toBe(false);
      expect(repo.updateRef('refs/heads/main', tree, first)).toBe(false);
      expect(repo.updateRef('refs/heads/main', second, first)).toBe(true);
      expect(git(['rev-parse', 'main'])).toBe(second);
      // Someone else holds the lock: refused, and their lock left alone.
      writeFileSync(join(bare, 'refs', 'heads', 'main.lock'), '');
      expect(repo.updateRef('refs/heads/main', other, second)).toBe(false);
      expect(existsSync(join(bare, 'refs', 'heads', 'main.lock'))).toBe(true);
      rmSync(join(bare, 'refs', 'heads', 'main.lock'));
      // Packed refs: read as git reads them, and a name over or under one refused.
      git(['update-ref', 'refs/heads/packed/one', first]);
      git(['pack-refs', '--all']);
      expect(repo.updateRef('refs/heads/packed', first, '')).toBe(false);
      expect(repo.updateRef('refs/heads/packed/one/two', first, '')).toBe(false);
      expect(repo.updateRef('refs/heads/packed/one', second, '')).toBe(false);
      expect(repo.updateRef('refs/heads/packed/one', second, first)).toBe(true);
      expect(git(['rev-parse', 'packed/one'])).toBe(second);
      expect(readdirSync(join(bare, 'refs', 'heads')).filter((n) => n.endsWith('.lock'))).toEqual([]);
    });

    it('names refs as git check-ref-format allows them', () => {
      const names = [
        'refs/heads/ok',
        'refs/heads/a.b',
        'refs/heads/ünï',
        'refs/heads/.hidden',
        'refs/heads/a..b',
        'refs/heads/a.lock',
        'refs/heads/a/',
        'refs/heads/a//b',
        'refs/heads/a b',
        'refs/heads/a~1',
        'refs/heads/a^',
        'refs/heads/a:b',
        'refs/heads/a?',
        'refs/heads/a*',
        'refs/heads/a[',
        'refs/heads/a\\b',
        'refs/heads/a@{1}',
        'refs/heads/a.',
        'refs/heads/@',
        'refs/heads/a\tb',
        'refs/heads/x.lock/y',
      ];
      for (const name of names) {
        let valid = true;
        try {
          git(['check-ref-format', name]);
        } catch {
          valid = false;
        }
        expect([name, isRefName(name)]).toEqual([name, valid]);
        expect(api('POST', '/git/refs', { ref: name, sha: first }).status).toBe(valid ? 201 : 422);
      }
    });

    it('moves a branch only fast-forward unless forced, and never a branch that is not there', () => {
      expect(api('PATCH', '/git/refs/heads/main', { sha: second, force: false }).status).toBe(200);
      expect(git(['rev-parse', 'main'])).toBe(second);
      expect(api('PATCH', '/git/refs/heads/main', { sha: other, force: false })).toEqual({ status: 422, body: { message: 'Update is not a fast forward' } });
      expect(api('PATCH', '/git/refs/heads/main', { sha: first })).toEqual({ status: 422, body: { message: 'Update is not a fast forward' } });
      expect(api('PATCH', '/git/refs/heads/main', { sha: second, force: false }).status).toBe(200);
      expect(api('PATCH', '/git/refs/heads/main', { sha: other, force: true }).status).toBe(200);
      expect(git(['rev-parse', 'main'])).toBe(other);
      expect(api('PATCH', '/git/refs/heads/gone', { sha: other, force: true })).toEqual({ status: 422, body: { message: 'Reference does not exist' } });
    });

    it('reads refs loose or packed as git for-each-ref lists them', () => {
      for (const [name, at] of [
        ['issuesmith/1-fix', second],
        ['issuesmith/1-fix-2', other],
        ['issuesmith/10', first],
        ['other', first],
      ] as const)
        git(['update-ref', `refs/heads/${name}`, at]);
      git(['pack-refs', '--all']);
      // A loose ref over its packed value, and one only loose.
      git(['update-ref', 'refs/heads/issuesmith/10', second]);
      git(['update-ref', 'refs/heads/issuesmith/1-fix-ünï', first]);
      // GitHub matches a prefix of the name; for-each-ref matches whole components, so the test filters.
      const listed = git(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads'])
        .split('\n')
        .filter((l) => l.startsWith('refs/heads/issuesmith/1'))
        .map((l) => ({ ref: l.split(' ')[0], object: { sha: l.split(' ')[1], type: 'commit' } }));
      expect(api('GET', '/git/matching-refs/heads/issuesmith/1')).toEqual({ status: 200, body: listed });
      expect(listed).toHaveLength(4);
      expect(api('GET', '/git/ref/heads/issuesmith/10')).toEqual({ status: 200, body: { ref: 'refs/heads/issuesmith/10', object: { sha: second, type: 'commit' } } });
      expect(api('GET', '/git/ref/heads/other')).toEqual({ status: 200, body: { ref: 'refs/heads/other', object: { sha: first, type: 'commit' } } });
      expect(api('GET', '/git/ref/heads/issuesmith').status).toBe(404);
      // A packed branch moves as a loose one does.
      expect(api('PATCH', '/git/refs/heads/other', { sha: second, force: false }).status).toBe(200);
      expect(git(['rev-parse', 'other'])).toBe(second);
    });
  });

  it.each([
    ['with deltas against earlier objects (OFS_DELTA)', []],
    ['with deltas naming their base by id (REF_DELTA)', ['-c', 'repack.useDeltaBaseOffset=false']],
  ])('reads every object of a packed repository as git does, %s', (_name, config) => {
    // Similar files in several commits, so the pack holds deltas.
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(i % 17)}\n`).join('');
    let parent: string | undefined;
    for (let i = 0; i < 4; i++) {
      const tree = base({ 'big.txt': `${lines}change ${i}\n`, [`dir/f${i}.txt`]: `${lines}${i}` });
      parent = gitCommit(tree, parent === undefined ? [] : [parent], `c${i}\n`, { name: 'P', email: 'p@x' }, undefined, `${1700000000 + i} +0000`);
    }
    git(['update-ref', 'refs/heads/main', parent ?? '']);
    execFileSync('git', ['--git-dir', bare, ...config, 'repack', '-a', '-d', '-f', '-q'], { env: ENV });
    const packs = readdirSync(join(bare, 'objects/pack')).filter((f) => f.endsWith('.idx'));
    expect(packs).toHaveLength(1);
    expect(readdirSync(join(bare, 'objects')).filter((d) => /^[0-9a-f]{2}$/.test(d))).toEqual([]);
    const verify = git(['verify-pack', '-v', join(bare, 'objects/pack', packs[0] ?? '')]);
    expect(verify).toMatch(/chain length = [1-9]/);
    const all = git(['cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objecttype)']).split('\n');
    const fresh = new GitDataBackend(() => bare);
    for (const line of all) {
      const [id = '', type = ''] = line.split(' ');
      const ours = fresh.repo(bare).read(id);
      expect(ours?.type).toBe(type);
      expect(ours?.content.equals(execFileSync('git', ['--git-dir', bare, 'cat-file', type, id], { env: ENV, maxBuffer: 1 << 28 })), `${type} ${id}`).toBe(true);
    }
    // And builds on them: a tree on a packed base, a commit on a packed parent.
    backend = fresh;
    const baseTree = git(['rev-parse', 'main^{tree}']);
    const request = [{ path: 'dir/new.txt', mode: '100644', type: 'blob', sha: blob('new\n') }];
    expect(sha(api('POST', '/git/trees', { base_tree: baseTree, tree: request }))).toBe(gitTree(baseTree, request));
    expect(api('PATCH', '/git/refs/heads/main', { sha: sha(api('POST', '/git/commits', { message: 'm', tree: baseTree, parents: [parent] })) }).status).toBe(200);
  });

  it('writes again what a prune removed, and reads what a repack moved', () => {
    const kept = blob('kept\n');
    const lost = blob('lost\n');
    const tree = sha(api('POST', '/git/trees', { tree: [{ path: 'kept.txt', mode: '100644', type: 'blob', sha: kept }] }));
    const commit = sha(api('POST', '/git/commits', { message: 'm', tree, parents: [] }));
    expect(api('POST', '/git/refs', { ref: 'refs/heads/main', sha: commit }).status).toBe(201);
    git(['repack', '-a', '-d', '-q']);
    expect(api('GET', `/git/commits/${commit}`)).toMatchObject({ status: 200, body: { tree: { sha: tree } } });
    // The pack the backend has read is replaced, and the blob no commit holds is gone.
    git(['repack', '-a', '-d', '-f', '-q']);
    git(['prune', '--expire=now']);
    expect(() => git(['cat-file', '-e', lost])).toThrow();
    expect(api('GET', `/git/blobs/${kept}`)).toMatchObject({ status: 200, body: { content: Buffer.from('kept\n').toString('base64') } });
    expect(api('GET', `/git/blobs/${lost}`).status).toBe(404);
    expect(blob('lost\n')).toBe(lost);
    expect(git(['cat-file', 'blob', lost])).toBe('lost');
  });

  it('compares commits and reads contents as git diff-tree and ls-tree see them', () => {
    const baseTree = base({ 'a.txt': '1\n', f: 'file\n', 'd/x': '2\n', 'd/y/z': '3\n', 'keep/k': '4\n', ln: ['120000', blob('a.txt')] });
    const c1 = gitCommit(baseTree, [], 'one\n', { name: 'P', email: 'p@x' }, undefined, '1700000000 +0000');
    const entries: TreeInput[] = [
      { path: 'a.txt', mode: '100755', type: 'blob', sha: blob('1\n') },
      { path: 'f', mode: '100644', type: 'blob', sha: null },
      { path: 'f/inner', mode: '100644', type: 'blob', sha: blob('in\n') },
      { path: 'd/y/z', mode: '100644', type: 'blob', sha: null },
      { path: 'd/new', mode: '100644', type: 'blob', sha: blob('new\n') },
      { path: 'ünï code', mode: '100644', type: 'blob', sha: blob('u\n') },
    ];
    const c2 = gitCommit(gitTree(baseTree, entries), [c1], 'two\n', { name: 'P', email: 'p@x' }, undefined, '1700000001 +0000');
    const c3 = gitCommit(base({ 'other.txt': 'o\n' }), [c1], 'three\n', { name: 'P', email: 'p@x' }, undefined, '1700000002 +0000');
    git(['update-ref', 'refs/heads/main', c2]);
    const diff = (from: string, to: string): string[] => git(['-c', 'core.quotePath=false', 'diff-tree', '-r', '--name-only', '--no-renames', from, to]).split('\n');
    expect(api('GET', `/compare/${c1}...${c2}`)).toEqual({ status: 200, body: { status: 'ahead', files: diff(c1, c2).map((filename) => ({ filename, status: 'modified' })) } });
    expect(api('GET', `/compare/${c2}...${c3}`)).toEqual({ status: 200, body: { status: 'diverged', files: diff(c1, c3).map((filename) => ({ filename, status: 'modified' })) } });
    expect(api('GET', `/compare/${c2}...${c2}`)).toEqual({ status: 200, body: { status: 'identical', files: [] } });

    const content = (path: string, ref?: string): unknown => api('GET', `/contents/${path}`, undefined, ref === undefined ? '' : `ref=${ref}`);
    expect(content('ünï code', c2)).toMatchObject({
      status: 200,
      body: { type: 'file', sha: git(['rev-parse', `${c2}:ünï code`]), content: Buffer.from('u\n').toString('base64') },
    });
    expect(content('f/inner')).toMatchObject({ status: 200, body: { type: 'file', content: Buffer.from('in\n').toString('base64') } });
    expect(content('f/inner', 'main')).toMatchObject({ status: 200, body: { type: 'file' } });
    expect(content('f', c1)).toMatchObject({ status: 200, body: { type: 'file', content: Buffer.from('file\n').toString('base64') } });
    expect(content('ln', c1)).toMatchObject({ status: 200, body: { type: 'symlink' } });
    expect(content('d', c1)).toMatchObject({
      status: 200,
      body: [
        { type: 'file', path: 'd/x' },
        { type: 'dir', path: 'd/y' },
      ],
    });
    expect(content('f/inner', c1)).toEqual({ status: 404, body: { message: 'Not Found' } });
    expect(content('a.txt', 'no-such-branch')).toEqual({ status: 404, body: { message: 'Not Found' } });
    expect(content('d/', c1)).toEqual({ status: 404, body: { message: 'Not Found' } });
  });

  it('lets a read token read and refuses it a write, and knows no repository that is not there, as GitHub does', () => {
    const read = (method: string, path: string, body?: unknown): number | undefined =>
      backend.handle(method, `/repos/acme/widgets${path}`, new URLSearchParams(), body, 'read')?.status;
    expect(read('POST', '/git/blobs', { content: '', encoding: 'base64' })).toBe(403);
    expect(read('GET', '/git/ref/heads/main')).toBe(404);
    expect(backend.handle('GET', '/repos/acme/widgets/git/ref/heads/main', new URLSearchParams(), undefined, undefined)?.status).toBe(401);
    // A repository that is not there: GitHub's 404, and nothing made on disk.
    const missing = new GitDataBackend(() => join(dir, 'acme', 'missing.git'));
    expect(missing.handle('POST', '/repos/acme/missing/git/blobs', new URLSearchParams(), { content: '', encoding: 'base64' }, 'write')?.status).toBe(404);
    expect(missing.handle('GET', `/repos/acme/missing/git/commits/${'e'.repeat(40)}`, new URLSearchParams(), undefined, 'write')?.status).toBe(404);
    expect(readdirSync(join(dir, 'acme'))).toEqual(['widgets.git']);
  });
});

describe("the git server's repositories", () => {
  let server: GitServer;

  beforeEach(() => {
    server = new GitServer();
  });

  afterEach(async () => {
    await server.stop();
  });

  it('are seeded with the commit git commit would make of the same files', () => {
    const files = { 'README.md': '# Hello\n', 'src/app.js': 'console.log("hi");\n', 'docs/café notes/naïve ☃.md': 'ü\n', ' spaced ': 'x\n', 'a-b': '1', 'a/b': '2' };
    const bare = server.createRepo('acme', 'widgets', files);
    const work = mkdtempSync(join(tmpdir(), 'issuesmith-seed-check-'));
    try {
      const git = (args: string[], cwd = work): string => execFileSync('git', args, { cwd, env: ENV, encoding: 'utf8' }).trim();
      git(['init', '-q', '-b', 'main', work]);
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(join(work, path, '..'), { recursive: true });
        writeFileSync(join(work, path), content);
      }
      git(['add', '-A']);
      const theirs = git(['write-tree']);
      expect(git(['--git-dir', bare, 'rev-parse', 'main^{tree}'])).toBe(theirs);
      expect(git(['--git-dir', bare, 'log', '-1', '--format=%an <%ae>|%cn <%ce>|%B|%P', 'main'])).toBe('Seed <seed@example.invalid>|Seed <seed@example.invalid>|initial\n|');
      expect(git(['--git-dir', bare, 'symbolic-ref', 'HEAD'])).toBe('refs/heads/main');
      expect(git(['--git-dir', bare, 'config', '--get', 'gc.auto'])).toBe('0');
      expect(git(['--git-dir', bare, 'config', '--get', 'receive.autogc'])).toBe('false');
      expect(git(['--git-dir', bare, 'config', '--get', 'maintenance.auto'])).toBe('false');
      expect(git(['--git-dir', bare, 'config', '--get', 'http.receivepack'])).toBe('true');
      expect(git(['--git-dir', bare, 'config', '--get', 'uploadpack.allowReachableSHA1InWant'])).toBe('true');
      git(['--git-dir', bare, 'fsck', '--strict', '--no-dangling']);
      git(['clone', '-q', bare, join(work, 'clone')]);
      expect(git(['rev-parse', 'HEAD^{tree}'], join(work, 'clone'))).toBe(theirs);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('leave files git treats by their name to git itself', () => {
    const bare = server.createRepo('acme', 'ignored', { '.gitignore': 'build/\n', 'build/out.txt': 'x\n', 'README.md': '# Hi\n' });
    expect(execFileSync('git', ['--git-dir', bare, 'ls-tree', '-r', '--name-only', 'main'], { env: ENV, encoding: 'utf8' }).trim().split('\n')).toEqual([
      '.gitignore',
      'README.md',
    ]);
  });
});
