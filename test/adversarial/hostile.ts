import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { captureAside } from '../../src/spawner.js';

/**
 * The attacker's vocabulary for property tests: every value below is something a stranger can type
 * into an issue, a comment or a command (or an agent can print), aimed at a shell, git or a CLI's
 * option parser. `canary` is where an injected command would leave its mark.
 */
export function hostileVocabulary(canary: string): string[] {
  const touch = `touch ${canary}`;
  return [
    `$(${touch})`,
    `\`${touch}\``,
    `; ${touch};`,
    `&& ${touch}`,
    `|| ${touch}`,
    `| ${touch}`,
    `\n${touch}\n`,
    `\r\n${touch}\r\n`,
    `'; ${touch}; '`,
    `"; ${touch}; "`,
    `'"$(${touch})"'`,
    `$'\\x27'; ${touch}`,
    `<(${touch})`,
    `>${canary}`,
    `\${IFS}`,
    '$HOME',
    '${PATH}',
    '!!',
    '*',
    '?',
    '~',
    '#',
    '\\',
    "'",
    '"',
    ' ',
    '\t',
    '\n',
    '\r',
    '\v',
    '\x1b[31m',
    '\x7f',
    '-x',
    '--',
    '--upload-pack=touch /tmp/x',
    '--output=/etc/passwd',
    '-C',
    '..',
    '../..',
    '.',
    '/',
    '//',
    '@{',
    '@{-1}',
    '@',
    '^',
    ':',
    '[',
    '.lock',
    'HEAD',
    'refs/heads/',
    'refs/remotes/origin/main',
    'FETCH_HEAD',
    '{workdir}',
    '{prompt_file}',
    '{model}',
    '{session}',
    '%s',
    '%n',
    '<!--',
    '-->',
    '<!-- hidden -->',
    'Co-authored-by: evil <evil@example.com>',
    'Signed-off-by: evil <evil@example.com>',
    // Unicode confusables and invisibles: full-width letters, Unicode dashes and quotes, bidi, tags.
    'ｍａｉｎ',
    '\u2010',
    '\u2212',
    '\u2013',
    '\uFF0D',
    '\u2018',
    '\u2019',
    '\u201C',
    '\uFF07',
    '\u02BC',
    '\u2024\u2024',
    '\uFE52',
    '\u2215',
    '\u200B',
    '\u200D',
    '\u202E',
    '\u2066',
    '\uFEFF',
    '\u00AD',
    '\u{E0041}\u{E0042}',
    '\u0085',
    '\u2028',
    '\u2029',
    '\u00A0',
    'İ',
    'ß',
    'ǅ',
    'é',
    'e\u0301',
    '🚀',
    '中文',
    'العربية',
    'main',
    'a',
    'fix',
    '1',
  ];
}

/** Hostile text: fragments of the vocabulary mixed with arbitrary code points (lone surrogates excluded). */
export function hostileText(canary: string, o: { maxParts?: number; nul?: boolean } = {}): fc.Arbitrary<string> {
  const vocabulary = hostileVocabulary(canary);
  const part = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...vocabulary) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 8 }) },
    ...(o.nul === true ? [{ weight: 1, arbitrary: fc.constant('\0') }] : []),
  );
  return fc.array(part, { maxLength: o.maxParts ?? 8 }).map((parts) => parts.join(''));
}

/** Text too large for any sane field: a fragment repeated many times. */
export function hugeText(canary: string, size = 50_000): fc.Arbitrary<string> {
  return fc.tuple(hostileText(canary, { maxParts: 3 }), fc.constantFrom(...hostileVocabulary(canary))).map(([a, b]) => {
    const unit = `${a}${b}x`;
    // Cut between code points, not inside a surrogate pair.
    return Array.from(unit.repeat(Math.ceil(size / unit.length)))
      .slice(0, size)
      .join('');
  });
}

/**
 * fast-check parameters: a fixed number of runs, and the seed from FC_SEED when one is given to replay
 * a failure. `batched` properties check a whole batch in one shell and name the failing item
 * themselves, so they skip shrinking, which would rerun the shell for every step.
 */
export function runs(numRuns: number, o: { batched?: boolean } = {}): fc.Parameters<unknown> {
  const seed = process.env.FC_SEED;
  return { numRuns, ...(seed !== undefined && seed !== '' ? { seed: Number(seed) } : {}), ...(o.batched === true ? { endOnFailure: true } : {}) };
}

/** A temporary directory that holds one test file's canary and scratch files. */
export interface Lab {
  root: string;
  /** The file every injected command would create. */
  canary: string;
  /** Whether anything wrote the canary, or anything else, into the canary's directory. */
  pwned(): boolean;
  remove(): void;
}

