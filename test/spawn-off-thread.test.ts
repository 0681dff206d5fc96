import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SpawnError, spawnOffThread } from '../src/spawn-off-thread.js';

const dir = mkdtempSync(join(tmpdir(), 'issuesmith-off-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('spawnOffThread: processes started by a worker thread', () => {
  it('gives the output as text in order, the exit code, and runs in the directory and environment given', async () => {
    let out = '';
    let err = '';
    const child = await spawnOffThread('bash', ['-c', 'echo "$GREETING from $(pwd)"; echo oops >&2; exit 3'], {
      cwd: dir,
      env: { GREETING: 'hello', PATH: process.env.PATH },
      onStdout: (s) => (out += s),
      onStderr: (s) => (err += s),
    });
    expect(child.pid).toBeGreaterThan(0);
    expect(await child.exited).toEqual({ code: 3, signal: null });
    expect(out).toBe(`hello from ${dir}\n`);
    expect(err).toBe('oops\n');
  });

  it('joins a character whose bytes come in two writes', async () => {
    let out = '';
    const child = await spawnOffThread('bash', ['-c', "printf '\\xc3'; sleep 0.2; printf '\\xa9\\n'"], { onStdout: (s) => (out += s) });
    await child.exited;
    expect(out).toBe('é\n');
  });

  it('rejects with the system code when the process cannot start', async () => {
    const started = spawnOffThread('bash', ['-c', 'true'], { cwd: join(dir, 'no-such-dir') });
    await expect(started).rejects.toBeInstanceOf(SpawnError);
    await expect(started).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(spawnOffThread(join(dir, 'no-such-program'), [])).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('leaves the child to this process: its group is ended from the main thread by its pid', async () => {
    let out = '';
    const child = await spawnOffThread('bash', ['-c', 'echo started; sleep 60 & wait'], { detached: true, onStdout: (s) => (out += s) });
    process.kill(-child.pid, 'SIGKILL');
    expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(out).not.toContain('finished');
  });

  it('runs many at once, each with its own output', async () => {
    const outs: string[] = Array.from({ length: 20 }, () => '');
    const children = await Promise.all(outs.map((_, i) => spawnOffThread('bash', ['-c', `echo ${i}`], { onStdout: (s) => (outs[i] += s) })));
    await Promise.all(children.map((c) => c.exited));
    expect(outs).toEqual(outs.map((_, i) => `${i}\n`));
  });
});
