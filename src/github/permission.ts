import { toPermission, type Permission } from '../security/has-permission.js';
import type { Octokit } from './octokit.js';

/**
 * A person's role on a repository, from `repos.getCollaboratorPermissionLevel` (never the payload's
 * author_association), remembered briefly so a burst of commands costs one call.
 */
export class PermissionCache {
  readonly #cache = new Map<string, { value: Permission; until: number }>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(octokit: Octokit, owner: string, repo: string, username: string): Promise<Permission> {
    const key = `${owner}/${repo}\0${username}`.toLowerCase();
    const hit = this.#cache.get(key);
    if (hit && hit.until > this.now()) return hit.value;
    let value: Permission;
    try {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
      value = toPermission(data.role_name, data.permission);
    } catch (err) {
      // GitHub answers 404 for someone who is not a collaborator at all.
      if ((err as { status?: number }).status !== 404) throw err;
      value = 'none';
    }
    this.#cache.set(key, { value, until: this.now() + this.ttlMs });
    return value;
  }
}
