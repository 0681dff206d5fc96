import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** A fake in a process of its own: what it said first, a question over IPC, and its stop. */
interface FakeProcess {
  first: Record<string, unknown>;
  ask<T>(question: string, key: string): Promise<T>;
  stop(): Promise<void>;
}

export interface FakeE2BProcess {
  /** E2B_API_KEY, E2B_API_URL, E2B_SANDBOX_URL: what points the app's SDK at it. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** The fake GitHub a footprint scenario talks to, in a process of its own. */
export interface BenchGitHub {
  host: string;
  calls(): Promise<Array<{ method: string; path: string }>>;
  /** The calls with their bodies, each at its time on the wall clock (ms since the epoch). */
  callsWithBodies(): Promise<Array<{ method: string; path: string; body: unknown; at: number }>>;
  stop(): Promise<void>;
}

/**
 * Starts a fake (a script beside this one) at nice 10: the fakes stand for E2B's and GitHub's machines,
 * so they take the CPU only when the app's process does not want it, as they would not share the app's
 * host in production. It speaks over IPC: its first message, answers keyed by name, `stop`.
 */
async function startNiced(script: string, env: Record<string, string>): Promise<FakeProcess> {
  const child: ChildProcess = spawn('nice', ['-n', '10', process.execPath, join(import.meta.dirname, script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const next = <T>(key: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: Record<string, unknown>): void => {
        if (!(key in m)) return;
        child.off('message', onMessage);
        resolve(m[key] as T);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
    });
  const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('message', (m: Record<string, unknown>) => resolve(m));
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it listened`)));
  });
  return {
    first,
    ask: (question, key) => {
      const answer = next<never>(key);
      child.send(question);
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

/** The fake E2B in a process of its own at nice 10 (bench/fake-e2b-process.ts); its sandboxes run with `path` as PATH. */
export async function startFakeE2BProcess(root: string, path: string): Promise<FakeE2BProcess> {
  const fake = await startNiced('fake-e2b-process.js', { FAKE_E2B_PATH: path, FAKE_E2B_ROOT: root });
  return { env: fake.first.env as Record<string, string>, stop: () => fake.stop() };
}

/** The fake GitHub with the bench's repository, in a process of its own at nice 10 (bench/fake-github-process.ts), asked for its calls over IPC. */
export async function fakeGitHubProcess(): Promise<BenchGitHub> {
  const fake = await startNiced('fake-github-process.js', {});
  return {
    host: fake.first.host as string,
    calls: () => fake.ask('calls', 'calls'),
    callsWithBodies: () => fake.ask('callsWithBodies', 'callsWithBodies'),
    stop: () => fake.stop(),
  };
}
