import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../helpers/fake-github.js';
import { appProcessEnv } from '../helpers/app-process.js';
import { waitFor } from '../helpers/jobs.js';
import { commentPayload } from '../helpers/payloads.js';
import { freePort, RedisServer, withoutRedisServer } from '../helpers/redis-server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const SECRET = 'workers-test-secret';

interface AppProcess {
  child: ChildProcess;
  port: number;
  output: () => string;
}

/** Ids of the local sandboxes under `dir`, from the tag file each keeps. */
function sandboxIds(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('issuesmith-sbx-'))
    .flatMap((f) => {
      try {
        return [(JSON.parse(readFileSync(join(dir, f, 'sandbox.json'), 'utf8')) as { id: string }).id];
      } catch {
        return [];
      }
    });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(withoutRedisServer('the web and worker process tests'))('a web process and worker processes sharing one Redis', () => {
  const redis = new RedisServer();
  let github: FakeGitHub;
  let root: string;
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error('dist/src/main.js is missing: run `npm test`, which builds first');
    await redis.start();
    github = await new FakeGitHub().start();
    github.git.createRepo('Codertocat', 'Hello-World', { 'README.md': '# Hello\n' });
    root = mkdtempSync(join(tmpdir(), 'issuesmith-e2e-workers-'));
  });

  afterAll(async () => {
    for (const a of apps) if (a.child.exitCode === null) a.child.kill('SIGKILL');
    await github?.stop();
    await redis.stop();
    rmSync(root, { recursive: true, force: true });
  });

  function env(extra: Record<string, string>): Record<string, string> {
    return {
      ...appProcessEnv({ github, dir: root, bin: join(ROOT, 'test', 'fixtures', 'bin'), secret: SECRET, anthropicKey: 'sk-ant-workers-test-0123456789' }),
      // The local sandboxes are made under the temp dir: every worker's in the same place, as on one machine.
      TMPDIR: root,
      LOG_LEVEL: 'info',
      ...extra,
    };
  }

  async function start(extra: Record<string, string>, ready = true): Promise<AppProcess> {
    const port = await freePort();
    let output = '';
    const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: env({ PORT: String(port), ...extra }), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const app = { child, port, output: () => output };
    apps.push(app);
    if (ready) {
      await waitFor(`the app on ${port} to listen`, async () => {
        try {
          return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
        } catch {
          return undefined;
        }
      });
    }
    return app;
  }

  const shared = { REDIS_URL: '', ISSUESMITH_REDIS_PREFIX: 'e2e', ISSUESMITH_JOB_LEASE_SECONDS: '1' };

  function post(app: AppProcess, payload: object, delivery: string): Promise<Response> {
    const body = JSON.stringify(payload);
    return fetch(`http://127.0.0.1:${app.port}/api/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issue_comment',
        'x-github-delivery': delivery,
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
      body,
    });
  }

  it('refuses to start the web role without REDIS_URL, saying why', async () => {
    const app = await start({ ISSUESMITH_ROLE: 'web' }, false);
    const code = await new Promise<number | null>((resolve) => app.child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(app.output()).toContain('ISSUESMITH_ROLE=web needs REDIS_URL');
  });

  it('completes the job of a worker killed with SIGKILL on another worker, with exactly one pull request', async () => {
    shared.REDIS_URL = redis.url;
    const web = await start({ ...shared, ISSUESMITH_ROLE: 'web' });
    const first = await start({ ...shared, ISSUESMITH_ROLE: 'worker' });
    const health = (await (await fetch(`http://127.0.0.1:${first.port}/healthz`)).json()) as { role: string };
    expect(health.role).toBe('worker');

    const marker = join(root, 'first-run.pid');
    const body = `/agent claude add notes\nfake-agent: write NOTES.md from the agent\nfake-agent: sleep-once ${marker} 120`;
    const r = await post(web, commentPayload(body, { commentId: 11 }), 'delivery-crash');
    expect(r.status).toBe(200);
    // Redelivered by hand: the same delivery id is refused, on any process.
    expect((await post(web, commentPayload(body, { commentId: 11 }), 'delivery-crash')).status).toBe(200);

    const agentPid = await waitFor('the first run of the agent', () => (existsSync(marker) ? Number(readFileSync(marker, 'utf8')) || undefined : undefined));
    // Mid-job as a person sees it: the agent runs and the status comment says so. (Killed while a GitHub
    // write waits in Probot's throttle, which REDIS_URL shares through Redis, the dead worker would hold
    // that installation's write slot for about a minute: the README says so.)
    await waitFor('the status comment', () => github.comments.find((c) => c.body.includes('issuesmith:status delivery-crash')));
    const sandboxes = sandboxIds(root);
    expect(sandboxes).toHaveLength(1);
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;
    // The dead worker's agent runs on in its sandbox until someone ends it.
    expect(alive(agentPid)).toBe(true);

    const second = await start({ ...shared, ISSUESMITH_ROLE: 'worker' });
    await waitFor('the pull request', () => github.callsTo('POST', /\/pulls$/)[0], 150_000);
    await waitFor('the queue to be empty', async () => {
      const h = (await (await fetch(`http://127.0.0.1:${web.port}/healthz`)).json()) as { queue: { waiting: number; running: number } };
      return h.queue.waiting === 0 && h.queue.running === 0;
    });

    expect(github.callsTo('POST', /\/pulls$/)).toHaveLength(1);
    expect(github.git.git('Codertocat', 'Hello-World', ['show', 'issuesmith/1-spelling-error-in-the-readme-file:NOTES.md'])).toBe('from the agent');
    // The restarted job ended the first run's sandbox, found by its metadata, agent and all.
    await waitFor('the first agent to be gone', () => !alive(agentPid));
    expect(sandboxIds(root).filter((id) => sandboxes.includes(id))).toEqual([]);
    const status = await waitFor(
      'the final status',
      () => github.comments.find((c) => c.body.includes('issuesmith:status delivery-crash') && c.body.includes('opened a pull request'))?.body,
    );
    expect(status).toContain('Restarted after the worker running it stopped (attempt 2)');
    expect(second.output()).toContain('"attempt":2');
    expect(second.output()).toContain('job restarted');
    const metrics = await (await fetch(`http://127.0.0.1:${second.port}/metrics`)).text();
    expect(metrics).toContain('issuesmith_jobs_started_total{agent="claude",restarted="true"} 1');
    expect(metrics).toContain('issuesmith_jobs_finished_total{outcome="pull-request",agent="claude"} 1');
    const webMetrics = await (await fetch(`http://127.0.0.1:${web.port}/metrics`)).text();
    expect(webMetrics).toContain('issuesmith_jobs_enqueued_total{result="accepted"} 1');
    expect(webMetrics).toContain('issuesmith_jobs_enqueued_total{result="duplicate"} 1');
    expect(webMetrics).toMatch(/issuesmith_webhook_duration_seconds_count\{event="issue_comment.created"\} 2/);

    // SIGTERM with nothing running: the worker stops cleanly.
    const stopped = new Promise<number | null>((resolve) => second.child.once('exit', resolve));
    second.child.kill('SIGTERM');
    expect(await stopped).toBe(0);
  }, 200_000);
});
