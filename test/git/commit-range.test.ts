import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommitRange } from '../../src/git/commit-range.js';

const ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

describe("a fork's commits as the base repository would receive them", () => {
  let dir: string;
  let work: string;
  let bare: string;
  const git = (...args: string[]): string => execFileSync('git', ['-C', work, ...args], { env: ENV, encoding: 'utf8' }).trim();
  const commit = (files: Record<string, string>, message: string): string => {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), content);
    }
    git('add', '-A');
    git('-c', 'user.name=T', '-c', 'user.email=t@example.invalid', 'commit', '-qm', message);
    return git('rev-parse', 'HEAD');
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'issuesmith-range-'));
    work = join(dir, 'work');
    bare = join(dir, 'base.git');
    execFileSync('git', ['init', '-q', '-b', 'main', work], { env: ENV });
    commit({ 'README.md': 'hello\n' }, 'base one');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function range(head: string, inRange: string[]): Promise<string[]> {
    execFileSync('git', ['clone', '-q', '--bare', work, bare], { env: ENV });
    execFileSync('git', ['--git-dir', bare, 'config', 'uploadpack.allowReachableSHA1InWant', 'true'], { env: ENV });
    const r = await CommitRange.fetch({ remoteUrl: bare, auth: {}, head, inRange: new Set(inRange), workDir: dir });
    try {
      expect(r.commits.map((c) => c.sha).sort()).toEqual([...inRange].sort());
      return r.files().map((f) => f.path);
    } finally {
      await r.dispose();
    }
  }

  it("leaves out what a merge takes from the base branch, and keeps what the fork's commits bring", async () => {
    git('checkout', '-q', '-b', 'fork');
    const f1 = commit({ 'feature.txt': 'a\n' }, 'fork one');
    git('checkout', '-q', 'main');
    commit({ '.github/workflows/ci.yml': 'on: push\n' }, 'base two');
    git('checkout', '-q', 'fork');
    git('-c', 'user.name=T', '-c', 'user.email=t@example.invalid', 'merge', '-q', '--no-edit', 'main');
    const merge = git('rev-parse', 'HEAD');
    expect(await range(merge, [f1, merge])).toEqual(['feature.txt']);
  });

  it('sees a file a merge brings that neither parent had (an evil merge)', async () => {
    git('checkout', '-q', '-b', 'fork');
    const f1 = commit({ 'feature.txt': 'a\n' }, 'fork one');
    git('checkout', '-q', 'main');
    commit({ 'other.txt': 'b\n' }, 'base two');
    git('checkout', '-q', 'fork');
    git('-c', 'user.name=T', '-c', 'user.email=t@example.invalid', 'merge', '-q', '--no-commit', 'main');
    commit({ '.github/workflows/evil.yml': 'on: push\n' }, 'merge');
    const merge = git('rev-parse', 'HEAD');
    expect((await range(merge, [f1, merge])).sort()).toEqual(['.github/workflows/evil.yml', 'feature.txt']);
  });

  it('sees a file added in one commit and removed in the next, and everything of a root commit', async () => {
    git('checkout', '-q', '-b', 'fork');
    const f1 = commit({ 'secret.txt': 'x\n' }, 'add');
    git('rm', '-q', 'secret.txt');
    git('-c', 'user.name=T', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'remove');
    const f2 = git('rev-parse', 'HEAD');
    git('checkout', '-q', '--orphan', 'unrelated');
    git('rm', '-rq', '--cached', '.');
    const root = commit({ 'x.txt': 'x\n' }, 'a root');
    git('-c', 'user.name=T', '-c', 'user.email=t@example.invalid', 'merge', '-q', '--no-edit', '--allow-unrelated-histories', f2);
    const merge = git('rev-parse', 'HEAD');
    const paths = await range(merge, [f1, f2, root, merge]);
    expect(paths.filter((p) => p === 'secret.txt')).toHaveLength(2);
    expect(paths).toContain('x.txt');
  });
});
