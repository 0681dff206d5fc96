import type { ChildProcess } from 'node:child_process';
import type { FakeGitHub } from './fake-github.js';
import { privateKey } from './probot.js';

/**
 * The environment of the built app run as a process against the fake GHES: only a deployment's
 * documented variables, local sandboxes, the fake agent CLIs first on PATH. Callers add the port,
 * the role and whatever their case needs.
 */
export function appProcessEnv(o: { github: Pick<FakeGitHub, 'host'>; dir: string; bin: string; secret: string; anthropicKey: string }): Record<string, string> {
  return {
    PATH: `${o.bin}:${process.env.PATH ?? ''}`,
    HOME: o.dir,
    APP_ID: '123',
    PRIVATE_KEY: privateKey(),
    WEBHOOK_SECRET: o.secret,
    GHE_HOST: o.github.host,
    GHE_PROTOCOL: 'http',
    HOST: '127.0.0.1',
    ISSUESMITH_SANDBOX: 'local',
    ISSUESMITH_WORK_DIR: o.dir,
    ANTHROPIC_API_KEY: o.anthropicKey,
    LOG_FORMAT: 'json',
  };
}

/**
 * Stops a process the test started and waits for its exit: SIGKILL at once, or with `graceMs`
 * SIGTERM first (the app's shutdown, which waits for a running job) and SIGKILL after that long.
 * A process left running would outlive the suite. Says whether the grace ran out.
 */
export async function stopProcess(child: ChildProcess | undefined, o: { graceMs?: number } = {}): Promise<{ killedAfterGrace: boolean }> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return { killedAfterGrace: false };
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill(o.graceMs === undefined ? 'SIGKILL' : 'SIGTERM');
  let killedAfterGrace = false;
  const timer = o.graceMs === undefined ? undefined : setTimeout(() => ((killedAfterGrace = true), child.kill('SIGKILL')), o.graceMs);
  await gone;
  clearTimeout(timer);
  return { killedAfterGrace };
}
