import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Probot } from 'probot';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProfileRegistry } from '../../src/agents/registry.js';
import { settingsFromEnv } from '../../src/config/settings.js';
import { BotIdentityCache } from '../../src/github/bot-identity.js';
import type { Octokit } from '../../src/github/octokit.js';
import { PermissionCache } from '../../src/github/permission.js';
import type { RepoConfigLoader } from '../../src/github/repo-config-loader.js';
import { BullMqQueue } from '../../src/queue/bullmq-queue.js';
import type { Job } from '../../src/job.js';
import { MemoryQueue } from '../../src/queue/memory-queue.js';
import { RedisRepoLimiter } from '../../src/queue/redis-repo-limiter.js';
import { MemoryRepoLimiter, type RepoLimiter } from '../../src/queue/repo-limiter.js';
import { createWorker } from '../../src/jobs/worker.js';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import type { SandboxProvider } from '../../src/sandbox/provider.js';
import { FakeGitHub } from '../helpers/fake-github.js';
import { makeJob, recordingLogger, waitFor } from '../helpers/jobs.js';
import { testProbot } from '../helpers/probot.js';
import { RedisServer, withoutRedisServer } from '../helpers/redis-server.js';

const FIXTURE_BIN = join(import.meta.dirname, '..', 'fixtures', 'bin');
const OWNER = 'Codertocat';
const BUSY = 'Hello-World';
const OTHER = 'Other';

// One repository keeps its max_concurrent_jobs (1) busy and asks for more: its waiting job must not
// sit on a worker slot while another repository's job could use it.
describe('a job waiting for its repository slot', () => {
  let github: FakeGitHub;
  let dir: string;
  let probot: Probot;
  let started: string[];
  let sandboxes: SandboxProvider;
  const silent = recordingLogger();
  // The busy repository's settings: one job at a time. The other repository has no file.
  const loader = {
    load: async (_o: Octokit, _owner: string, repo: string) => ({ raw: repo === BUSY ? { limits: { max_concurrent_jobs: 1 } } : {}, sources: [], sha: undefined }),
  } as unknown as RepoConfigLoader;

  beforeEach(async () => {
    github = await new FakeGitHub().start();
    github.git.createRepo(OWNER, BUSY, { 'README.md': '# Busy\n' });
    github.git.createRepo(OWNER, OTHER, { 'README.md': '# Other\n' });
    dir = mkdtempSync(join(tmpdir(), 'issuesmith-busy-'));
    probot = testProbot(`http://${github.host}/api/v3`);
    started = [];
    const local = new LocalSandboxProvider({ path: `${FIXTURE_BIN}:${process.env.PATH ?? ''}`, root: dir });
    sandboxes = {
      name: 'local',
      create: (o) => (started.push(`${o.metadata.repo}#${o.metadata.issue}`), local.create(o)),
      connect: (id, owner) => local.connect(id, owner),
      kill: (id, owner) => local.kill(id, owner),
      killTagged: (m) => local.killTagged(m),
    };
  });

  afterEach(async () => {
    await github.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function worker(limiter: RepoLimiter): ReturnType<typeof createWorker> {
    return createWorker({
      auth: (id) => probot.auth(id) as Promise<Octokit>,
      settings: settingsFromEnv({ ANTHROPIC_API_KEY: 'sk-ant-test-key-0123456789abcdef', ISSUESMITH_WORK_DIR: dir }),
      profiles: new ProfileRegistry(),
      sandboxes,
      permissions: new PermissionCache(),
      identity: new BotIdentityCache(),
      log: silent,
      repoConfigs: loader,
      limiter,
      deferMs: 100,
      statusIntervalMs: 100,
    });
  }

  function job(repo: string, number: number, body: string): Job {
    return makeJob({ owner: OWNER, repo, number, issue: { title: `Job ${number}`, body }, trigger: { type: 'label', label: 'agent' } });
  }

  const pullOf = (repo: string) => () => github.callsTo('POST', new RegExp(`/repos/${OWNER}/${repo}/pulls$`))[0];

  it('in the memory queue (concurrency 1) gives its slot to another repository while the busy one still runs', async () => {
    const limiter = new MemoryRepoLimiter();
    const queue = new MemoryQueue(worker(limiter), { concurrency: 1 });
    // The busy repository's first job runs on another worker: it holds the repository's only slot.
    let firstJob = await limiter.acquire(`${OWNER}/${BUSY}`, 1);
    try {
      await queue.enqueue(job(BUSY, 2, 'fake-agent: write second.txt second'));
      await queue.enqueue(job(OTHER, 3, 'fake-agent: write other.txt other'));
      await waitFor("the other repository's pull request", pullOf(OTHER), 20_000);
      expect(started).toEqual([`${OWNER}/${OTHER}#3`]);
      expect(limiter.running(`${OWNER}/${BUSY}`)).toBe(1);
      firstJob();
      firstJob = () => undefined;
      // Once the slot is free, the waiting job runs after all.
      await waitFor("the busy repository's second pull request", pullOf(BUSY), 20_000);
      await queue.drain();
      expect(started).toEqual([`${OWNER}/${OTHER}#3`, `${OWNER}/${BUSY}#2`]);
    } finally {
      firstJob();
      await queue.close();
    }
  }, 45_000);

  describe.skipIf(withoutRedisServer('the busy-repository tests on BullMQ'))('on BullMQ with two workers of concurrency 1', () => {
    const redis = new RedisServer();
    beforeAll(async () => {
      await redis.start();
    });
    afterAll(async () => {
      await redis.stop();
    });

    it('runs the other repository while the busy one runs its first job', async () => {
      const limiters = [0, 1].map(() => new RedisRepoLimiter({ url: redis.url, prefix: 'busy', leaseMs: 5_000, pollMs: 50 }));
      const queues = limiters.map(
        (limiter) => new BullMqQueue({ url: redis.url, prefix: 'busy', process: worker(limiter), concurrency: 1, leaseMs: 5_000, busyRetryMs: 50, log: silent }),
      );
      try {
        await Promise.all(queues.map((q) => q.ready()));
        const [web] = queues;
        if (web === undefined) throw new Error('no queue');
        // The busy repository's first job takes a while; its second waits for the slot.
        await web.enqueue(job(BUSY, 1, 'fake-agent: sleep 4\nfake-agent: write first.txt first'));
        await waitFor('the first job to start', () => started.includes(`${OWNER}/${BUSY}#1`), 20_000);
        await web.enqueue(job(BUSY, 2, 'fake-agent: write second.txt second'));
        await new Promise((r) => setTimeout(r, 300));
        await web.enqueue(job(OTHER, 3, 'fake-agent: write other.txt other'));
        await waitFor("the other repository's pull request", pullOf(OTHER), 20_000);
        // The busy repository's first job still runs: no pull request of it yet, and its second has not started.
        expect(pullOf(BUSY)()).toBeUndefined();
        expect(started).toEqual([`${OWNER}/${BUSY}#1`, `${OWNER}/${OTHER}#3`]);
        await waitFor('every job to end', () => github.callsTo('POST', new RegExp(`/repos/${OWNER}/${BUSY}/pulls$`)).length === 2, 30_000);
        expect(started).toEqual([`${OWNER}/${BUSY}#1`, `${OWNER}/${OTHER}#3`, `${OWNER}/${BUSY}#2`]);
      } finally {
        await Promise.all(queues.map((q) => q.close()));
        await Promise.all(limiters.map((l) => l.close()));
      }
    }, 60_000);
  });
});