export function makeLab(prefix: string): Lab {
  const root = realpathSync(mkdtempSync(join(tmpdir(), `issuesmith-${prefix}-`)));
  const canaryDir = join(root, 'canary');
  mkdirSync(canaryDir);
  return {
    root,
    canary: join(canaryDir, 'pwned'),
    pwned: () => readdirSync(canaryDir).length > 0,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * Runs each command through its own `bash -c`, exactly as given (the commands travel NUL-separated,
 * so no quoting of ours sits between a command and bash), in one process for speed. Returns each
 * command's exit code and standard output.
 */
export function bashEach(dir: string, commands: readonly string[], env: Record<string, string> = {}): Array<{ code: number; stdout: Buffer }> {
  mkdirSync(dir, { recursive: true });
  for (const c of commands) if (c.includes('\0')) throw new Error('a command cannot hold a NUL byte');
  writeFileSync(join(dir, 'commands'), Buffer.from(commands.map((c) => `${c}\0`).join(''), 'utf8'));
  const driver = [
    'i=0',
    'while IFS= read -r -d "" cmd; do',
    '  i=$((i+1)); mkdir -p "$BATCH/$i"',
    '  RECORD_DIR="$BATCH/$i" bash -c "$cmd" </dev/null >"$BATCH/$i/stdout" 2>"$BATCH/$i/stderr"',
    '  echo $? >"$BATCH/$i/code"',
    'done <"$BATCH/commands"',
  ].join('\n');
  execFileSync('bash', ['-c', driver], { cwd: dir, env: { ...process.env, ...env, BATCH: dir }, stdio: 'ignore', timeout: 60_000 });
  return commands.map((_, i) => {
    const out = join(dir, String(i + 1));
    return { code: Number(readFileSync(join(out, 'code'), 'utf8').trim()), stdout: readFileSync(join(out, 'stdout')) };
  });
}

/** Splits NUL-terminated fields, as `printf '%s\0'` and `env -0` write them. */
export function nulFields(data: Buffer): string[] {
  const text = data.toString('utf8');
  if (text === '') return [];
  return text.endsWith('\0') ? text.slice(0, -1).split('\0') : text.split('\0');
}

/** No git configuration from the machine or the user. */
const GIT_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LANG: 'C.UTF-8' };

/** Runs git with no configuration from the machine or the user. */
export function git(args: string[], o: { cwd?: string; input?: string | Buffer } = {}): Buffer {
  return execFileSync('git', args, {
    cwd: o.cwd,
    input: o.input,
    env: GIT_ENV,
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * A command started by the app's spawner (src/spawner.ts) rather than by this test process, whose
 * size makes every fork of its own cost several times more: stdout's bytes, or a rejection with
 * stderr when it exits with another code.
 */
export async function runAside(
  command: string,
  args: string[],
  o: { cwd?: string; input?: string | Buffer; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const r = await captureAside(command, args, { cwd: o.cwd, env: o.env ?? GIT_ENV, ...(o.input !== undefined ? { input: Buffer.from(o.input) } : {}) });
  return { code: r.code ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** `git` as `git()` above, started by the spawner; rejects with git's stderr when git fails. */
export async function gitAside(args: string[], o: { cwd?: string; input?: string | Buffer } = {}): Promise<Buffer> {
  const r = await runAside('git', args, o);
  if (r.code !== 0) throw new Error(`git ${args[0] ?? ''} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/**
 * Asks real git which names are valid branch names: `git check-ref-format --branch` accepts them and
 * prints them back unchanged (it would expand `@{-1}`). One shell for the whole batch, outside any
 * repository; a name with a NUL byte, which git cannot even be given, is not valid.
 */
export function gitAcceptsBranches(dir: string, names: readonly string[]): boolean[] {
  mkdirSync(dir, { recursive: true });
  const given = names.map((n) => (n.includes('\0') ? 'bad name with a NUL byte' : n));
  writeFileSync(join(dir, 'names'), Buffer.from(given.map((n) => `${n}\0`).join(''), 'utf8'));
  // One git process a name, no subshell: git prints a name it accepts, then the loop a NUL; a refusal
  // is \x01 and a NUL (neither byte can be in a name git accepts).
  const driver = [
    'while IFS= read -r -d "" name; do',
    '  if git check-ref-format --branch "$name" 2>/dev/null; then printf "\\0"; else printf "\\1\\0"; fi',
    'done <"$BATCH/names"',
  ].join('\n');
  const out = execFileSync('bash', ['-c', driver], {
    cwd: dir,
    env: { PATH: GIT_ENV.PATH, HOME: GIT_ENV.HOME, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CEILING_DIRECTORIES: dir, BATCH: dir },
    encoding: 'utf8',
    timeout: 60_000,
  }).split('\0');
  // Compared as the bytes git was given (a lone surrogate is written as U+FFFD).
  return names.map((n, i) => !n.includes('\0') && out[i] === `${Buffer.from(n, 'utf8').toString('utf8')}\n`);
}
