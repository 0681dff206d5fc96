import { Redis } from 'ioredis';
import type { SessionStore } from './session-store.js';

export interface RedisSessionStoreOptions {
  /** How long a saved state is kept without a new turn. Default 30 days. */
  ttlSeconds?: number;
  prefix?: string;
}

/** Session state in Redis (`REDIS_URL`), so every worker process can continue any pull request. */
export class RedisSessionStore implements SessionStore {
  readonly name = 'redis';
  readonly #redis: Redis;
  readonly #ttl: number;
  readonly #prefix: string;

  constructor(url: string, options: RedisSessionStoreOptions = {}) {
    // Fail a call rather than queue it forever while Redis is down: a job reports the failure.
    this.#redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    this.#ttl = options.ttlSeconds ?? 30 * 24 * 3600;
    this.#prefix = options.prefix ?? 'issuesmith:session:';
  }

  async save(key: string, data: Uint8Array): Promise<void> {
    await this.#redis.set(this.#prefix + key, Buffer.from(data), 'EX', this.#ttl);
  }

  async load(key: string): Promise<Uint8Array | undefined> {
    const value = await this.#redis.getBuffer(this.#prefix + key);
    return value === null ? undefined : new Uint8Array(value);
  }

  async delete(key: string): Promise<void> {
    await this.#redis.del(this.#prefix + key);
  }

  async close(): Promise<void> {
    // A client that never connected has nothing to say goodbye to.
    if (this.#redis.status === 'wait') this.#redis.disconnect();
    else await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
