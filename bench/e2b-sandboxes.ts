import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

export interface FakeE2BProcess {
  /** E2B_API_KEY, E2B_API_URL, E2B_SANDBOX_URL: what points the app's SDK at it. */
  env: Record<string, string>;
  stop(): void;
}

/**
 * Starts the fake E2B in a process of its own at nice 10: it stands for E2B's machines, so its
 * sandboxes (the agents and their git) take the CPU only when the app's process does not want it,
 * as they would not share the app's host in production. Its sandboxes run with `path` as PATH.
 */
export async function startFakeE2BProcess(root: string, path: string): Promise<FakeE2BProcess> {
  const child = spawn('nice', ['-n', '10', process.execPath, join(import.meta.dirname, 'fake-e2b-process.js')], {
    env: { ...process.env, FAKE_E2B_PATH: path, FAKE_E2B_ROOT: root },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      lines.close();
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`the fake E2B exited (${code}) before it listened`)));
  });
  return {
    env: JSON.parse(first) as Record<string, string>,
    stop: () => {
      child.stdin.end();
      child.kill('SIGTERM');
    },
  };
}
