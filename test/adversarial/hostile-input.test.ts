import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customAgentProfile } from '../../src/agents/custom-agent.js';
import type { AgentProfile, CommandInput } from '../../src/agents/profile.js';
import { ProfileRegistry } from '../../src/agents/registry.js';
import { UserError } from '../../src/errors.js';
import { bashEach, hostileText, hugeText, makeLab, nulFields, runs } from './hostile.js';

// Every command an agent profile builds runs for real through `bash -c`, with each agent's binary
// replaced by a fake that records its argv, working directory, stdin and environment. A run with
// harmless sentinel values gives the intended invocation; a run with hostile values must give the
// same invocation with the sentinels replaced by the hostile values, byte for byte, and nothing else.

const lab = makeLab('commands');
const BIN = join(lab.root, 'bin');
const CUSTOM_BINARY = 'hostile-agent';

// A custom agent using every placeholder, alone, glued to text, and before a trailing shell comment.
const custom = customAgentProfile('my-agent', {
  command: `${CUSTOM_BINARY} run --workdir {workdir} --prompt-file={prompt_file} --model {model} {workdir}/sub # the rest is a comment`,
  resume_command: `${CUSTOM_BINARY} resume {session} --model={model} --in {workdir} {prompt_file}:{session}`,
  output: 'text',
});
const registry = new ProfileRegistry();
registry.add(custom);
const profiles = registry.all();

const FAKE = `#!/bin/sh
printf '%s\\0' "$@" >"$RECORD_DIR/argv"
pwd -P >"$RECORD_DIR/cwd"
cat >"$RECORD_DIR/stdin"
env -0 >"$RECORD_DIR/env"
`;

const SENTINEL = {
  workdir: join(lab.root, 'baseline', 'ZZWORKDIRZZ'),
  promptFile: join(lab.root, 'baseline', 'ZZPROMPTZZ.md'),
  model: 'ZZMODELZZ',
  resume: 'ZZRESUMEZZ',
} as const;
type Field = keyof typeof SENTINEL;
const FIELDS = Object.keys(SENTINEL) as Field[];

interface Shape {
  profile: AgentProfile;
  resume: boolean;
  model: boolean;
}
interface Invocation {
  argv: string[];
  cwd: string;
  stdin: Buffer;
  env: Map<string, string>;
}
interface Baseline {
  /** The command refused the shape itself (a custom agent's {model} without a model). */
  refused: boolean;
  invocation?: Invocation;
  /** The fields whose values are in the command: the work dir, the prompt file, and those that reach the agent's argv or environment. */
  used: Set<Field>;
}

