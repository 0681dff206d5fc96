import { describe, expect, it } from 'vitest';
import type { Octokit } from '../../src/github/octokit.js';
import { PermissionCache } from '../../src/github/permission.js';

/** An octokit whose only call is the permission lookup, answering from `roles` and counting calls. */
function fakeOctokit(roles: Record<string, string | number>): { octokit: Octokit; calls: string[] } {
  const calls: string[] = [];
  const octokit = {
    rest: {
      repos: {
        getCollaboratorPermissionLevel: async ({ username }: { username: string }) => {
          calls.push(username);
          const role = roles[username] ?? 404;
          if (typeof role === 'number') throw Object.assign(new Error(`HTTP ${role}`), { status: role });
          return { data: { permission: role, role_name: role } };
        },
      },
    },
  } as unknown as Octokit;
  return { octokit, calls };
}

describe('PermissionCache', () => {
  it('asks GitHub once for a burst of lookups of the same person', async () => {
    const { octokit, calls } = fakeOctokit({ alice: 'write' });
    const cache = new PermissionCache();
    expect(await cache.get(octokit, 'o', 'r', 'alice')).toBe('write');
    expect(await cache.get(octokit, 'o', 'r', 'Alice')).toBe('write');
    expect(calls).toEqual(['alice']);
  });

  it('reads someone GitHub does not know as a collaborator (404) as none', async () => {
    const { octokit } = fakeOctokit({});
    expect(await new PermissionCache().get(octokit, 'o', 'r', 'stranger')).toBe('none');
  });

  it('throws any other error and does not remember it', async () => {
    const roles: Record<string, string | number> = { alice: 500 };
    const { octokit, calls } = fakeOctokit(roles);
    const cache = new PermissionCache();
    await expect(cache.get(octokit, 'o', 'r', 'alice')).rejects.toMatchObject({ status: 500 });
    roles.alice = 'admin';
    expect(await cache.get(octokit, 'o', 'r', 'alice')).toBe('admin');
    expect(calls).toEqual(['alice', 'alice']);
    expect(cache.size).toBe(1);
  });

  it('asks again once an entry has expired, and drops expired entries as new ones come', async () => {
    let now = 0;
    const { octokit, calls } = fakeOctokit({ a: 'write', b: 'read', c: 'admin' });
    const cache = new PermissionCache(1000, () => now);
    await cache.get(octokit, 'o', 'r', 'a');
    await cache.get(octokit, 'o', 'r', 'b');
    now = 1500;
    await cache.get(octokit, 'o', 'r', 'c');
    // a and b expired: gone, not kept around until someone asks for them.
    expect(cache.size).toBe(1);
    await cache.get(octokit, 'o', 'r', 'a');
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });

  it('holds at most maxEntries, evicting the oldest first', async () => {
    const roles = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`u${i}`, 'read']));
    const { octokit, calls } = fakeOctokit(roles);
    const cache = new PermissionCache(60_000, () => 0, 3);
    for (let i = 0; i < 10; i++) await cache.get(octokit, 'o', 'r', `u${i}`);
    expect(cache.size).toBe(3);
    // The newest are still cached; the oldest was evicted and costs a call again.
    await cache.get(octokit, 'o', 'r', 'u9');
    await cache.get(octokit, 'o', 'r', 'u0');
    expect(calls.slice(10)).toEqual(['u0']);
    expect(cache.size).toBe(3);
  });
});

describe('PermissionCache under a burst', () => {
  it('shares one call between lookups of the same person made at the same moment', async () => {
    const { octokit, calls } = fakeOctokit({ alice: 'read' });
    const cache = new PermissionCache();
    const got = await Promise.all([1, 2, 3].map(() => cache.get(octokit, 'o', 'r', 'alice')));
    expect(got).toEqual(['read', 'read', 'read']);
    expect(calls).toEqual(['alice']);
  });
});
