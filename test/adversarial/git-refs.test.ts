import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { builtInProfiles } from '../../src/agents/registry.js';
import { repoConfigSchema } from '../../src/config/repo-config.js';
import { repoSettings } from '../../src/config/repo-settings.js';
import { DEFAULT_BRANCH_PREFIX } from '../../src/git/branch-name.js';
import { settingsFromEnv } from '../../src/config/settings.js';
import { UserError } from '../../src/errors.js';
import { branchName } from '../../src/git/branch-name.js';
import { isBranchName, requestOptions } from '../../src/jobs/steps/request-options.js';
import { parseAgentCommand } from '../../src/triggers/grammar.js';
import { makeJob } from '../helpers/jobs.js';
import { gitAcceptsBranches, hostileText, hostileVocabulary, hugeText, makeLab, runs } from './hostile.js';

// Every branch name the app makes or accepts is checked by real git (`git check-ref-format --branch`),
// for issue titles, repository prefixes and `base=` values written by an attacker.

const lab = makeLab('refs');
afterAll(() => lab.remove());
let batches = 0;
const gitAccepts = (names: readonly string[]): boolean[] => {
  batches += 1;
  return gitAcceptsBranches(join(lab.root, 'git', String(batches)), names);
};

const title = fc.oneof(
  { weight: 5, arbitrary: hostileText(lab.canary, { maxParts: 12, nul: true }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  { weight: 1, arbitrary: hugeText(lab.canary, 100_000) },
);
const taken = fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 4 });

/** Every prefix the repository's settings would accept, built from the characters and tricks of a ref. */
const prefix = fc
  .array(fc.constantFrom('a', 'Z', '0', '9', '.', '_', '-', '/', '..', '//', '/.', '.lock', '@', '@{', '{', '~', '^', ':', ' ', 'HEAD', 'refs/', 'heads/'), {
    minLength: 1,
    maxLength: 12,
  })
  .map((parts) => parts.join(''))
  .filter((p) => repoConfigSchema.safeParse({ pull_request: { branch_prefix: p } }).success);

describe('branch names made from issue titles', () => {
  it('are valid git branch names under the default prefix, whatever the title, and start with it', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 10_000_000 }), title, taken), { minLength: 50, maxLength: 80 }), (items) => {
        const names = items.map(([n, t, tk]) => {
          const base = branchName(n, t);
          // A taken name moves on to -2, -3, ...: those must be valid too.
          return branchName(n, t, new Set([base, ...tk.map((i) => `${base}-${i}`)]));
        });
        for (const n of names) expect(n.startsWith(DEFAULT_BRANCH_PREFIX)).toBe(true);
        const ok = gitAccepts(names);
        names.forEach((n, i) => expect(ok[i], `git refuses ${JSON.stringify(n)} made from ${JSON.stringify(items[i]?.[1].slice(0, 200))}`).toBe(true));
      }),
      runs(4, { batched: true }),
    );
  });

  it('are valid git branch names under any prefix the repository settings accept', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(prefix, fc.integer({ min: 1, max: 10_000_000 }), title), { minLength: 50, maxLength: 80 }), (items) => {
        const names = items.map(([p, n, t]) => branchName(n, t, new Set(), p));
        items.forEach(([p], i) => expect(names[i]?.startsWith(p)).toBe(true));
        const ok = gitAccepts(names);
        names.forEach((n, i) => expect(ok[i], `git refuses ${JSON.stringify(n)} under the accepted prefix ${JSON.stringify(items[i]?.[0])}`).toBe(true));
      }),
      runs(4, { batched: true }),
    );
  });
});

// What a person can type after `base=`: anything without whitespace (the grammar's `\S+`).
const baseValue = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.array(fc.constantFrom(...hostileVocabulary(lab.canary), 'main', 'release-2', 'a', '/', '.', '-'), { minLength: 1, maxLength: 6 }).map((p) => p.join('')),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '--upload-pack=touch x',
      '-x',
      '-',
      'a..b',
      '..',
      'refs/heads/main',
      'HEAD',
      '@',
      '@{-1}',
      'main.lock',
      'main.',
      '.main',
      'main/',
      '/main',
      'a//b',
      'a\\b',
      'ｍａｉｎ',
    ),
  },
);

