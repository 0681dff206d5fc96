import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pushPatch, pushPatchToBranch } from '../../src/git/push-patch.js';

// A repository (and an agent's patch) that tries every way git offers to run a command: a
// `.gitconfig` at the root (read as the global config when HOME is the work tree), fsmonitor,
// hooksPath hooks, include.path, filter drivers named by .gitattributes, a diff driver.
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const git = (args: string[], cwd?: string): string => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
const AUTHOR = { name: 'issuesmith[bot]', email: '1+issuesmith[bot]@users.noreply.github.com' };
const BRANCH = 'issuesmith/1-fix';

describe('host git with a hostile repository and patch', () => {
  let dir: string;
  let bare: string;
  let work: string;
  let markers: string;
  let base: string;

  const trap = (name: string): string => `touch ${join(markers, name)}`;

  function hostileFiles(tag: string): Record<string, string> {
    return {
      '.gitconfig': [
        '[core]',
        `\tfsmonitor = "${trap(`${tag}-fsmonitor`)}; echo"`,
        '\thooksPath = .githooks',
        `\tpager = ${trap(`${tag}-pager`)}`,
        '[include]',
        `\tpath = ${tag}.inc`,
        '[filter "evil"]',
        `\tclean = ${trap(`${tag}-clean`)}; cat`,
        `\tsmudge = ${trap(`${tag}-smudge`)}; cat`,
        '\trequired = true',
        '[diff "evil"]',
        `\ttextconv = ${trap(`${tag}-textconv`)}; cat`,
        `\tcommand = ${trap(`${tag}-extdiff`)}`,
        '',
      ].join('\n'),
      [`${tag}.inc`]: `[core]\n\tsshCommand = ${trap(`${tag}-ssh`)}\n[credential]\n\thelper = "!${trap(`${tag}-credential`)}; echo"\n`,
      '.gitattributes': '* filter=evil diff=evil\n',
      '.githooks/post-commit': `#!/bin/sh\n${trap(`${tag}-post-commit`)}\n`,
      '.githooks/pre-push': `#!/bin/sh\n${trap(`${tag}-pre-push`)}\n`,
      '.githooks/post-checkout': `#!/bin/sh\n${trap(`${tag}-post-checkout`)}\n`,
      '.githooks/reference-transaction': `#!/bin/sh\n${trap(`${tag}-reference-transaction`)}\n`,
      '.githooks/post-index-change': `#!/bin/sh\n${trap(`${tag}-post-index-change`)}\n`,
    };
  }

  function write(root: string, files: Record<string, string>): void {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), content);
      if (path.startsWith('.githooks/')) chmodSync(join(root, path), 0o755);
    }
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'issuesmith-hostile-'));
    markers = join(dir, 'markers');
    mkdirSync(markers);
    bare = join(dir, 'remote.git');
    work = join(dir, 'seed');
    git(['init', '-q', '--bare', '-b', 'main', bare]);
    git(['init', '-q', '-b', 'main', work]);
    // The base commit already carries the traps (committed with a git that ignores them).
    write(work, { 'README.md': '# Hello\n', ...hostileFiles('base') });
    git(['add', '-A'], work);
    git(['-c', 'user.name=Seed', '-c', 'user.email=s@example.invalid', '-c', 'core.hooksPath=/dev/null', 'commit', '-qm', 'hostile base'], work);
    git(['push', '-q', bare, 'HEAD:refs/heads/main', `HEAD:refs/heads/${BRANCH}`], work);
    base = git(['rev-parse', 'HEAD'], work);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The agent's patch: it rewrites the traps (a new tag) and changes an ordinary file. */
  function agentPatch(): Uint8Array {
    write(work, { 'README.md': '# Hello, changed\n', ...hostileFiles('patch') });
    git(['add', '-A'], work);
    const patch = execFileSync('git', ['-c', 'core.hooksPath=/dev/null', 'diff', '--cached', '--binary', '--no-ext-diff', '--no-textconv', '--full-index', base], {
      cwd: work,
      env,
    });
    git(['reset', '-q', '--hard', base], work);
    return new Uint8Array(patch);
  }

  it('runs no hook, filter, fsmonitor, include or helper when it pushes a new branch', async () => {
    const pushed = await pushPatch({
      remoteUrl: bare,
      token: 'ghs_unused',
      baseSha: base,
      number: 1,
      title: 'fix',
      patch: agentPatch(),
      message: 'agent change',
      author: AUTHOR,
      workDir: dir,
    }).catch((err: unknown) => err);
    expect(readdirSync(markers)).toEqual([]);
    if (pushed instanceof Error || pushed === null || typeof pushed !== 'object') throw pushed;
    const { branch } = pushed as { branch: string };
    // The change itself went through, traps included as plain files.
    expect(git(['--git-dir', bare, 'show', `${branch}:README.md`])).toBe('# Hello, changed');
    expect(git(['--git-dir', bare, 'show', `${branch}:.gitconfig`])).toContain('patch-fsmonitor');
  });

  it('runs none of them when it adds a commit to an existing branch', async () => {
    const pushed = await pushPatchToBranch({
      remoteUrl: bare,
      token: 'ghs_unused',
      branch: BRANCH,
      baseSha: base,
      patch: agentPatch(),
      message: 'turn 2',
      author: AUTHOR,
      workDir: dir,
    }).catch((err: unknown) => err);
    expect(readdirSync(markers)).toEqual([]);
    if (pushed instanceof Error) throw pushed;
    expect(git(['--git-dir', bare, 'show', `${BRANCH}:README.md`])).toBe('# Hello, changed');
  });

  it('leaves no clone of the repository on the host', async () => {
    await pushPatch({ remoteUrl: bare, token: 'ghs_unused', baseSha: base, number: 1, title: 'fix', patch: agentPatch(), message: 'agent change', author: AUTHOR, workDir: dir });
    expect(readdirSync(dir).sort()).toEqual(['markers', 'remote.git', 'seed']);
    expect(existsSync(join(markers, 'base-post-checkout'))).toBe(false);
  });
});
