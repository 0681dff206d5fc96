import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** A real redis-server of our own on a free loopback port (never a system one), without persistence. */
export class RedisServer {
  #process: ChildProcess | undefined;
  url = '';

  async start(): Promise<this> {
    const port = await freePort();
    this.#process = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.url = `redis://127.0.0.1:${port}`;
    await waitForPort(port);
    return this;
  }

  stop(): void {
    this.#process?.kill('SIGTERM');
  }
}

/** Until the server accepts connections (it starts in milliseconds; give up after about 10 s). */
async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not start on port ${port}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}
