import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { patchFiles } from '../../src/git/patch-files.js';
import type { Sandbox } from '../../src/sandbox/provider.js';
import { collectPatch } from '../../src/sandbox/repo-in-sandbox.js';
import { git, hostileText, makeLab, runs } from './hostile.js';

// The patch gate (file count, workflow guard) reads the paths a patch touches with patchFiles. Git
// itself makes the patch, in a repository where every file name and every line is the attacker's: the
// paths patchFiles reads must be exactly the ones git says changed, and the ones git apply will touch.

const lab = makeLab('patch');
afterAll(() => lab.remove());

/** One path component a file system and git accept: hostile, but no slash, NUL, `.`, `..` or `.git…`. */
const segment = hostileText(lab.canary, { maxParts: 4 })
  .map((s) => s.replaceAll('/', '\u2215').replaceAll('\0', ''))
  .filter((s) => s !== '' && s !== '.' && s !== '..' && !/^\.git/i.test(s) && !/^git~/i.test(s) && Buffer.byteLength(s) <= 100);
const path = fc.oneof(
  { weight: 4, arbitrary: fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')) },
  // Names that read like the parts of a diff header.
  { weight: 2, arbitrary: fc.constantFrom('a b/c', 'x b/y', 'b/a b/c', 'a/b', 'dev/null', ' lead', 'trail ', 'tab\there', 'nl\nhere', 'q"uote', 'back\\slash', 'dé jà', '🚀', '"quoted"', 'a/.github/workflows/x.yml', '.github/workflows/ci.yml', '-- a', '+++ b') },
);
/** File contents whose lines, once prefixed by the diff, look like headers; and binary bytes. */
const lines = (line: fc.Arbitrary<string>): fc.Arbitrary<Buffer> => fc.array(line, { maxLength: 8 }).map((l) => Buffer.from(`${l.join('\n')}\n`));
const content = fc.oneof(
  { weight: 3, arbitrary: lines(fc.oneof(fc.constantFrom('diff --git a/evil b/evil', 'rename from evil', 'rename to evil', '@@ -1 +1 @@', 'GIT binary patch', '', ' '), hostileText(lab.canary, { maxParts: 3 }))) },
  { weight: 1, arbitrary: lines(fc.constantFrom('++ b/.github/workflows/evil.yml', '-- a/.github/workflows/evil.yml', '++ "b/evil\\tname"', '-- /dev/null', 'x')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.concat([Buffer.from([0]), Buffer.from(b)])) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
);
// `sha`: a file named after the starting commit, which a bare `git diff <sha>` takes for a path too.
const op = fc.record({ kind: fc.constantFrom('add', 'modify', 'delete', 'rename', 'mode', 'sha'), index: fc.nat(), path, content });

/** Just enough of a sandbox for collectPatch: bash on the host, with no git configuration but the repository's. */
function hostSandbox(): Sandbox {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LANG: 'C.UTF-8' };
  return {
    id: 'host',
    homeDir: '/nonexistent',
    async run(cmd, o) {
      try {
        return { exitCode: 0, stdout: execFileSync('bash', ['-c', cmd], { cwd: o?.cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), stderr: '' };
      } catch (err) {
        const e = err as { status?: number; stdout?: string; stderr?: string };
        return { exitCode: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    },
    writeFile: async (p, data) => writeFileSync(p, data),
    readFile: async (p) => readFileSync(p),
    pause: async () => undefined,
    kill: async () => undefined,
  };
}

let repos = 0;

/**
 * A content line `++ x` or `-- x` is added or removed as `+++ x` or `--- x`. patchFiles reads every such
 * line as a file header on purpose: git apply itself takes a `--- `/`+++ ` pair after a hunk for the
 * header of another file, so a patch made by a tampered git could hide one there (see below). Such
 * contents may only add paths.
 */
const looksLikeHeader = (data: Buffer): boolean => /^(\+\+|--) /m.test(data.toString('latin1'));

/** Writes a file, making its directories; false when the file system (or an existing file) refuses the name. */
function put(repo: string, name: string, data: Buffer): boolean {
  try {
    mkdirSync(dirname(join(repo, name)), { recursive: true });
    writeFileSync(join(repo, name), data, { flag: 'wx' });
    return true;
  } catch {
    return false;
  }
}

/** `git diff --name-status -z`: both paths of a rename or copy, one path otherwise. */
function nameStatusPaths(out: Buffer): Set<string> {
  const fields = out.toString('utf8').split('\0').filter((f, i, all) => f !== '' || i < all.length - 1);
  const paths = new Set<string>();
  for (let i = 0; i < fields.length; ) {
    const status = fields[i] ?? '';
    const count = /^[RC]/.test(status) ? 2 : 1;
    for (const p of fields.slice(i + 1, i + 1 + count)) paths.add(p);
    i += 1 + count;
  }
  return paths;
}

/** `git apply --numstat -z`: `added\tdeleted\tpath\0` (a rename by its new path), or `added\tdeleted\t\0old\0new\0`. */
function numstatPaths(out: Buffer): Set<string> {
  const fields = out.toString('utf8').split('\0');
  const paths = new Set<string>();
  for (let i = 0; i < fields.length; i += 1) {
    const f = fields[i] ?? '';
    if (f === '') continue;
    const rest = f.split('\t').slice(2).join('\t');
    if (rest !== '') paths.add(rest);
    else {
      paths.add(fields[i + 1] ?? '');
      paths.add(fields[i + 2] ?? '');
      i += 2;
    }
  }
  return paths;
}

describe('patchFiles on patches git makes from hostile file names and contents', () => {
  it('reads exactly the paths git diff reports, and the ones git apply will touch', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(path, content), { minLength: 1, maxLength: 6 }), fc.array(op, { minLength: 1, maxLength: 8 }), async (base, ops) => {
        repos += 1;
        const repo = join(lab.root, 'repo', String(repos));
        mkdirSync(repo, { recursive: true });
        git(['init', '-q'], { cwd: repo });
        const files = base.filter(([name, data]) => put(repo, name, data)).map(([name]) => name);
        fc.pre(files.length > 0);
        git(['add', '-A'], { cwd: repo });
        git(['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-q', '--no-verify', '-m', 'base'], { cwd: repo });
        const baseSha = git(['rev-parse', 'HEAD'], { cwd: repo }).toString().trim();
        for (const o of ops) {
          const target = files[o.index % files.length] ?? '';
          try {
            if (o.kind === 'add') put(repo, o.path, o.content);
            else if (o.kind === 'sha') put(repo, baseSha, o.content);
            else if (o.kind === 'modify') writeFileSync(join(repo, target), o.content);
            else if (o.kind === 'delete') rmSync(join(repo, target), { force: true });
            else if (o.kind === 'mode') chmodSync(join(repo, target), 0o755);
            else {
              mkdirSync(dirname(join(repo, o.path)), { recursive: true });
              renameSync(join(repo, target), join(repo, o.path));
            }
          } catch {
            // A name the file system refuses, or a file an earlier step removed: skip the step.
          }
        }
        // The agent's change, collected as the sandbox collects it.
        const patch = Buffer.from(await collectPatch(hostSandbox(), { workdir: repo, baseSha, patchFile: join(repo, '..', `${repos}.patch`) }));
        fc.pre(patch.length > 0);
        const read = new Set(patchFiles(new TextDecoder().decode(patch)));
        const what = patch.toString('utf8').slice(0, 1500);
        const changed = nameStatusPaths(git(['diff', '--cached', '--name-status', '-z', 'HEAD', '--'], { cwd: repo }));
        // git apply refuses a few patches git diff makes (a header-only change to a path under a
        // directory named ` `): the push would fail, nothing to read then.
        let applied = new Set<string>();
        try {
          applied = numstatPaths(git(['apply', '--numstat', '-z', join(repo, '..', `${repos}.patch`)], { cwd: repo }));
        } catch (err) {
          expect(String((err as { stderr?: Buffer }).stderr)).toMatch(/lacks filename information/);
        }
        // Never a path missed: the gate sees every file the change touches, by git diff's account and
        // by git apply's (which names a rename by its new path only).
        for (const p of [...changed, ...applied]) expect(read.has(p), `${JSON.stringify(p)} missed in ${what}`).toBe(true);
        // And nothing more, unless a line of content looks like a file header once the diff prefixes it,
        // or a rename's `diff --git a/<old> b/<new>` line can be split in more than one place.
        const ambiguous = /^diff --git a\/.* b\/.* "?b\//m.test(patch.toString('utf8'));
        if (!ambiguous && ![...base.map(([, c]) => c), ...ops.map((o) => o.content)].some(looksLikeHeader)) expect([...read].sort(), `more paths than git: ${what}`).toEqual([...changed].sort());
      }),
      runs(40),
    );
  });
});

