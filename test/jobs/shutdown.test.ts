import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Probot } from 'probot';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import issuesmith from '../../src/index.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import { FakeGitHub } from '../helpers/fake-github.js';
import { waitFor } from '../helpers/jobs.js';
import { commentPayload } from '../helpers/payloads.js';
import { testProbot } from '../helpers/probot.js';
import { RedisServer, withoutRedisServer } from '../helpers/redis-server.js';

const FIXTURE_BIN = join(import.meta.dirname, '..', 'fixtures', 'bin');
const OWNER = 'Codertocat';
const REPO = 'Hello-World';

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

describe.skipIf(withoutRedisServer('the shutdown tests'))('shutting down (SIGTERM) while an agent works', () => {
  const redis = new RedisServer();
  let github: FakeGitHub;
  let root: string;
  const runtimes: Runtime[] = [];
  let prefix = 0;

  beforeAll(async () => {
    await redis.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  beforeEach(async () => {
    github = await new FakeGitHub().start();
    github.git.createRepo(OWNER, REPO, { 'README.md': '# Hello\n' });
    root = mkdtempSync(join(tmpdir(), 'issuesmith-test-shutdown-'));
    prefix += 1;
  });

  afterEach(async () => {
    // A shutdown (its grace is 0) stops a job still running, as after a test that timed out: \`close\`
    // would wait for it, and past the hook's timeout it would go on into the next file of this worker.
    await Promise.all(runtimes.splice(0).map((r) => r.shutdown()));
    await github.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** One app process: a Probot and its runtime, on the shared fake GitHub and sandbox directory. */
  function app(env: Record<string, string> = {}): { probot: Probot; runtime: Runtime } {
    const probot = testProbot(`${github.git.url}/api/v3`);
    const runtime = createRuntime(
      probot,
      { ANTHROPIC_API_KEY: 'sk-ant-test-key-0123456789abcdef', ISSUESMITH_WORK_DIR: root, ISSUESMITH_SHUTDOWN_GRACE_SECONDS: '0', ...env },
      { sandboxes: new LocalSandboxProvider({ path: `${FIXTURE_BIN}:${process.env.PATH ?? ''}`, root }) },
    );
    issuesmith(probot, {}, runtime);
    runtimes.push(runtime);
    return { probot, runtime };
  }

  const sandboxDirs = (): string[] => readdirSync(root).filter((f) => f.startsWith('issuesmith-sbx-'));
  const statusOf = (delivery: string): string | undefined => github.comments.find((c) => c.body.includes(`<!-- issuesmith:status ${delivery} -->`))?.body;

  it('without Redis: the running job ends as stopped by the shutdown, the waiting ones are reported lost in one comment, nothing is pushed', async () => {
    const { probot, runtime } = app();
    const started = join(root, 'agent-started.json');
    await probot.receive({
      id: 'd-running',
      name: 'issue_comment',
      payload: commentPayload(`/agent claude slow\nfake-agent: record ${started}\nfake-agent: sleep 60`, { commentId: 11 }),
    } as never);
    await probot.receive({ id: 'd-waiting', name: 'issue_comment', payload: commentPayload('/agent claude next\nfake-agent: write x.txt x', { commentId: 12 }) } as never);
    await probot.receive({ id: 'd-waiting-too', name: 'issue_comment', payload: commentPayload('/agent claude and then\nfake-agent: write y.txt y', { commentId: 13 }) } as never);
    await waitFor('the agent to start', () => existsSync(started));

    await runtime.shutdown();

    expect(statusOf('d-running')).toContain('Stopped because the app was shutting down');
    // The two requests waiting on the issue: one comment names both.
    const lost = github.comments.filter((c) => c.body.includes('The app was restarted before'));
    expect(lost.map((c) => c.body)).toEqual([
      expect.stringContaining('these 2 requests could start, so they will not run. Comment again to retry (references `d-waiting`, `d-waiting-too`)'),
    ]);
    expect(github.callsTo('POST', /\/pulls$/)).toEqual([]);
    expect(sandboxDirs()).toEqual([]);
    expect(await runtime.metrics.text()).toContain('issuesmith_jobs_finished_total{outcome="stopped",agent="claude"} 1');
  });

  it('with Redis: the job goes back to the queue with its sandbox paused, and the next worker kills that sandbox and finishes the job as attempt 2', async () => {
    const shared = { REDIS_URL: redis.url, ISSUESMITH_REDIS_PREFIX: `shutdown${prefix}`, ISSUESMITH_JOB_LEASE_SECONDS: '1' };
    const first = app(shared);
    const marker = join(root, 'first-run.pid');
    const body = `/agent claude add notes\nfake-agent: write NOTES.md from the agent\nfake-agent: sleep-once ${marker} 60`;
    await first.probot.receive({ id: 'd-requeued', name: 'issue_comment', payload: commentPayload(body, { commentId: 21 }) } as never);
    await waitFor('the first run of the agent', () => existsSync(marker));

    await first.runtime.shutdown();

    // Interrupted, not failed or stopped: no final status, the sandbox kept (paused), the job waiting in Redis.
    expect(statusOf('d-requeued')).not.toMatch(/Stopped|went wrong|failed/);
    const paused = sandboxIds(root);
    expect(paused).toHaveLength(1);
    expect(await first.runtime.metrics.text()).toContain('issuesmith_jobs_finished_total{outcome="interrupted",agent="claude"} 1');
    const web = app({ ...shared, ISSUESMITH_ROLE: 'web' });
    expect(await web.runtime.queue.stats()).toEqual({ waiting: 1, running: 0 });

    app(shared);
    await waitFor('the pull request', () => github.callsTo('POST', /\/pulls$/)[0]);
    await web.runtime.queue.drain();
    expect(github.callsTo('POST', /\/pulls$/)).toHaveLength(1);
    await waitFor('the final status', () => statusOf('d-requeued')?.includes('opened a pull request'));
    expect(statusOf('d-requeued')).toContain('Restarted after the worker running it stopped (attempt 2)');
    expect(sandboxIds(root).filter((id) => paused.includes(id))).toEqual([]);
  });
});
