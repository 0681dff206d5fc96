import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { FakeGitHub } from '../test/helpers/fake-github.js';

export interface FakeE2BProcess {
  /** E2B_API_KEY, E2B_API_URL, E2B_SANDBOX_URL: what points the app's SDK at it. */
  env: Record<string, string>;
  stop(): void;
}

/** The fake GitHub a footprint scenario talks to, in the bench's process or in one of its own. */
export interface BenchGitHub {
  host: string;
  calls(): Promise<Array<{ method: string; path: string }>>;
  stop(): Promise<void>;
}

// The fakes stand for E2B's and GitHub's machines: at nice 10 they take the CPU only when the app's
// process does not want it, as they would not share the app's host in production.
function niced(script: string, env: Record<string, string>, stdio: Array<'pipe' | 'inherit' | 'ignore' | 'ipc'>): ChildProcess {
  return spawn('nice', ['-n', '10', process.execPath, join(import.meta.dirname, script)], { env: { ...process.env, ...env }, stdio });
}

/** The fake E2B in a process of its own at nice 10; its sandboxes run with `path` as PATH. */
export async function startFakeE2BProcess(root: string, path: string): Promise<FakeE2BProcess> {
  const child = niced('fake-e2b-process.js', { FAKE_E2B_PATH: path, FAKE_E2B_ROOT: root }, ['pipe', 'pipe', 'inherit']);
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => {
      lines.close();
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`the fake E2B exited (${code}) before it listened`)));
  });
  return {
    env: JSON.parse(first) as Record<string, string>,
    stop: () => {
      child.stdin?.end();
      child.kill('SIGTERM');
    },
  };
}

/** The fake GitHub with the bench's repository, in this process. */
export async function inProcessGitHub(): Promise<BenchGitHub> {
  const github = await new FakeGitHub().start();
  github.git.createRepo('Codertocat', 'Hello-World', { 'README.md': '# Hello\n' });
  return { host: github.host, calls: async () => github.calls, stop: () => github.stop() };
}

/** The same in a process of its own at nice 10 (bench/fake-github-process.ts), asked for its calls over IPC. */
export async function fakeGitHubProcess(): Promise<BenchGitHub> {
  const child = niced('fake-github-process.js', {}, ['ignore', 'ignore', 'inherit', 'ipc']);
  const next = <T>(key: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: Record<string, unknown>): void => {
        if (!(key in m)) return;
        child.off('message', onMessage);
        resolve(m[key] as T);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`the fake GitHub exited (${code})`)));
    });
  const host = await next<string>('host');
  return {
    host,
    calls: () => {
      const answer = next<Array<{ method: string; path: string }>>('calls');
      child.send('calls');
      return answer;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await exited;
    },
  };
}
