import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appProcessEnv } from '../helpers/app-process.js';
import { FakeGitHub } from '../helpers/fake-github.js';
import { waitFor } from '../helpers/jobs.js';
import { commentPayload } from '../helpers/payloads.js';
import { freePort } from '../helpers/redis-server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');

// The attacker knows Probot's public default secret and signs a forged `/agent` comment with it.
describe('an app without its own webhook secret', () => {
  let github: FakeGitHub;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error('dist/src/main.js is missing: run `npm test`, which builds first');
    github = await new FakeGitHub().start();
    github.git.createRepo('Codertocat', 'Hello-World', { 'README.md': '# Hello\n' });
    dir = mkdtempSync(join(tmpdir(), 'issuesmith-secret-'));
  });

  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  afterAll(async () => {
    await github?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(env: Record<string, string>, port: number): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
    let output = '';
    // cwd is a directory without a .env file, so the environment given here is the whole configuration.
    const child = spawn(process.execPath, [MAIN], { cwd: dir, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, output: () => output, exited };
  }

  function baseEnv(): Record<string, string> {
    return { ...appProcessEnv({ github, dir, bin: join(ROOT, 'test', 'fixtures', 'bin'), secret: 'unused', anthropicKey: 'sk-ant-secret-test-0123456789' }), LOG_LEVEL: 'info' };
  }

  async function listens(port: number): Promise<boolean> {
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`);
      return true;
    } catch {
      return false;
    }
  }

  async function exitsWithin(exited: Promise<number | null>, ms: number): Promise<number | null | 'still running'> {
    return Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), ms))]);
  }

  it('refuses to start without WEBHOOK_SECRET, naming the variable, before it listens', async () => {
    const env = baseEnv();
    delete env.WEBHOOK_SECRET;
    const port = await freePort();
    const app = start(env, port);
    const code = await exitsWithin(app.exited, 15_000);
    expect(code).not.toBe('still running');
    expect(code).not.toBe(0);
    expect(app.output()).toMatch(/WEBHOOK_SECRET is not set/);
    expect(app.output().trim().split('\n')).toHaveLength(1);
    expect(await listens(port)).toBe(false);
  }, 30_000);

  it("refuses to start with Probot's public default secret `development`", async () => {
    const port = await freePort();
    const app = start({ ...baseEnv(), WEBHOOK_SECRET: 'development' }, port);
    const code = await exitsWithin(app.exited, 15_000);
    expect(code).not.toBe('still running');
    expect(code).not.toBe(0);
    expect(app.output()).toMatch(/WEBHOOK_SECRET is Probot's public default/);
  }, 30_000);

  it('without APP_ID still serves the setup page', async () => {
    const env = baseEnv();
    delete env.WEBHOOK_SECRET;
    delete env.APP_ID;
    delete env.PRIVATE_KEY;
    const port = await freePort();
    const app = start(env, port);
    await waitFor('the setup page', async () => ((await listens(port)) ? true : undefined), 20_000);
    expect(app.child.exitCode).toBeNull();
  }, 30_000);

  it('with a real secret, refuses a delivery signed with `development` and does nothing', async () => {
    const port = await freePort();
    const app = start({ ...baseEnv(), WEBHOOK_SECRET: 'a-real-secret-0123456789' }, port);
    await waitFor('the app to listen', async () => ((await listens(port)) ? true : undefined), 20_000);
    const body = JSON.stringify(commentPayload('/agent claude go\nfake-agent: write x.txt x', { commentId: 3 }));
    const r = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issue_comment',
        'x-github-delivery': 'forged-with-development',
        'x-hub-signature-256': `sha256=${createHmac('sha256', 'development').update(body).digest('hex')}`,
      },
      body,
    });
    expect([400, 401]).toContain(r.status);
    await new Promise((res) => setTimeout(res, 500));
    expect(github.calls).toEqual([]);
    expect(app.output()).not.toContain('"queued"');
  }, 30_000);
});
