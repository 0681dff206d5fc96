import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appProcessEnv, stopProcess } from '../helpers/app-process.js';
import { FakeGitHub } from '../helpers/fake-github.js';
import { waitFor } from '../helpers/jobs.js';
import { commentPayload } from '../helpers/payloads.js';
import { freePort } from '../helpers/redis-server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const SECRET = 'rate-limit-test-secret';
const SECONDARY = { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' };

describe('the built app under a secondary rate limit', () => {
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
    workDir = mkdtempSync(join(tmpdir(), 'issuesmith-rate-limit-'));
    app = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: {
        ...appProcessEnv({ github, dir: workDir, bin: join(ROOT, 'test', 'fixtures', 'bin'), secret: SECRET, anthropicKey: 'sk-ant-rate-limit-0123456789' }),
        PORT: String(port),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    app.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    app.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    await waitFor('the app to listen', async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined;
      } catch {
        return undefined;
      }
    });
  });

  afterAll(async () => {
    // Waited for, so that the app never outlives the suite (one was found running after a CI run).
    await stopProcess(app, { graceMs: 5_000 });
    await github?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('waits out retry-after and still opens the pull request', async () => {
    github.refusals.push({ method: 'POST', pattern: /\/pulls$/, status: 403, headers: { 'retry-after': '1' }, body: SECONDARY });
    const body = JSON.stringify(commentPayload('/agent claude add a file\nfake-agent: write NOTES.md from the agent', { commentId: 7 }));
    const r = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issue_comment',
        'x-github-delivery': 'rate-limited',
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
      body,
    });
    expect(r.status).toBe(200);
    await waitFor('the status with the link', () => github.comments.find((c) => c.body.includes('/pull/2')), 30_000);
    // The refused request, then the one sent again after the wait.
    expect(github.callsTo('POST', /\/pulls$/)).toHaveLength(2);
    expect(github.refusals).toEqual([]);
    expect(output).toMatch(/secondary rate limit on POST \/repos\/\{owner\}\/\{repo\}\/pulls: retrying in 1 s/);
  }, 45_000);
});
