import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StagedChange } from '../../src/git/staged-change.js';

const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const git = (args: string[], cwd?: string): string => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();

describe('the outgoing change, as git itself describes it', () => {
  let dir: string;
  let bare: string;
  let work: string;
  let base: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'issuesmith-staged-'));
    bare = join(dir, 'remote.git');
    work = join(dir, 'work');
    git(['init', '-q', '--bare', '-b', 'main', bare]);
    git(['init', '-q', '-b', 'main', work]);
    mkdirSync(join(work, 'src'));
    writeFileSync(join(work, 'src/a.ts'), 'keep\nold\n');
    writeFileSync(join(work, 'gone.txt'), 'bye\n');
    writeFileSync(join(work, 'moved.txt'), 'the same text\nover several lines\nso git sees a rename\n');
    git(['add', '-A'], work);
    git(['-c', 'user.name=S', '-c', 'user.email=s@example.invalid', 'commit', '-qm', 'base'], work);
    git(['push', '-q', bare, 'HEAD:refs/heads/main'], work);
    base = git(['rev-parse', 'HEAD'], work);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every file with its status, mode, lines and size, and the tree git would build', async () => {
    writeFileSync(join(work, 'src/a.ts'), 'keep\nnew\n+++ plus line that is content\n');
    writeFileSync(join(work, 'logo.png'), Buffer.from([0x89, 0x50, 0, 1, 2, 3]));
    unlinkSync(join(work, 'gone.txt'));
    mkdirSync(join(work, 'docs dir'));
    git(['mv', 'moved.txt', 'docs dir/déjà vu.txt'], work);
    writeFileSync(join(work, 'run.sh'), '#!/bin/sh\necho hi\n');
    chmodSync(join(work, 'run.sh'), 0o755);
    symlinkSync('src/a.ts', join(work, 'link'));
    writeFileSync(join(work, 'empty'), '');
    git(['add', '-A'], work);
    const patch = new Uint8Array(execFileSync('git', ['diff', '--cached', '--binary', '--full-index', base], { cwd: work, env }));
    const staged = await StagedChange.stage({ remoteUrl: bare, auth: {}, baseSha: base, patch, workDir: dir });
    try {
      const byPath = Object.fromEntries(staged.files.map((f) => [f.path, f]));
      expect(byPath['src/a.ts']).toMatchObject({ status: 'modified', added: 2, removed: 1, binary: false, mode: '100644' });
      expect(byPath['logo.png']).toMatchObject({ status: 'added', binary: true, added: 0, size: 6 });
      expect(byPath['gone.txt']).toMatchObject({ status: 'deleted', removed: 1, mode: '000000' });
      expect(byPath['docs dir/déjà vu.txt']).toMatchObject({ status: 'renamed', oldPath: 'moved.txt', added: 0, removed: 0 });
      expect(byPath['run.sh']).toMatchObject({ status: 'added', mode: '100755' });
      expect(byPath['link']).toMatchObject({ status: 'added', mode: '120000', size: 8 });
      expect(byPath['empty']).toMatchObject({ status: 'added', size: 0 });
      expect(staged.paths().sort()).toEqual(['docs dir/déjà vu.txt', 'empty', 'gone.txt', 'link', 'logo.png', 'moved.txt', 'run.sh', 'src/a.ts']);
      // The tree is exactly the one the agent's checkout had staged.
      expect(staged.tree).toBe(git(['write-tree'], work));
      const blobs = await staged.blobs([byPath['logo.png']?.blob ?? '', byPath['link']?.blob ?? '']);
      expect([...(blobs.get(byPath['logo.png']?.blob ?? '') ?? [])]).toEqual([0x89, 0x50, 0, 1, 2, 3]);
      expect(blobs.get(byPath['link']?.blob ?? '')?.toString()).toBe('src/a.ts');
    } finally {
      await staged.dispose();
    }
  });

  it('refuses a patch that does not apply to its own starting commit, and leaves nothing behind', async () => {
    const patch = new TextEncoder().encode('diff --git a/nope.txt b/nope.txt\n--- a/nope.txt\n+++ b/nope.txt\n@@ -1 +1 @@\n-x\n+y\n');
    await expect(StagedChange.stage({ remoteUrl: bare, auth: {}, baseSha: base, patch, workDir: dir })).rejects.toThrow(/git apply failed/);
    expect(execFileSync('ls', [dir], { encoding: 'utf8' }).trim().split('\n').sort()).toEqual(['remote.git', 'work']);
  });
});
