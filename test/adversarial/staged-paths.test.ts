import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { StagedChange } from '../../src/git/staged-change.js';
import type { Sandbox } from '../../src/sandbox/provider.js';
import { changeFiles, collectChange } from '../../src/sandbox/repo-in-sandbox.js';
import { git, gitAside, hostileText, makeLab, runAside, runs } from './hostile.js';

// The patch gate (file count, workflow guard, scan) reads the paths a change touches from git's own
// view of it: the patch applied on the host to its starting commit (StagedChange). Git itself makes the
// patch, in a repository where every file name and every line is the attacker's: the paths the gate
// reads must be exactly the ones git says changed, and include every one git apply would touch.

const lab = makeLab('patch');
afterAll(() => lab.remove());

/** One path component a file system and git accept: hostile, but no slash, NUL, `.`, `..` or `.git…`. */
const segment = hostileText(lab.canary, { maxParts: 4 })
  .map((s) => s.replaceAll('/', '\u2215').replaceAll('\0', ''))
  .filter((s) => s !== '' && s !== '.' && s !== '..' && !/^\.git/i.test(s) && !/^git~/i.test(s) && Buffer.byteLength(s) <= 100);
const path = fc.oneof(
  { weight: 4, arbitrary: fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')) },
  // Names that read like the parts of a diff header.
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'a b/c',
      'x b/y',
      'b/a b/c',
      'a/b',
      'dev/null',
      ' lead',
      'trail ',
      'tab\there',
      'nl\nhere',
      'q"uote',
      'back\\slash',
      'dé jà',
      '🚀',
      '"quoted"',
      'a/.github/workflows/x.yml',
      '.github/workflows/ci.yml',
      '-- a',
      '+++ b',
    ),
  },
);
/** File contents whose lines, once prefixed by the diff, look like headers; and binary bytes. */
const lines = (line: fc.Arbitrary<string>): fc.Arbitrary<Buffer> => fc.array(line, { maxLength: 8 }).map((l) => Buffer.from(`${l.join('\n')}\n`));
const content = fc.oneof(
  {
    weight: 3,
    arbitrary: lines(
      fc.oneof(
        fc.constantFrom('diff --git a/evil b/evil', 'rename from evil', 'rename to evil', '@@ -1 +1 @@', 'GIT binary patch', '', ' '),
        hostileText(lab.canary, { maxParts: 3 }),
      ),
    ),
  },
  { weight: 1, arbitrary: lines(fc.constantFrom('++ b/.github/workflows/evil.yml', '-- a/.github/workflows/evil.yml', '++ "b/evil\\tname"', '-- /dev/null', 'x')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.concat([Buffer.from([0]), Buffer.from(b)])) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
);
// `sha`: a file named after the starting commit, which a bare `git diff <sha>` takes for a path too.
const op = fc.record({ kind: fc.constantFrom('add', 'modify', 'delete', 'rename', 'mode', 'sha'), index: fc.nat(), path, content });

/** Just enough of a sandbox for collectChange: bash on the host, with no git configuration but the repository's. */
function hostSandbox(): Sandbox {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LANG: 'C.UTF-8' };
  return {
    id: 'host',
    homeDir: '/nonexistent',
    async run(cmd, o) {
      const r = await runAside('bash', ['-c', cmd], { ...(o?.cwd !== undefined ? { cwd: o.cwd } : {}), env });
      return { exitCode: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr };
    },
    writeFile: async (p, data) => writeFileSync(p, data),
    readFile: async (p) => readFileSync(p),
    pause: async () => undefined,
    kill: async () => undefined,
  };
}

let repos = 0;

/** The paths of the change as the gate sees them: the patch staged on its starting commit; undefined when git apply refuses it. */
async function stagedPaths(repo: string, baseSha: string, patch: Uint8Array): Promise<Set<string> | undefined> {
  const staged = await StagedChange.stage({ remoteUrl: repo, auth: {}, baseSha, patch, workDir: lab.root }).catch(() => undefined);
  if (staged === undefined) return undefined;
  try {
    return new Set(staged.paths());
  } finally {
    await staged.dispose();
  }
}

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
  const fields = out
    .toString('utf8')
    .split('\0')
    .filter((f, i, all) => f !== '' || i < all.length - 1);
  const paths = new Set<string>();
  for (let i = 0; i < fields.length;) {
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

describe('the staged change of patches git makes from hostile file names and contents', () => {
  it('reads exactly the paths git diff reports, and the ones git apply will touch', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(path, content), { minLength: 1, maxLength: 6 }), fc.array(op, { minLength: 1, maxLength: 8 }), async (base, ops) => {
        repos += 1;
        const repo = join(lab.root, 'repo', String(repos));
        mkdirSync(repo, { recursive: true });
        await gitAside(['init', '-q'], { cwd: repo });
        const files = base.filter(([name, data]) => put(repo, name, data)).map(([name]) => name);
        fc.pre(files.length > 0);
        await gitAside(['add', '-A'], { cwd: repo });
        await gitAside(['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-q', '--no-verify', '-m', 'base'], { cwd: repo });
        const baseSha = (await gitAside(['rev-parse', 'HEAD'], { cwd: repo })).toString().trim();
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
        const patch = Buffer.from(
          await (
            await collectChange(hostSandbox(), { workdir: repo, baseSha, files: changeFiles(join(repo, '..', String(repos))), maxBytes: 16 * 1024 * 1024, maxBlobs: 300 })
          ).patch(),
        );
        fc.pre(patch.length > 0);
        const what = patch.toString('utf8').slice(0, 1500);
        const changed = nameStatusPaths(await gitAside(['diff', '--cached', '--name-status', '-z', 'HEAD', '--'], { cwd: repo }));
        // git apply refuses a few patches git diff makes (a header-only change to a path under a
        // directory named ` `): the change is then refused whole, nothing is pushed.
        const read = await stagedPaths(repo, baseSha, patch);
        if (read === undefined) {
          await expect(gitAside(['apply', '--numstat', '-z', join(repo, '..', `${repos}.patch`)], { cwd: repo })).rejects.toThrow(/lacks filename information/);
          return;
        }
        const applied = numstatPaths(await gitAside(['apply', '--numstat', '-z', join(repo, '..', `${repos}.patch`)], { cwd: repo }));
        // Never a path missed, by git diff's account or git apply's (which names a rename by its new path only).
        for (const p of applied) expect(read.has(p), `${JSON.stringify(p)} missed in ${what}`).toBe(true);
        // And exactly git diff's paths: content that looks like a header reads as content.
        expect([...read].sort(), `not git's paths: ${what}`).toEqual([...changed].sort());
      }),
      runs(40),
    );
    // Forty repositories made and patched with real git: slow on a small shared machine, not a hang.
  }, 120_000);
});

