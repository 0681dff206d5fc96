import { toPermission, type Permission } from '../access/has-permission.js';
import type { Octokit } from './octokit.js';

/**
 * A person's role on a repository, from `repos.getCollaboratorPermissionLevel` (never the payload's
 * author_association), remembered briefly so a burst of commands costs one call. Bounded: expired
 * entries are dropped as newer ones come in, and past `maxEntries` the oldest go. An error from
 * GitHub (other than 404: not a collaborator) is thrown and not remembered.
 */
export class PermissionCache {
  // In insertion order, which is expiry order: every entry lives ttlMs.
  readonly #cache = new Map<string, { value: Permission; until: number }>();
  readonly #pending = new Map<string, Promise<Permission>>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 5000,
  ) {}

  get size(): number {
    return this.#cache.size;
  }

  async get(octokit: Octokit, owner: string, repo: string, username: string): Promise<Permission> {
    const key = `${owner}/${repo}\0${username}`.toLowerCase();
    const hit = this.#cache.get(key);
    if (hit && hit.until > this.now()) return hit.value;
    // Lookups of the same person at the same moment (a job and the acknowledgements of those queued behind it) share one call.
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;
    const lookup = this.#lookup(octokit, owner, repo, username, key).finally(() => this.#pending.delete(key));
    this.#pending.set(key, lookup);
    return lookup;
  }

  async #lookup(octokit: Octokit, owner: string, repo: string, username: string, key: string): Promise<Permission> {
    let value: Permission;
    try {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
      value = toPermission(data.role_name, data.permission);
    } catch (err) {
      // GitHub answers 404 for someone who is not a collaborator at all.
      if ((err as { status?: number }).status !== 404) throw err;
      value = 'none';
    }
    const t = this.now();
    this.#cache.delete(key);
    this.#cache.set(key, { value, until: t + this.ttlMs });
    this.#evict(t);
    return value;
  }

  #evict(t: number): void {
    for (const [key, entry] of this.#cache) {
      if (entry.until > t) break;
      this.#cache.delete(key);
    }
    while (this.#cache.size > this.maxEntries) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
    }
  }
}
