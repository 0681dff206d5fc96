import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import { CommandTimeoutError, SandboxError, type Sandbox } from '../../src/sandbox/provider.js';

// The local sandbox's commands are started by the spawner process (src/spawner.ts): output,
// timeouts, signals and kills behave as they did when the app's own process started them.
describe('LocalSandbox.run, its processes started by the spawner', () => {
  let root: string;
  let sandbox: Sandbox;
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'issuesmith-local-cmd-'));
    sandbox = await new LocalSandboxProvider({ root }).create({ template: 'claude', envs: { FROM_SANDBOX: 'yes' }, timeoutMs: 60_000, metadata: {} });
  });
  afterEach(async () => {
    await sandbox.kill();
    rmSync(root, { recursive: true, force: true });
  });

  it("streams the output as it comes, and returns it whole with the exit code, in the sandbox's home and environment", async () => {
    const seen: string[] = [];
    const r = await sandbox.run('echo "$FROM_SANDBOX $EXTRA $(pwd)"; echo warn >&2; exit 4', { env: { EXTRA: 'more' }, onStdout: (s) => seen.push(s) });
    expect(r).toEqual({ exitCode: 4, stdout: `yes more ${sandbox.homeDir}\n`, stderr: 'warn\n' });
    expect(seen.join('')).toBe(r.stdout);
  });

  it('ends a command at its timeout with what it printed so far', async () => {
    const err = await sandbox.run('echo started; sleep 60; echo finished', { timeoutMs: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandTimeoutError);
    expect((err as CommandTimeoutError).stdout).toBe('started\n');
  });

  it('ends a running command, and the processes it started, when its signal is aborted', async () => {
    const controller = new AbortController();
    const running = sandbox.run('echo started; sleep 60 & wait; echo finished', { signal: controller.signal, onStdout: () => controller.abort() });
    const r = await running;
    expect(r.stdout).toBe('started\n');
    expect(r.exitCode).not.toBe(0);
  });

  it('ends its running commands when the sandbox is killed, and refuses new ones', async () => {
    const running = sandbox.run('echo started; sleep 60; echo finished', { onStdout: () => void sandbox.kill() });
    const r = await running;
    expect(r.stdout).toBe('started\n');
    expect(r.exitCode).not.toBe(0);
    await expect(sandbox.run('true')).rejects.toBeInstanceOf(SandboxError);
  });

  it('says a command could not start when its directory does not exist', async () => {
    await expect(sandbox.run('true', { cwd: join(root, 'nowhere') })).rejects.toThrow(/could not run a command/);
  });
});
