import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectorySessionStore } from '../../src/sessions/directory-session-store.js';
import { RedisSessionStore } from '../../src/sessions/redis-session-store.js';
import { sessionStoreFromEnv } from '../../src/sessions/session-store-from-env.js';
import { sessionKey } from '../../src/keys.js';
import type { SessionStore } from '../../src/sessions/session-store.js';
import { RedisServer, withoutRedisServer } from '../helpers/redis-server.js';

// Every byte value, so a store that treats the tar as text fails.
const DATA = new Uint8Array(Array.from({ length: 512 }, (_, i) => i % 256));

async function behavesAsAStore(store: SessionStore): Promise<void> {
  const key = sessionKey('Octo', 'Hello-World', 77);
  expect(await store.load(key)).toBeUndefined();
  await store.save(key, DATA);
  expect(await store.load(key)).toEqual(DATA);
  expect(await store.load(sessionKey('Octo', 'Hello-World', 78))).toBeUndefined();
  await store.save(key, new Uint8Array([1, 2, 3]));
  expect(await store.load(key)).toEqual(new Uint8Array([1, 2, 3]));
  await store.delete(key);
  expect(await store.load(key)).toBeUndefined();
  await expect(store.delete(key)).resolves.toBeUndefined();
}

describe('session stores', () => {
  it('keys a pull request case-insensitively, as GitHub names are', () => {
    expect(sessionKey('Octo', 'Hello-World', 7)).toBe(sessionKey('octo', 'hello-world', 7));
  });

  it('keeps sessions as files in a directory, one a pull request, named safely', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'issuesmith-sessions-'));
    try {
      const store = new DirectorySessionStore(join(dir, 'nested'));
      await behavesAsAStore(store);
      await store.save(sessionKey('../../etc', 'passwd', 1), DATA);
      expect(readdirSync(join(dir, 'nested'))).toEqual([expect.stringMatching(/^[0-9a-f]{40}\.tar\.gz$/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('chooses Redis when REDIS_URL is set, and otherwise a directory under the work dir or ISSUESMITH_SESSION_DIR', async () => {
    expect(sessionStoreFromEnv({}, '/work').name).toBe('directory');
    expect(sessionStoreFromEnv({ ISSUESMITH_SESSION_DIR: '/s' }, '/work').name).toBe('directory');
    const redis = sessionStoreFromEnv({ REDIS_URL: 'redis://127.0.0.1:1' }, '/work');
    expect(redis.name).toBe('redis');
    await redis.close();
  });

  describe.skipIf(withoutRedisServer('the Redis session store tests'))('in Redis (a real redis-server on a loopback port)', () => {
    const server = new RedisServer();
    let url: string;

    beforeAll(async () => {
      url = (await server.start()).url;
    });

    afterAll(() => server.stop());

    it('saves, loads and deletes binary state', async () => {
      const store = new RedisSessionStore(url, { prefix: `t${Date.now()}:` });
      try {
        await behavesAsAStore(store);
      } finally {
        await store.close();
      }
    });

    it('lets saved state expire after its time to live', async () => {
      const prefix = `ttl${Date.now()}:`;
      const store = new RedisSessionStore(url, { prefix, ttlSeconds: 3600 });
      const raw = new Redis(url);
      try {
        await store.save('k', DATA);
        const ttl = await raw.ttl(`${prefix}k`);
        expect(ttl).toBeGreaterThan(3500);
        expect(ttl).toBeLessThanOrEqual(3600);
      } finally {
        await store.close();
        await raw.quit();
      }
    });
  });
});
