import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../helpers/fake-github.js';
import { appProcessEnv, stopProcess } from '../helpers/app-process.js';
import { commentPayload } from '../helpers/payloads.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const SECRET = 'process-test-secret';
const ANTHROPIC_KEY = 'sk-ant-process-test-0123456789';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
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

describe('the built app as a process, against a fake GitHub Enterprise Server on loopback', () => {
  let github: FakeGitHub;
  let app: ChildProcess;
  let port: number;
  let workDir: string;
  let output = '';

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error('dist/src/main.js is missing: run `npm test`, which builds first');
    github = await new FakeGitHub().start();
    github.git.createRepo('Codertocat', 'Hello-World', { 'README.md': '# Hello\n' });
    port = await freePort();
    workDir = mkdtempSync(join(tmpdir(), 'issuesmith-e2e-'));
    app = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: {
        ...appProcessEnv({ github, dir: workDir, bin: join(ROOT, 'test', 'fixtures', 'bin'), secret: SECRET, anthropicKey: ANTHROPIC_KEY }),
        PORT: String(port),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    app.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    app.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    await waitFor('the app to listen', async () => {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`);
        return r.ok ? true : undefined;
      } catch {
        return undefined;
      }
    });
  });

  afterAll(async () => {
    // A shutdown waits for a running job: SIGKILL after 5 s (its spawner then ends the job's processes).
    await stopProcess(app, { graceMs: 5_000 });
    await github?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  function post(body: string, signature: string, delivery: string): Promise<Response> {
    return fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'issue_comment', 'x-github-delivery': delivery, 'x-hub-signature-256': signature },
      body,
    });
  }

  it('answers /healthz with JSON', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/json');
    expect(await r.json()).toMatchObject({ status: 'ok', sandbox: 'local' });
  });

  it('refuses a webhook with a bad signature and does nothing', async () => {
    const body = JSON.stringify(commentPayload('/agent claude go\nfake-agent: write x.txt x', { commentId: 1 }));
    const r = await post(body, `sha256=${createHmac('sha256', 'wrong-secret').update(body).digest('hex')}`, 'bad-signature');
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    await new Promise((res) => setTimeout(res, 300));
    expect(github.calls).toEqual([]);
  });

  it('turns a signed /agent comment into a pull request, answering the webhook at once', async () => {
    const body = JSON.stringify(commentPayload('/agent claude add a file\nfake-agent: write NOTES.md from the agent', { commentId: 7 }));
    const started = Date.now();
    const r = await post(body, `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`, 'good-delivery');
    const answeredMs = Date.now() - started;
    expect(r.status).toBe(200);
    // Handlers only enqueue: the answer does not wait for the job (which takes about a second here).
    expect(github.callsTo('POST', /\/pulls$/)).toEqual([]);
    expect(answeredMs).toBeLessThan(5_000);

    const pull = await waitFor('the pull request', () => github.callsTo('POST', /\/pulls$/)[0]);
    expect(pull.body).toMatchObject({ head: 'issuesmith/1-spelling-error-in-the-readme-file', base: 'main', draft: true });
    expect(github.git.git('Codertocat', 'Hello-World', ['show', 'issuesmith/1-spelling-error-in-the-readme-file:NOTES.md'])).toBe('from the agent');
    await waitFor('the status with the link', () => github.comments.find((c) => c.body.includes('/pull/2')));
    await waitFor('both tokens revoked', () => (github.callsTo('DELETE', /\/installation\/token$/).length === 2 ? true : undefined));
    // No host clone is left; the sandbox waits, paused, for a follow-up, with the agent's session saved.
    expect(
      readdirSync(workDir)
        .filter((f) => f.startsWith('issuesmith-'))
        .sort(),
    ).toEqual(['issuesmith-sbx-Codertocat_Hello-World-1', 'issuesmith-sessions']);
    expect(output).not.toContain(ANTHROPIC_KEY);
  });

  it("puts a screenshot pasted into the request in the agent's sandbox, fetched with the job's token, and lists it in the prompt", async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
    github.attachments.set('/user-attachments/assets/screenshot-1', png);
    const text = [
      '/agent claude the button overlaps',
      `![the button](http://${github.host}/user-attachments/assets/screenshot-1)`,
      '![elsewhere](https://images.example/other.png)',
      'fake-agent: write button.css .b { margin: 0; }',
    ].join('\n');
    const body = JSON.stringify(commentPayload(text, { commentId: 8, number: 2 }));
    expect((await post(body, `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`, 'image-delivery')).status).toBe(200);
    await waitFor('the second pull request', () => github.callsTo('POST', /\/pulls$/)[1]);

    // One request, to the GitHub host, with a token this server minted (revoked since).
    expect(github.attachmentRequests).toEqual([{ path: '/user-attachments/assets/screenshot-1', authorization: expect.stringMatching(/^Bearer ghs_[0-9a-f]{48}$/) }]);
    const home = join(workDir, 'issuesmith-sbx-Codertocat_Hello-World-2', 'home', 'user');
    const prompt = readFileSync(join(home, '.issuesmith', 'prompt.md'), 'utf8');
    const path = /^- (\S+\.png) \(the image /m.exec(prompt)?.[1];
    expect(path?.startsWith(join(home, '.issuesmith', 'images') + '/')).toBe(true);
    expect(readFileSync(path!)).toEqual(png);
    expect(prompt).toContain('One image of the request on another host was not downloaded and stays a link in the text.');
    expect(github.git.git('Codertocat', 'Hello-World', ['diff', '--name-only', 'main', 'issuesmith/2-spelling-error-in-the-readme-file'])).toBe('button.css');
  }, 60_000);
});