describe('the staged change of patches a tampered git in the sandbox could print', () => {
  // The agent runs as it likes in the sandbox, git included: the patch may be crafted. git apply on the
  // host reads a `--- `/`+++ ` pair after a finished hunk as another file's header; the gate reads the
  // change after git applied it, so it sees every path git touched, wherever the header hides.
  const ordinary = ['diff --git a/f b/f', 'index 5626abf..f719efd 100644', '--- a/f', '+++ b/f', '@@ -1 +1 @@', '-one', '+two', ''].join('\n');
  // eslint-disable-next-line no-control-regex
  const hidden = path.filter((p) => !/[\t\n"\\\x00-\x1f]/.test(p) && p.trim() === p && !p.startsWith('/'));
  const where = fc.constantFrom('after-hunk', 'before', 'between');
  const dir = join(lab.root, 'crafted');
  let baseSha = '';

  function crafted(p: string, at: string, workflow: boolean): { target: string; patch: string } {
    const target = workflow ? `.github/workflows/${p.replaceAll('/', '-')}` : p;
    const section = ['--- /dev/null', `+++ b/${target}`, '@@ -0,0 +1 @@', '+evil', ''].join('\n');
    const other = ordinary.replaceAll(' a/f', ' a/g').replaceAll(' b/f', ' b/g');
    const patch = at === 'before' ? `${section}${ordinary}` : at === 'after-hunk' ? `${ordinary}${section}` : `${ordinary}${section}${other}`;
    return { target, patch };
  }

  it('sees every path git apply touched, wherever a crafted header sits', async () => {
    mkdirSync(dir, { recursive: true });
    git(['init', '-q'], { cwd: dir });
    writeFileSync(join(dir, 'f'), 'one\n');
    writeFileSync(join(dir, 'g'), 'one\n');
    git(['add', '-A'], { cwd: dir });
    git(['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-q', '-m', 'base'], { cwd: dir });
    baseSha = git(['rev-parse', 'HEAD'], { cwd: dir }).toString().trim();
    await fc.assert(
      fc.asyncProperty(hidden, where, fc.boolean(), async (p, at, workflow) => {
        const { patch } = crafted(p, at, workflow);
        writeFileSync(join(dir, 'crafted.patch'), patch);
        let applied: Set<string>;
        try {
          applied = numstatPaths(await gitAside(['apply', '--numstat', '-z', join(dir, 'crafted.patch')], { cwd: dir }));
        } catch {
          return;
        }
        const read = await stagedPaths(dir, baseSha, new TextEncoder().encode(patch));
        if (read === undefined) return;
        for (const q of applied) expect(read.has(q), `git apply touches ${JSON.stringify(q)}, the gate missed it in ${patch}`).toBe(true);
      }),
      runs(40),
    );
  }, 120_000);

  it('sees a workflow file hidden after a finished hunk, as git apply does', async () => {
    const { patch } = crafted('evil.yml', 'after-hunk', true);
    const read = await stagedPaths(dir, baseSha, new TextEncoder().encode(patch));
    expect(read).toEqual(new Set(['f', '.github/workflows/evil.yml']));
  });
});

describe('regressions the properties found', () => {
  it('collects the change when the agent leaves a file named like the starting commit', async () => {
    const repo = join(lab.root, 'sha-named');
    mkdirSync(repo, { recursive: true });
    git(['init', '-q'], { cwd: repo });
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    git(['add', '-A'], { cwd: repo });
    git(['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-q', '-m', 'base'], { cwd: repo });
    const baseSha = git(['rev-parse', 'HEAD'], { cwd: repo }).toString().trim();
    writeFileSync(join(repo, baseSha), 'named like the commit\n');
    const patch = await (
      await collectChange(hostSandbox(), { workdir: repo, baseSha, files: changeFiles(join(lab.root, 'sha-named')), maxBytes: 1024 * 1024, maxBlobs: 300 })
    ).patch();
    expect(await stagedPaths(repo, baseSha, patch)).toEqual(new Set([baseSha]));
  });
});
