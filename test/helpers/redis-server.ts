import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let redisServerFound: boolean | undefined;

/**
 * True when `redis-server` is not on PATH, after one line saying which tests are skipped and why:
 * `describe.skipIf(withoutRedisServer('…'))`. Under `CI=true` a missing redis-server fails the run
 * instead, so CI never passes with these tests quietly left out.
 */
export function withoutRedisServer(tests: string): boolean {
  redisServerFound ??= spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error === undefined;
  if (redisServerFound) return false;
  if (process.env.CI === 'true') throw new Error(`redis-server is not on PATH, and ${tests} need it (CI=true: a missing redis-server fails the run)`);
  console.warn(`Skipped ${tests}: redis-server is not on PATH (install Redis to run them).`);
  return true;
}

/** A throwaway redis-server on a free 127.0.0.1 port: no persistence, its own directory. */
export class RedisServer {
  #child: ChildProcess | undefined;
  #dir = '';
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port = await freePort();
    this.#dir = mkdtempSync(join(tmpdir(), 'issuesmith-redis-'));
    let output = '';
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.#dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`))));
    exited.catch(() => undefined);
    const until = Date.now() + 10_000;
    while (!(await Promise.race([pong(this.port), exited]))) {
      if (Date.now() > until) throw new Error(`redis-server did not answer: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child !== undefined && child.exitCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
    if (this.#dir !== '') rmSync(this.#dir, { recursive: true, force: true });
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let data = '';
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (c) => {
      data += c.toString();
      if (data.includes('\r\n')) {
        socket.destroy();
        resolve(data.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
  });
}