describe('patchFiles on patches a tampered git in the sandbox could print', () => {
  // The agent runs as it likes in the sandbox, git included: the patch may be crafted. git apply on the
  // host reads a `--- `/`+++ ` pair after a finished hunk as another file's header, so patchFiles must
  // see every path git apply would touch, wherever the header hides.
  const ordinary = ['diff --git a/f b/f', 'index 5626abf..f719efd 100644', '--- a/f', '+++ b/f', '@@ -1 +1 @@', '-one', '+two', ''].join('\n');
  const hidden = path.filter((p) => !/[\t\n"\\\x00-\x1f]/.test(p) && p.trim() === p && !p.startsWith('/'));
  const where = fc.constantFrom('after-hunk', 'before', 'between');

  it('reads every path git apply would touch, wherever a crafted header sits', () => {
    const dir = join(lab.root, 'crafted');
    mkdirSync(dir, { recursive: true });
    git(['init', '-q'], { cwd: dir });
    fc.assert(
      fc.property(hidden, where, fc.boolean(), (p, at, workflow) => {
        const target = workflow ? `.github/workflows/${p.replaceAll('/', '-')}` : p;
        const section = [`--- a/${target}`, `+++ b/${target}`, '@@ -0,0 +1 @@', '+evil', ''].join('\n');
        const patch = at === 'before' ? `${section}${ordinary}` : at === 'after-hunk' ? `${ordinary}${section}` : `${ordinary}${section}${ordinary.replaceAll(' a/f', ' a/g').replaceAll(' b/f', ' b/g')}`;
        const file = join(dir, 'crafted.patch');
        writeFileSync(file, patch);
        let applied: Set<string>;
        try {
          applied = numstatPaths(git(['apply', '--numstat', '-z', file], { cwd: dir }));
        } catch {
          return fc.pre(false);
        }
        const read = new Set(patchFiles(patch));
        for (const q of applied) expect(read.has(q), `git apply touches ${JSON.stringify(q)}, patchFiles missed it in ${patch}`).toBe(true);
      }),
      runs(150),
    );
  });

  it('sees a workflow file hidden after a finished hunk, as git apply does', () => {
    const patch = `${ordinary}--- a/.github/workflows/evil.yml\n+++ b/.github/workflows/evil.yml\n@@ -0,0 +1 @@\n+on: push\n`;
    const dir = join(lab.root, 'crafted-example');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'p.patch'), patch);
    expect(numstatPaths(git(['apply', '--numstat', '-z', join(dir, 'p.patch')], { cwd: dir }))).toEqual(new Set(['f', '.github/workflows/evil.yml']));
    expect(patchFiles(patch)).toContain('.github/workflows/evil.yml');
  });
});

describe('regressions the properties found', () => {
  it('keeps the trailing space of a path renamed to from a quoted one', () => {
    const patch = ['diff --git "a/d\\303\\251j\\303\\240" b/trail ', 'similarity index 100%', 'rename from "d\\303\\251j\\303\\240"', 'rename to trail ', ''].join('\n');
    expect(patchFiles(patch).sort()).toEqual(['déjà', 'trail '].sort());
  });

  it('collects the change when the agent leaves a file named like the starting commit', async () => {
    const repo = join(lab.root, 'sha-named');
    mkdirSync(repo, { recursive: true });
    git(['init', '-q'], { cwd: repo });
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    git(['add', '-A'], { cwd: repo });
    git(['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-q', '-m', 'base'], { cwd: repo });
    const baseSha = git(['rev-parse', 'HEAD'], { cwd: repo }).toString().trim();
    writeFileSync(join(repo, baseSha), 'named like the commit\n');
    const patch = await collectPatch(hostSandbox(), { workdir: repo, baseSha, patchFile: join(lab.root, 'sha-named.patch') });
    expect(patchFiles(new TextDecoder().decode(patch))).toEqual([baseSha]);
  });
});
