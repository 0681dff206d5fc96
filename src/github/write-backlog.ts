import type { Octokit } from './octokit.js';

/**
 * How many of an installation's GitHub writes are waiting for their slot or on their way, in this
 * process. Probot's throttle spaces an installation's writes about a second apart (its limiters are
 * keyed by `throttle.id`, the installation's id), so this number is roughly how many seconds a write
 * made now would wait. Live status edits read it and give way to the writes that matter (a commit,
 * a pull request, a job's final state) when the installation is behind. Keyed by installation: one
 * tenant's backlog never holds up another's edits.
 */
const waiting = new Map<string, number>();

/** Writes of this installation not yet answered (0 for an installation that has none). */
export function writesWaiting(installationId: string | number): number {
  return waiting.get(String(installationId)) ?? 0;
}

/**
 * Octokit plugin: counts the writes of a client that carries an installation's throttle id. Added
 * after the throttling plugin, its wrapper is the outer one, so a write is counted from the moment
 * it is asked for, its wait in the throttle included, until it is answered or fails.
 */
export function countWrites(octokit: Pick<Octokit, 'hook'>, options: object): Record<string, never> {
  const throttle = (options as { throttle?: { id?: unknown; enabled?: unknown } }).throttle;
  const id = throttle?.id;
  if (typeof id !== 'string' || id === '' || throttle?.enabled === false) return {};
  octokit.hook.wrap('request', async (request, o) => {
    const method = o.method.toUpperCase();
    if (method === 'GET' || method === 'HEAD' || isAuthRequest(method, o.url)) return request(o);
    waiting.set(id, (waiting.get(id) ?? 0) + 1);
    try {
      return await request(o);
    } finally {
      const left = (waiting.get(id) ?? 1) - 1;
      if (left <= 0) waiting.delete(id);
      else waiting.set(id, left);
    }
  });
  return {};
}

// Token requests are not paced as writes by the throttle: the same test as its own `isAuthRequest`.
function isAuthRequest(method: string, url: string | undefined): boolean {
  const { pathname } = new URL(url ?? '/', 'http://github.test');
  const path = pathname.replace(/^\/api\/v3(?=\/)/, '');
  if (method === 'PATCH') return /^\/applications\/[^/]+\/token\/scoped$/.test(path);
  return method === 'POST' && (/^\/applications\/[^/]+\/token$/.test(path) || /^\/app\/installations\/[^/]+\/access_tokens$/.test(path) || path === '/login/oauth/access_token');
}
