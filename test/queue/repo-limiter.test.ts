import { describe, expect, it } from 'vitest';
import { MemoryRepoLimiter } from '../../src/queue/repo-limiter.js';

describe('the per-repository job limit', () => {
  it('lets as many jobs run as the limit, and the next one when a slot is free', async () => {
    const limiter = new MemoryRepoLimiter();
    const a = await limiter.acquire('O/R', 2);
    await limiter.acquire('o/r', 2);
    let third = false;
    const waiting = limiter.acquire('o/r', 2).then((release) => ((third = true), release));
    await limiter.acquire('o/other', 2);
    await Promise.resolve();
    expect(third).toBe(false);
    expect(limiter.running('o/r')).toBe(2);
    a();
    a();
    await waiting;
    expect(third).toBe(true);
    expect(limiter.running('o/r')).toBe(2);
  });

  it('has no limit without one, and stops waiting when the job is stopped', async () => {
    const limiter = new MemoryRepoLimiter();
    for (let i = 0; i < 5; i += 1) await limiter.acquire('o/r', undefined);
    await limiter.acquire('o/s', 1);
    const controller = new AbortController();
    const waiting = limiter.acquire('o/s', 1, controller.signal);
    controller.abort(new Error('stopped by x'));
    await expect(waiting).rejects.toThrow('stopped by x');
    expect(limiter.running('o/s')).toBe(1);
  });
});
