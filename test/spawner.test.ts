import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { SpawnError, spawnAside, stopSpawner } from '../src/spawner.js';

// The built module, for apps run as processes of their own.
const BUILT = join(import.meta.dirname, '..', 'dist', 'src', 'spawner.js');
const dir = mkdtempSync(join(tmpdir(), 'issuesmith-spawner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('spawnAside: processes started by the spawner process', () => {
  it('gives the output as text in order, the exit code, and runs in the directory and environment given', async () => {
    let out = '';
    let err = '';
    const child = await spawnAside('bash', ['-c', 'echo "$GREETING from $(pwd)"; echo oops >&2; exit 3'], {
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
    const child = await spawnAside('bash', ['-c', "printf '\\xc3'; sleep 0.2; printf '\\xa9\\n'"], { onStdout: (s) => (out += s) });
    await child.exited;
    expect(out).toBe('é\n');
  });

  it('rejects with the system code when the process cannot start', async () => {
    const started = spawnAside('bash', ['-c', 'true'], { cwd: join(dir, 'no-such-dir') });
    await expect(started).rejects.toBeInstanceOf(SpawnError);
    await expect(started).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(spawnAside(join(dir, 'no-such-program'), [])).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('gives a real pid: its group is ended from this process by its pid', async () => {
    let out = '';
    const child = await spawnAside('bash', ['-c', 'echo started; sleep 60 & wait'], { detached: true, onStdout: (s) => (out += s) });
    process.kill(-child.pid, 'SIGKILL');
    expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(out).not.toContain('finished');
  });

  it('runs many at once, each with its own output', async () => {
    const outs: string[] = Array.from({ length: 20 }, () => '');
    const children = await Promise.all(outs.map((_, i) => spawnAside('bash', ['-c', `echo ${i}`], { onStdout: (s) => (outs[i] += s) })));
    await Promise.all(children.map((c) => c.exited));
    expect(outs).toEqual(outs.map((_, i) => `${i}\n`));
  });

  it('writes the input to stdin and gives binary output byte for byte', async () => {
    const input = new Uint8Array(300_000).map((_, i) => (i * 7) % 256);
    const got: Buffer[] = [];
    const child = await spawnAside('cat', [], { input, onStdoutBytes: (b) => got.push(Buffer.from(b)) });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(Buffer.concat(got).equals(Buffer.from(input))).toBe(true);
  });

  it('does not start the child from this process, whatever its size', async () => {
    let out = '';
    const child = await spawnAside('bash', ['-c', 'echo $PPID'], { onStdout: (s) => (out += s) });
    await child.exited;
    const parent = Number(out.trim());
    expect(parent).not.toBe(process.pid);
    // The parent is the spawner: a child of this process.
    expect(readFileSync(`/proc/${parent}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]).toBe(String(process.pid));
  });

  it('ends the children and rejects their exits when the spawner stops, then starts a new one', async () => {
    const marker = join(dir, 'still-running');
    const child = await spawnAside('bash', ['-c', `sleep 1; touch '${marker}'`], { detached: true });
    stopSpawner();
    await expect(child.exited).rejects.toThrow(/stopped/);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(existsSync(marker)).toBe(false);
    let out = '';
    await (
      await spawnAside('echo', ['again'], { onStdout: (s) => (out += s) })
    ).exited;
    expect(out).toBe('again\n');
  });

  it("ends the children when the app's process goes away, and does not keep an idle app alive", () => {
    if (!existsSync(BUILT)) throw new Error('dist/src/spawner.js is missing: run `npm test`, which builds first');
    const marker = join(dir, 'orphan-ran');
    const script = join(dir, 'app.mjs');
    // The app starts a long child and exits at once: the spawner sees its channel close.
    writeFileSync(
      script,
      `import { spawnAside } from ${JSON.stringify(BUILT)};\n` +
        `const c = await spawnAside('bash', ['-c', 'sleep 1; touch "$0"', ${JSON.stringify(marker)}], { detached: true });\n` +
        `console.log(c.pid); process.exit(0);\n`,
    );
    const pid = Number(execFileSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 }).trim());
    expect(pid).toBeGreaterThan(0);
    // An app whose children are done exits by itself: the spawner holds nothing open.
    const idle = join(dir, 'idle.mjs');
    writeFileSync(idle, `import { spawnAside } from ${JSON.stringify(BUILT)};\n` + `await (await spawnAside('true', [])).exited;\nconsole.log('done');\n`);
    expect(execFileSync(process.execPath, [idle], { encoding: 'utf8', timeout: 20_000 }).trim()).toBe('done');
    execFileSync('sleep', ['1.5']);
    expect(existsSync(marker)).toBe(false);
  });
});