describe('base= in a command', () => {
  const app = settingsFromEnv({});
  const repo = repoSettings({}, app);
  const codex = builtInProfiles.find((p) => p.takesModel !== false) ?? builtInProfiles[0];

  it('is refused with a UserError, or is a branch name real git accepts, never one that reads as an option', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(baseValue, { minLength: 60, maxLength: 100 }), async (values) => {
        const accepted: string[] = [];
        for (const v of values) {
          const command = parseAgentCommand(`/agent codex base=${v} fix it`, (w) => w === 'codex');
          const base = command?.verb === 'run' ? command.options?.base : undefined;
          // Whitespace ends the value: the grammar hands over only what has none.
          if (base === undefined) {
            expect(/\s/.test(v) || v === '').toBe(true);
            continue;
          }
          const job = makeJob({ profile: 'codex', options: { base }, trigger: { type: 'comment', commentId: 1 } });
          try {
            const got = await requestOptions(job, codex as NonNullable<typeof codex>, repo, async () => true);
            expect(got.base).toBe(base);
            expect(got.base.startsWith('-')).toBe(false);
            accepted.push(got.base);
          } catch (err) {
            expect(err).toBeInstanceOf(UserError);
            expect(String((err as Error).message)).toMatch(/Nothing ran\.$/);
            expect((err as Error).message.length).toBeLessThan(400);
          }
        }
        const ok = gitAccepts(accepted);
        accepted.forEach((b, i) => expect(ok[i], `base=${JSON.stringify(b)} was accepted but git refuses it`).toBe(true));
      }),
      runs(4, { batched: true }),
    );
  });

  it('accepts only names git accepts, whatever the string (isBranchName never says yes to what git refuses)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(baseValue, hostileText(lab.canary, { nul: true })), { minLength: 100, maxLength: 150 }), (names) => {
        const claimed = names.filter(isBranchName);
        const ok = gitAccepts(claimed);
        claimed.forEach((n, i) => expect(ok[i], `isBranchName accepts ${JSON.stringify(n)}, git does not`).toBe(true));
      }),
      runs(4, { batched: true }),
    );
  });
});

describe('model= in a command', () => {
  const app = settingsFromEnv({});
  const repo = repoSettings({}, app);
  const modelValue = fc.oneof(
    { weight: 3, arbitrary: hostileText(lab.canary, { nul: true }) },
    { weight: 1, arbitrary: fc.constantFrom('-x', '--model=evil', '-', '--', '-\0', 'a\0b') },
  );

  it('is refused with a UserError, or reaches every agent that takes a model as one argument that is not an option', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...builtInProfiles), modelValue, async (profile, v) => {
        const command = parseAgentCommand(`/agent ${profile.name} model=${v} fix it`, (w) => w === profile.name);
        const model = command?.verb === 'run' ? command.options?.model : undefined;
        fc.pre(model !== undefined);
        const job = makeJob({ profile: profile.name, options: { model }, trigger: { type: 'comment', commentId: 1 } });
        let got: string | undefined;
        try {
          got = (await requestOptions(job, profile, repo, async () => true)).model;
        } catch (err) {
          expect(err).toBeInstanceOf(UserError);
          expect((err as Error).message).toMatch(/Nothing ran\.$|not a valid model name/);
          return;
        }
        expect(got).toBe(model);
        // The checked model goes into the command: it must build (or be refused as the user's error), never fail otherwise.
        try {
          profile.command({ promptFile: '/tmp/prompt.md', workdir: '/work', model: got });
        } catch (err) {
          expect(err, `${profile.name} could not build a command for model=${JSON.stringify(got)}`).toBeInstanceOf(UserError);
        }
      }),
      runs(300),
    );
  });
});

describe('regressions the properties found', () => {
  it('refuses base=HEAD, which git does not take as a branch name', async () => {
    expect(isBranchName('HEAD')).toBe(false);
    expect(gitAccepts(['HEAD', 'HEADS', 'x/HEAD'])).toEqual([false, true, true]);
    expect(['HEADS', 'x/HEAD'].every(isBranchName)).toBe(true);
    const job = makeJob({ profile: 'codex', options: { base: 'HEAD' }, trigger: { type: 'comment', commentId: 1 } });
    const codex = builtInProfiles.find((p) => p.name === 'codex');
    await expect(requestOptions(job, codex as NonNullable<typeof codex>, repoSettings({}, settingsFromEnv({})), async () => true)).rejects.toThrow(
      '`HEAD` is not a valid branch name',
    );
  });
});

describe('regressions the properties found: model=', () => {
  it("refuses a model holding a NUL byte as the user's error, for every agent that takes one", async () => {
    const repo = repoSettings({}, settingsFromEnv({}));
    for (const profile of builtInProfiles.filter((p) => p.takesModel !== false)) {
      const job = makeJob({ profile: profile.name, options: { model: 'gpt\0x' }, trigger: { type: 'comment', commentId: 1 } });
      await expect(requestOptions(job, profile, repo, async () => true)).rejects.toThrow(UserError);
      expect(() => profile.command({ promptFile: '/p', workdir: '/w', model: 'gpt\0x' })).toThrow(/not a valid model name: it holds a NUL byte/);
    }
  });
});
