import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import { FileTooLargeError, SandboxError } from '../../src/sandbox/provider.js';
import { waitFor } from '../helpers/jobs.js';

const create = (p: LocalSandboxProvider, issue = '1') =>
  p.create({ template: 'claude', envs: {}, timeoutMs: 60_000, metadata: { app: 'issuesmith', installation: '5', repo: 'Octo/Hello World', issue, job: 'd' } });
const OWNER = { installation: '5', repo: 'Octo/Hello World' };

describe('the local sandbox provider: pause, connect and stable paths', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'issuesmith-local-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('keeps a paused sandbox and its files, refuses commands while paused, and resumes it by id', async () => {
    const p = new LocalSandboxProvider({ root });
    const s = await create(p);
    await s.writeFile('kept.txt', 'still here');
    await s.pause();
    await expect(s.run('true')).rejects.toBeInstanceOf(SandboxError);
    const again = await p.connect(s.id, OWNER);
    expect(again?.id).toBe(s.id);
    expect((await again?.run('cat kept.txt'))?.stdout).toBe('still here');
  });

  it('stops reading a file one chunk past the cap, however large it is', async () => {
    const p = new LocalSandboxProvider({ root });
    const s = await create(p);
    await s.writeFile('big.bin', new Uint8Array(300_000).fill(7));
    await expect(s.readFile('big.bin', { maxBytes: 100_000 })).rejects.toBeInstanceOf(FileTooLargeError);
    expect((await s.readFile('big.bin', { maxBytes: 300_000 })).byteLength).toBe(300_000);
    await s.kill();
  });

  it('kills a paused sandbox by id, after which it is gone', async () => {
    const p = new LocalSandboxProvider({ root });
    const s = await create(p);
    await s.pause();
    await p.kill(s.id, OWNER);
    expect(await p.connect(s.id, OWNER)).toBeUndefined();
    await expect(p.kill(s.id, OWNER)).resolves.toBeUndefined();
  });

  it("gives an issue's next sandbox the same home directory once the last one is gone, as E2B's are all /home/user", async () => {
    const p = new LocalSandboxProvider({ root });
    const first = await create(p);
    await first.kill();
    const second = await create(p);
    expect(second.id).not.toBe(first.id);
    expect(second.homeDir).toBe(first.homeDir);
    expect(second.homeDir).toBe(join(root, 'issuesmith-sbx-Octo_Hello_World-1', 'home', 'user'));
    // While one holds the directory, another sandbox for the same issue gets its own.
    const third = await create(p);
    expect(third.homeDir).not.toBe(second.homeDir);
    expect((await create(p, '2')).homeDir).not.toBe(second.homeDir);
  });

  it('takes over a directory left behind by a process that ended without killing its sandbox', async () => {
    const before = new LocalSandboxProvider({ root });
    const old = await create(before);
    await old.writeFile('stale.txt', 'x');
    const after = new LocalSandboxProvider({ root });
    const fresh = await create(after);
    expect(fresh.homeDir).toBe(old.homeDir);
    expect(existsSync(join(fresh.homeDir, 'stale.txt'))).toBe(false);
  });
});

/** The process groups the tag file of the sandbox whose home is `home` names. */
function tagPids(home: string): number[] {
  try {
    return (JSON.parse(readFileSync(join(home, '..', '..', 'sandbox.json'), 'utf8')) as { pids?: number[] }).pids ?? [];
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('LocalSandboxProvider.killTagged', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'issuesmith-local-test-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("ends, from another provider (another process), the commands and directory of a job's sandbox, and leaves other jobs' alone", async () => {
    const dead = new LocalSandboxProvider({ root });
    const mine = await dead.create({ template: 'claude', envs: {}, timeoutMs: 60_000, metadata: { app: 'issuesmith', job: 'delivery-dead' } });
    const other = await dead.create({ template: 'claude', envs: {}, timeoutMs: 60_000, metadata: { app: 'issuesmith', job: 'delivery-other' } });
    const pidFile = join(mine.homeDir, 'pid');
    const running = mine.run(`echo $$ > ${pidFile}; exec sleep 60`);
    const pid = await waitFor('the command to start', () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) || undefined : undefined));
    expect(alive(pid)).toBe(true);
    // The tag file is written without blocking the event loop: it names the command soon after it starts.
    await waitFor('the tag to name the command', () => tagPids(mine.homeDir).includes(pid));

    const killed = await new LocalSandboxProvider({ root }).killTagged({ job: 'delivery-dead' });

    expect(killed).toEqual([mine.id]);
    expect((await running).exitCode).not.toBe(0);
    await waitFor('the command to be gone', () => !alive(pid));
    expect(readdirSync(root)).toHaveLength(1);
    await expect(other.run('true')).resolves.toMatchObject({ exitCode: 0 });
    await other.kill();
  });
});

describe('LocalSandbox.run', () => {
  it('stops at once a command whose signal was aborted before it started', async () => {
    const root = mkdtempSync(join(tmpdir(), 'issuesmith-local-test-'));
    try {
      const sandbox = await new LocalSandboxProvider({ root }).create({ template: 'claude', envs: {}, timeoutMs: 60_000, metadata: {} });
      const controller = new AbortController();
      controller.abort();
      const result = await sandbox.run('sleep 60; echo finished', { signal: controller.signal, timeoutMs: 30_000 });
      expect(result.stdout).not.toContain('finished');
      expect(result.exitCode).not.toBe(0);
      await sandbox.kill();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("the local sandbox's tag file", () => {
  it('names every command running, however quickly they start, and is not left behind once the sandbox is killed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'issuesmith-local-test-'));
    try {
      const sandbox = await new LocalSandboxProvider({ root }).create({ template: 'claude', envs: {}, timeoutMs: 60_000, metadata: { job: 'tagged' } });
      const dir = join(sandbox.homeDir, '..', '..');
      expect(tagPids(sandbox.homeDir)).toEqual([]);
      const running = Array.from({ length: 6 }, (_, i) => sandbox.run(`echo $$ > pid-${i}; exec sleep 60`));
      const pids = await waitFor('the commands to start', () => {
        const files = Array.from({ length: 6 }, (_, i) => join(sandbox.homeDir, `pid-${i}`));
        return files.every((f) => existsSync(f) && readFileSync(f, 'utf8').endsWith('\n')) ? files.map((f) => Number(readFileSync(f, 'utf8'))) : undefined;
      });
      await waitFor('the tag to name all six', () => pids.every((p) => tagPids(sandbox.homeDir).includes(p)));
      await sandbox.kill();
      await Promise.all(running);
      expect(existsSync(dir)).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
