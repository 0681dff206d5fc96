import type { AccessRules } from '../access/access-rules.js';
import { repoConfigSchema } from '../config/repo-config.js';
import type { Logger } from '../logger.js';
import type { Octokit } from './octokit.js';
import type { RepoConfigLoader } from './repo-config-loader.js';

/**
 * The access rules of a repository read through the same loader (and cache) as its jobs' settings, for
 * what is answered outside the worker: controls and the queued acknowledgement. Only `permission` and
 * `allowed_users` are read, each on its own, so a stricter rule holds even when another part of the file
 * is broken; a file that cannot be read at all, or a rule that does not parse, leaves the app's defaults,
 * with a log line.
 */
export async function loadAccessRules(o: {
  octokit: Octokit;
  loader: Pick<RepoConfigLoader, 'load'>;
  defaults: AccessRules;
  owner: string;
  repo: string;
  branch: string;
  log: Pick<Logger, 'warn'>;
}): Promise<AccessRules> {
  let raw: Record<string, unknown>;
  try {
    raw = (await o.loader.load(o.octokit, o.owner, o.repo, o.branch)).raw;
  } catch (err) {
    o.log.warn(
      { repo: `${o.owner}/${o.repo}`, err: String((err as Error)?.message ?? err).slice(0, 300) },
      "could not read the repository's settings: the app's access rules apply",
    );
    return o.defaults;
  }
  const shape = repoConfigSchema.shape;
  const permission = shape.permission.safeParse(raw.permission);
  const allowed = shape.allowed_users.safeParse(raw.allowed_users);
  if (!permission.success || !allowed.success) {
    o.log.warn({ repo: `${o.owner}/${o.repo}` }, "the repository's `permission` or `allowed_users` does not parse: the app's default for it applies");
  }
  return {
    permission: (permission.success ? permission.data : undefined) ?? o.defaults.permission,
    allowedUsers: (allowed.success ? allowed.data?.map((u) => u.toLowerCase()) : undefined) ?? o.defaults.allowedUsers,
  };
}