const ENV = { PATH: `${BIN}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: join(lab.root, 'home'), LANG: 'C.UTF-8' };
// Per-run bookkeeping of the driver, not of the command.
const DRIVER_ENV = new Set(['RECORD_DIR', 'OLDPWD', 'BATCH', 'SHLVL', '_']);

function readInvocation(dir: string): Invocation {
  const env = new Map<string, string>();
  for (const entry of nulFields(readFileSync(join(dir, 'env')))) {
    const eq = entry.indexOf('=');
    const key = entry.slice(0, eq);
    if (!DRIVER_ENV.has(key)) env.set(key, entry.slice(eq + 1));
  }
  return {
    argv: nulFields(readFileSync(join(dir, 'argv'))),
    cwd: readFileSync(join(dir, 'cwd'), 'utf8').replace(/\n$/, ''),
    stdin: readFileSync(join(dir, 'stdin')),
    env,
  };
}

function inputOf(values: Partial<Record<Field, string>>, shape: Shape): CommandInput {
  return {
    workdir: values.workdir ?? SENTINEL.workdir,
    promptFile: values.promptFile ?? SENTINEL.promptFile,
    ...(shape.resume ? { resume: values.resume ?? SENTINEL.resume } : {}),
    ...(shape.model ? { model: values.model ?? SENTINEL.model } : {}),
  };
}

const shapeKey = (s: Shape): string => `${s.profile.name}/${s.resume}/${s.model}`;
// Each shape prints as its key in fast-check's reports, not as a profile full of functions.
const shapes: Shape[] = profiles.flatMap((profile) =>
  [false, true].flatMap((resume) => [false, true].map((model) => Object.assign({ profile, resume, model }, { [fc.toStringMethod]: () => `${profile.name}/${resume}/${model}` }))),
);
const baselines = new Map<string, Baseline>();

/** Replaces each sentinel by the value of its field, in every place the baseline put it. */
function substitute(text: string, values: Record<Field, string>): string {
  return FIELDS.reduce((t, f) => t.split(SENTINEL[f]).join(values[f]), text);
}

let batches = 0;

beforeAll(() => {
  mkdirSync(BIN);
  mkdirSync(ENV.HOME);
  for (const name of [...profiles.filter((p) => p !== custom).map((p) => p.name), CUSTOM_BINARY]) {
    writeFileSync(join(BIN, name), FAKE);
    chmodSync(join(BIN, name), 0o755);
  }
  mkdirSync(SENTINEL.workdir, { recursive: true });
  writeFileSync(SENTINEL.promptFile, 'the baseline prompt\n');
  const runnable: Array<{ shape: Shape; command: string }> = [];
  for (const shape of shapes) {
    try {
      runnable.push({ shape, command: shape.profile.command(inputOf({}, shape)) });
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      baselines.set(shapeKey(shape), { refused: true, used: new Set() });
    }
  }
  const dir = join(lab.root, 'baseline-runs');
  const results = bashEach(
    dir,
    runnable.map((r) => r.command),
    ENV,
  );
  runnable.forEach(({ shape }, i) => {
    expect(results[i]?.code, shapeKey(shape)).toBe(0);
    const invocation = readInvocation(join(dir, String(i + 1)));
    const reaches = [...invocation.argv, ...invocation.env.values()].join('\0');
    // The work dir and the prompt file are always in the command (`cd`, the stdin redirect).
    const used = new Set<Field>(['workdir', 'promptFile', ...FIELDS.filter((f) => reaches.includes(SENTINEL[f]))]);
    baselines.set(shapeKey(shape), { refused: false, invocation, used });
  });
});

afterAll(() => lab.remove());

describe('the baseline each profile is held to', () => {
  it('runs every profile of the registry, with its work dir, prompt on stdin, model and session where it takes them', () => {
    for (const shape of shapes) {
      const b = baselines.get(shapeKey(shape));
      if (b?.refused === true) {
        // Only a custom agent whose command names {model} refuses to run without one.
        expect(shape.profile).toBe(custom);
        expect(shape.model).toBe(false);
        continue;
      }
      const inv = b?.invocation;
      expect(inv?.cwd).toBe(SENTINEL.workdir);
      expect(inv?.stdin.toString()).toBe('the baseline prompt\n');
      // A value reaches the agent only as one whole argument, or glued into one argument by the repository's own template.
      if (shape.profile !== custom) for (const f of b?.used ?? []) for (const a of inv?.argv ?? []) if (a.includes(SENTINEL[f])) expect(a).toBe(SENTINEL[f]);
      if (shape.resume) expect(b?.used.has('resume'), shapeKey(shape)).toBe(true);
      if (shape.model && shape.profile.takesModel !== false) expect(b?.used.has('model'), shapeKey(shape)).toBe(true);
    }
    expect(baselines.get('my-agent/true/true')?.invocation?.argv).toEqual([
      'resume',
      SENTINEL.resume,
      `--model=${SENTINEL.model}`,
      '--in',
      SENTINEL.workdir,
      `${SENTINEL.promptFile}:${SENTINEL.resume}`,
    ]);
  });
});

const canary = lab.canary;
/** One path component: hostile, without a slash, never `.` or `..`, short enough for the file system. */
const segment = hostileText(canary, { maxParts: 5, nul: true })
  .map((s) => s.replaceAll('/', '\u2215'))
  .map((s) => (s === '' || s === '.' || s === '..' ? `d${s}` : s))
  .filter((s) => Buffer.byteLength(s) <= 200);
const argValue = fc.oneof(
  { weight: 6, arbitrary: hostileText(canary, { nul: true }) },
  { weight: 2, arbitrary: fc.constantFrom('', '-', '-x', '--', '--model=evil', '--dangerously-skip-permissions', '-C/etc', `--upload-pack=touch ${canary}`, '-\u0000x') },
  { weight: 1, arbitrary: hugeText(canary, 20_000) },
);
const prompt = hostileText(canary, { maxParts: 12 });

const hostileCase = fc.record({
  shape: fc.constantFrom(...shapes),
  workdir: segment,
  promptFile: segment,
  model: argValue,
  resume: argValue,
  prompt,
});
type HostileCase = typeof hostileCase extends fc.Arbitrary<infer T> ? T : never;

/** What the command must do with these values: refuse them (a UserError, or an error naming the NUL byte), or run. */
function expected(c: HostileCase, values: Record<Field, string>): 'user-error' | 'nul' | 'either' | 'run' {
  const b = baselines.get(shapeKey(c.shape));
  if (b === undefined || b.refused) return FIELDS.some((f) => values[f].includes('\0')) ? 'either' : 'user-error';
  const used = [...b.used];
  // A model or session id that is empty, reads as a flag or holds a NUL byte is the user's to fix.
  const dash = used.some((f) => (f === 'model' || f === 'resume') && (values[f] === '' || values[f].startsWith('-') || values[f].includes('\0')));
  const nul = used.some((f) => (f === 'workdir' || f === 'promptFile') && values[f].includes('\0'));
  // With both, whichever check comes first may speak.
  if (dash && nul) return 'either';
  return dash ? 'user-error' : nul ? 'nul' : 'run';
}

function checkBatch(cases: HostileCase[]): void {
  batches += 1;
  const batch = join(lab.root, 'runs', String(batches));
  const toRun: Array<{ c: HostileCase; values: Record<Field, string>; command: string }> = [];
  cases.forEach((c, i) => {
    const here = join(batch, 'case', String(i));
    const values: Record<Field, string> = { workdir: join(here, 'wd', c.workdir), promptFile: join(here, 'p', c.promptFile), model: c.model, resume: c.resume };
    const input = inputOf(values, c.shape);
    const want = expected(c, values);
    let command: string;
    try {
      command = c.shape.profile.command(input);
    } catch (err) {
      if (want === 'run') throw new Error(`${shapeKey(c.shape)} refused ${JSON.stringify(values).slice(0, 400)}: ${String(err)}`, { cause: err });
      if (want === 'user-error') expect(err, `${shapeKey(c.shape)} ${JSON.stringify(values).slice(0, 400)}`).toBeInstanceOf(UserError);
      else if (want === 'nul') expect(String(err)).toMatch(/NUL byte/);
      else expect(err instanceof UserError || /NUL byte/.test(String(err)), String(err)).toBe(true);
      return;
    }
    expect(want, `${shapeKey(c.shape)} built a command for values it must refuse: ${JSON.stringify(values).slice(0, 300)}`).toBe('run');
    mkdirSync(values.workdir, { recursive: true });
    mkdirSync(join(here, 'p'), { recursive: true });
    writeFileSync(values.promptFile, `PROMPT-MARK-${batches}-${i}\n${c.prompt}`);
    expect(command).not.toContain(`PROMPT-MARK-${batches}-${i}`);
    toRun.push({ c, values, command });
  });
  const results = bashEach(
    join(batch, 'runs'),
    toRun.map((r) => r.command),
    ENV,
  );
  expect(lab.pwned(), `an injected command ran, in one of: ${toRun.map((r) => r.command.slice(0, 200)).join('\n')}`).toBe(false);
  toRun.forEach(({ c, values, command }, i) => {
    const what = `${shapeKey(c.shape)}: ${command.slice(0, 400)}`;
    const base = baselines.get(shapeKey(c.shape))?.invocation;
    expect(results[i]?.code, what).toBe(0);
    const got = readInvocation(join(batch, 'runs', String(i + 1)));
    expect(got.argv, what).toEqual(base?.argv.map((a) => substitute(a, values)));
    expect(got.cwd, what).toBe(values.workdir);
    expect(got.stdin.equals(readFileSync(values.promptFile)), what).toBe(true);
    expect(got.env, what).toEqual(new Map([...(base?.env ?? [])].map(([k, v]) => [k, substitute(v, values)])));
  });
}

describe('agent commands with hostile values, run for real through bash', () => {
  it('pass every hostile work dir, prompt path, model and session id to the agent byte for byte, and run nothing else', () => {
    fc.assert(
      fc.property(fc.array(hostileCase, { minLength: 20, maxLength: 30 }), (cases) => checkBatch(cases)),
      runs(8, { batched: true }),
    );
    expect(existsSync(canary)).toBe(false);
  });

  it('refuse a NUL byte anywhere a value reaches the command, instead of cutting the value short', () => {
    fc.assert(
      fc.property(fc.constantFrom(...shapes), fc.constantFrom(...FIELDS), fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), (shape, field, before, after) => {
        const b = baselines.get(shapeKey(shape));
        fc.pre(b !== undefined && !b.refused && b.used.has(field));
        const value = `${field === 'model' || field === 'resume' ? 'v' : '/tmp/'}${before}\0${after}`;
        const input = inputOf({ [field]: value }, shape);
        expect(() => shape.profile.command(input)).toThrow(/NUL byte/);
        // A model or session id is the user's (or the agent's) text: refused as the user's error.
        if (field === 'model' || field === 'resume') expect(() => shape.profile.command(input)).toThrow(UserError);
      }),
      runs(200),
    );
  });

  it('refuse a model or session id that an option parser would read as a flag', () => {
    fc.assert(
      fc.property(fc.constantFrom(...shapes), fc.constantFrom<Field>('model', 'resume'), fc.string({ unit: 'grapheme-ascii', maxLength: 20 }), (shape, field, rest) => {
        const b = baselines.get(shapeKey(shape));
        fc.pre(b !== undefined && !b.refused && b.used.has(field));
        expect(() => shape.profile.command(inputOf({ [field]: `-${rest.replaceAll('\0', '')}` }, shape))).toThrow(UserError);
      }),
      runs(200),
    );
  });
});

describe('regressions the properties found', () => {
  it('Claude Code refuses a session id or a model that starts with a dash, like the other agents', async () => {
    const { claude } = await import('../../src/agents/claude.js');
    const base = { promptFile: '/tmp/prompt.md', workdir: '/work' };
    expect(() => claude.command({ ...base, resume: '--mcp-config=/tmp/evil.json' })).toThrow(UserError);
    expect(() => claude.command({ ...base, resume: '' })).toThrow(UserError);
    expect(() => claude.command({ ...base, model: '-x' })).toThrow(UserError);
    expect(() => claude.command({ ...base, model: 'opus\0' })).toThrow(UserError);
    expect(claude.command({ ...base, resume: 'b2f5a1c0-0000-4000-8000-000000000000', model: 'opus' })).toContain('--resume b2f5a1c0-0000-4000-8000-000000000000 --model opus');
  });
});
