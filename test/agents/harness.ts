import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentEvent } from '../../src/agents/profile.js';

export const FAKE_BIN = fileURLToPath(new URL('../fixtures/bin', import.meta.url));
const SAMPLES = fileURLToPath(new URL('../fixtures/agent-samples', import.meta.url));

/** A real output sample of an agent CLI (test/fixtures/agent-samples, copied from ../shared/agent-samples). */
export function sample(name: string): string {
  return readFileSync(join(SAMPLES, name), 'utf8');
}

/** Lines a shell would run if any of our quoting failed: each touches `pwned` in the current directory. */
const INJECTIONS = `$(touch pwned) \`touch pwned\` ; touch pwned ; '; touch pwned; '`;

/** A temporary directory with a work dir and a prompt file whose names are as hostile as a path can be. */
export interface Scene {
  root: string;
  home: string;
  workdir: string;
  promptFile: string;
  recordFile: string;
}

export function makeScene(): Scene {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'issuesmith-agent-')));
  const home = join(root, 'home');
  const workdir = join(root, `work dir "dq" ${INJECTIONS} ü 🚀`);
  mkdirSync(home);
  mkdirSync(workdir);
  return { root, home, workdir, promptFile: join(root, `prompt 'file' ${INJECTIONS}.md`), recordFile: join(root, 'record.json') };
}

export function removeScene(scene: Scene): void {
  rmSync(scene.root, { recursive: true, force: true });
}

export const PROMPT_MARKER = 'PROMPT-MARKER-7f3a';

/** A prompt an issue could carry: quotes, substitutions, backticks, newlines, unicode; then the fake's directives. */
export function hostilePrompt(scene: Scene, directives: readonly string[] = ['write hello.txt hello from the fake']): string {
  return [
    `${PROMPT_MARKER} Fix the bug'; rm -rf / ; echo '`,
    INJECTIONS,
    '"double quotes" \\ back\\slash $HOME ${PATH} !! %s',
    'ünïcødé 🚀 — 中文 العربية\ttab',
    'a line ending in CR\r',
    ...directives.map((d) => `fake-agent: ${d}`),
    `fake-agent: record ${scene.recordFile}`,
    '',
  ].join('\n');
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a built command with `bash -c`, as the sandbox does, with the fake CLIs first on PATH. Its own
 * stdin carries a decoy: the prompt has to come from the prompt file's redirect.
 */
export function runCommand(command: string, scene: Scene, env: Record<string, string>, timeoutMs = 15_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], {
      cwd: scene.root,
      env: { PATH: `${FAKE_BIN}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: scene.home, LANG: 'C.UTF-8', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdin.on('error', () => undefined);
    child.stdin.end('DECOY: not the prompt\n');
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the command did not finish in ${timeoutMs} ms: ${command}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface Recorded {
  argv: string[];
  cwd: string;
  envNames: string[];
  stdin: string;
}

/** What the fake wrote for `fake-agent: record`. */
export function readRecord(scene: Scene): Recorded {
  return JSON.parse(readFileSync(scene.recordFile, 'utf8')) as Recorded;
}

/** Whether any injection ran: it would have left a `pwned` file behind. */
export function pwned(scene: Scene): boolean {
  return [scene.root, scene.workdir, scene.home].some((d) => existsSync(join(d, 'pwned')));
}

export function writePrompt(scene: Scene, prompt: string): void {
  writeFileSync(scene.promptFile, prompt);
}

/** The events of one type, typed as such. */
export function of<T extends AgentEvent['type']>(events: readonly AgentEvent[], type: T): Extract<AgentEvent, { type: T }>[] {
  return events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);
}
