import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { appProcessEnv, stopProcess as stop } from '../helpers/app-process.js';
import { FakeGitHub } from '../helpers/fake-github.js';
import { commentPayload } from '../helpers/payloads.js';
import { freePort } from '../helpers/redis-server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const SECRET = 'setup-page-test-secret';

interface Manifest {
  hook_attributes: { url: string };
  redirect_url: string;
  default_events: string[];
  default_permissions: Record<string, string>;
}

async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function start(env: Record<string, string>, cwd: string): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [MAIN], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  return { child, output: () => output };
}

async function listening(url: string): Promise<true | undefined> {
  try {
    await fetch(url, { redirect: 'manual' });
    return true;
  } catch {
    return undefined;
  }
}

// Probot's setup page (npm start without APP_ID) registers the app from the manifest it posts to GitHub.
// Whatever URL that manifest names is where GitHub sends every delivery: it must reach the app's handlers.
describe('an app registered from the setup page', () => {
  let dir: string;
  let github: FakeGitHub;
  let setup: ChildProcess | undefined;
  let app: ChildProcess | undefined;
  let manifest: Manifest;
  let appPort: number;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error('dist/src/main.js is missing: run `npm test`, which builds first');
    // The setup page reads app.yml and package.json from its working directory, and would write .env there.
    dir = mkdtempSync(join(tmpdir(), 'issuesmith-setup-'));
    copyFileSync(join(ROOT, 'app.yml'), join(dir, 'app.yml'));
    copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    const setupPort = await freePort();
    const setupProcess = start({ PATH: process.env.PATH ?? '', HOME: dir, HOST: '127.0.0.1', PORT: String(setupPort), NO_SMEE_SETUP: 'true', LOG_LEVEL: 'warn' }, dir);
    setup = setupProcess.child;
    await waitFor(`the setup page to listen\n${setupProcess.output()}`, () => listening(`http://127.0.0.1:${setupPort}/probot`));
    const page = await (await fetch(`http://127.0.0.1:${setupPort}/probot`)).text();
    const value = /name="manifest" id="manifest" value='([^']*)'/.exec(page)?.[1];
    if (value === undefined) throw new Error(`no manifest in the setup page:\n${page}`);
    manifest = JSON.parse(value) as Manifest;
    await stop(setup);

    github = await new FakeGitHub().start();
    github.git.createRepo('Codertocat', 'Hello-World', { 'README.md': '# Hello\n' });
    appPort = await freePort();
    const appProcess = start(
      {
        ...appProcessEnv({ github, dir, bin: join(ROOT, 'test', 'fixtures', 'bin'), secret: SECRET, anthropicKey: 'sk-ant-setup-test-0123456789' }),
        PORT: String(appPort),
        LOG_LEVEL: 'warn',
      },
      dir,
    );
    app = appProcess.child;
    await waitFor(`the app to listen\n${appProcess.output()}`, () => listening(`http://127.0.0.1:${appPort}/healthz`));
  });

  afterAll(async () => {
    await stop(setup);
    await stop(app);
    await github?.stop();
    // The app was killed: a git process of its job's sandbox may still be finishing a write there.
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  });

  function deliver(path: string, body: string, secret: string, delivery: string): Promise<Response> {
    return fetch(`http://127.0.0.1:${appPort}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issue_comment',
        'x-github-delivery': delivery,
        'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
      },
      body,
    });
  }

  it("posts a manifest with app.yml's events and permissions, and the webhook URL `<base>/`", () => {
    const appYml = parseYaml(readFileSync(join(ROOT, 'app.yml'), 'utf8')) as Manifest;
    expect(manifest.default_events).toEqual(appYml.default_events);
    expect(manifest.default_permissions).toEqual(appYml.default_permissions);
    expect(new URL(manifest.hook_attributes.url).pathname).toBe('/');
    expect(manifest.redirect_url).toMatch(/\/probot\/setup$/);
  });

  it('refuses a badly signed delivery at that URL and calls nothing', async () => {
    const body = JSON.stringify(commentPayload('/agent claude go', { commentId: 11 }));
    const r = await deliver(new URL(manifest.hook_attributes.url).pathname, body, 'wrong-secret', 'setup-bad');
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    await new Promise((res) => setTimeout(res, 300));
    expect(github.calls).toEqual([]);
  });

  it('accepts a signed delivery at that URL and handles it like one at the webhook path', async () => {
    const body = JSON.stringify(commentPayload('/agent claude go', { commentId: 12 }));
    const r = await deliver(new URL(manifest.hook_attributes.url).pathname, body, SECRET, 'setup-good');
    expect(r.status).toBe(200);
    // The job is queued and acknowledged with 👀 on the comment, as for a delivery to /api/github/webhooks.
    await waitFor('the 👀 reaction', () => github.callsTo('POST', /\/comments\/12\/reactions$/)[0]);
  });

  it('still answers GET / with 404 (only deliveries are served there)', async () => {
    expect((await fetch(`http://127.0.0.1:${appPort}/`)).status).toBe(404);
  });
});
