import { setTimeout as sleep } from 'node:timers/promises';

/** `promise`'s value, or `fallback` after `ms` if that comes first; the timer is cleared either way. */
export async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  const controller = new AbortController();
  try {
    return await Promise.race([promise, sleep(Math.max(0, ms), fallback, { signal: controller.signal })]);
  } finally {
    controller.abort();
  }
}
