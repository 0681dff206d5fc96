import type { Redis } from 'ioredis';
import type { Job } from '../job.js';
import type { Logger } from '../logger.js';

/** What an issue's lock holds: whose lease it is, and the running job `describe` shows. */
export interface LockValue {
  token: string;
  deliveryId: string;
  profile: string;
  requester: Job['requester'];
  receivedAt: string;
  startedAt: string;
}

/** A lease taken on an issue's lock, renewed in the background until released. */
export interface Lease {
  release(): Promise<void>;
}

// Extends a lock only while it still holds our value, and deletes it only then: a lock that expired
// and was taken by another worker is never touched.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Takes the lock (`lockKey`) for `leaseMs` and renews it while held; undefined when another job holds it. */
export async function takeLease(redis: Redis, lockKey: string, lock: LockValue, o: { leaseMs: number; log: Logger; delivery: string; key: string }): Promise<Lease | undefined> {
  const value = JSON.stringify(lock);
  if ((await redis.set(lockKey, value, 'PX', o.leaseMs, 'NX')) === null) return undefined;
  const renew = setInterval(
    () => {
      redis.eval(RENEW, 1, lockKey, value, o.leaseMs).then(
        (ok) => ok === 0 && o.log.warn({ delivery: o.delivery, key: o.key }, 'lost the issue lock while running (lease expired)'),
        (err: unknown) => o.log.warn({ delivery: o.delivery, reason: String(err) }, 'could not renew the issue lock'),
      );
    },
    Math.max(100, Math.floor(o.leaseMs / 3)),
  );
  return {
    release: async () => {
      clearInterval(renew);
      await redis.eval(RELEASE, 1, lockKey, value).catch(() => undefined);
    },
  };
}

/** Who holds the lock now, if anyone. */
export async function readLease(redis: Redis, lockKey: string): Promise<LockValue | undefined> {
  const raw = await redis.get(lockKey);
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw) as LockValue;
  } catch {
    return undefined;
  }
}
