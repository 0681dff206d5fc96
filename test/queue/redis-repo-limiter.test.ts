import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRepoLimiter } from '../../src/queue/redis-repo-limiter.js';
import { waitFor } from '../helpers/jobs.js';
import { RedisServer, withoutRedisServer } from '../helpers/redis-server.js';

describe.skipIf(withoutRedisServer('the RedisRepoLimiter tests'))("RedisRepoLimiter: a repository's max_concurrent_jobs across processes", () => {
  const redis = new RedisServer();
  const limiters: RedisRepoLimiter[] = [];
  beforeAll(async () => {
    await redis.start();
  });
  afterAll(async () => {
    await Promise.all(limiters.map((l) => l.close()));
    await redis.stop();
  });
  const limiter = (prefix: string, leaseMs = 5_000): RedisRepoLimiter => {
    const l = new RedisRepoLimiter({ url: redis.url, prefix, leaseMs, pollMs: 20 });
    limiters.push(l);
    return l;
  };

  it('lets max jobs of a repository hold a slot at once, across limiters, and the next one in when a slot is released', async () => {
    const a = limiter('lim1');
    const b = limiter('lim1');
    const first = await a.acquire('Octo/Repo', 2);
    await b.acquire('octo/repo', 2);
    let third = false;
    const waiting = a.acquire('octo/repo', 2).then((release) => ((third = true), release));
    // Another repository is not held up.
    await (
      await b.acquire('octo/other', 2)
    )();
    await new Promise((r) => setTimeout(r, 100));
    expect(third).toBe(false);
    first();
    await waitFor('the third job to get its slot', () => third);
    (await waiting)();
  });

  it('frees the slot of a worker that died without releasing it, once its lease runs out', async () => {
    const dead = limiter('lim2', 300);
    await dead.acquire('octo/repo', 1);
    await dead.close();
    const alive = limiter('lim2', 300);
    const release = await alive.acquire('octo/repo', 1);
    release();
  });

  it('gives up waiting when the job is stopped, with the reason it was stopped for', async () => {
    const l = limiter('lim3');
    await l.acquire('octo/repo', 1);
    const controller = new AbortController();
    const waiting = l.acquire('octo/repo', 1, controller.signal);
    controller.abort(new Error('stopped by monalisa'));
    await expect(waiting).rejects.toThrow('stopped by monalisa');
  });

  it('takes no slot when the repository sets no limit', async () => {
    const l = limiter('lim4');
    for (let i = 0; i < 5; i += 1) await l.acquire('octo/repo', undefined);
  });
});
