import type { Settings } from '../config/settings.js';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { RepoLimiter } from './repo-limiter.js';

export interface RedisRepoLimiterOptions {
  url: string;
  /** Namespace of the keys, shared by the processes that share work. */
  prefix: string;
  /** How long a slot lives without renewal: a dead worker's slot frees itself after this. */
  leaseMs: number;
  /** How often a job waiting for a slot looks again. Default 1 s. */
  pollMs?: number;
}

// Slots are members of a sorted set scored by when their lease ends, on Redis' own clock.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0`;
const RENEW = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * The repository's `max_concurrent_jobs` across every worker on one Redis: a job holds a leased slot
 * (renewed while it runs, released when it ends, freed by itself when its worker dies).
 */
export class RedisRepoLimiter implements RepoLimiter {
  readonly #redis: Redis;

  /** The limiter shared by every worker on the app's Redis, when it has one. */
  static fromSettings(settings: Pick<Settings, 'redisUrl' | 'redisPrefix' | 'jobLeaseMs'>): RedisRepoLimiter | undefined {
    return settings.redisUrl === undefined ? undefined : new RedisRepoLimiter({ url: settings.redisUrl, prefix: settings.redisPrefix, leaseMs: settings.jobLeaseMs });
  }

  constructor(private readonly o: RedisRepoLimiterOptions) {
    this.#redis = new Redis(o.url, { maxRetriesPerRequest: 3 });
    this.#redis.on('error', () => undefined);
  }

  async acquire(repo: string, max: number | undefined, signal?: AbortSignal): Promise<() => void> {
    if (max === undefined) return () => undefined;
    const key = this.#key(repo);
    const token = randomUUID();
    for (;;) {
      if (signal?.aborted === true) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
      if ((await this.#redis.eval(ACQUIRE, 1, key, token, max, this.o.leaseMs)) === 1) break;
      await sleep(this.o.pollMs ?? 1_000, undefined, signal ? { signal } : {}).catch(() => undefined);
    }
    return this.#held(key, token);
  }

  async tryAcquire(repo: string, max: number | undefined): Promise<(() => void) | undefined> {
    if (max === undefined) return () => undefined;
    const key = this.#key(repo);
    const token = randomUUID();
    if ((await this.#redis.eval(ACQUIRE, 1, key, token, max, this.o.leaseMs)) !== 1) return undefined;
    return this.#held(key, token);
  }

  #key(repo: string): string {
    return `${this.o.prefix}:repo-slots:${repo.toLowerCase()}`;
  }

  /** A slot taken: renewed while held, and its release. */
  #held(key: string, token: string): () => void {
    const renew = setInterval(() => void this.#redis.eval(RENEW, 1, key, token, this.o.leaseMs).catch(() => undefined), Math.max(100, Math.floor(this.o.leaseMs / 3)));
    renew.unref();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      clearInterval(renew);
      void this.#redis.zrem(key, token).catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => undefined);
  }
}
