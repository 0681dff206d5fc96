import type { ConfigSource } from '../config/repo-config.js';
import { REPO_CONFIG_PATH } from '../config/repo-config.js';
import { UserError } from '../errors.js';
import type { Octokit } from './octokit.js';

/** The merged file (or `{}` when there is none) and the files it came from, highest priority first. */
export interface LoadedRepoConfig {
  raw: Record<string, unknown>;
  sources: ConfigSource[];
  /** The default branch's commit it was read at; undefined when the branch could not be read. */
  sha: string | undefined;
}

/**
 * Reads `.github/issuesmith.yml` with Probot's config plugin, which follows `_extends:` and falls back
 * to the owner's `.github` repository, and caches what it read by repository and default-branch commit:
 * a burst of webhooks costs one cheap call (the branch head, as a bare SHA, asked once for every call
 * made within `headTtlMs`, and once for calls made at the same time) and one read of the file. A change on
 * the default branch is a new commit, so it is read within `headTtlMs`; files in other repositories
 * (`_extends`) are picked up when the entry expires (`ttlMs`).
 */
export class RepoConfigLoader {
  readonly #cache = new Map<string, { sha: string; until: number; value: Promise<LoadedRepoConfig> }>();
  readonly #heads = new Map<string, { until: number; sha: Promise<string | undefined> }>();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 1000,
    private readonly headTtlMs = 2_000,
  ) {}

  async load(octokit: Octokit, owner: string, repo: string, branch: string): Promise<LoadedRepoConfig> {
    const sha = await this.#head(octokit, owner, repo, branch);
    if (sha === undefined) return read(octokit, owner, repo, branch, undefined);
    const key = `${owner}/${repo}`.toLowerCase();
    const hit = this.#cache.get(key);
    if (hit !== undefined && hit.sha === sha && hit.until > this.now()) return hit.value;
    const value = read(octokit, owner, repo, sha, sha);
    this.#cache.set(key, { sha, until: this.now() + this.ttlMs, value });
    // A failed read is not remembered: the next job tries again.
    value.catch(() => {
      if (this.#cache.get(key)?.value === value) this.#cache.delete(key);
    });
    if (this.#cache.size > this.maxEntries) this.#cache.delete(this.#cache.keys().next().value ?? key);
    return value;
  }

  /** The branch's head, asked of GitHub once for the calls within `headTtlMs` (a failure is not kept). */
  #head(octokit: Octokit, owner: string, repo: string, branch: string): Promise<string | undefined> {
    const key = `${owner}/${repo}#${branch}`.toLowerCase();
    const hit = this.#heads.get(key);
    if (hit !== undefined && hit.until > this.now()) return hit.sha;
    const sha = branchHeadSha(octokit, owner, repo, branch);
    this.#heads.set(key, { until: this.now() + this.headTtlMs, sha });
    sha.catch(() => {
      if (this.#heads.get(key)?.sha === sha) this.#heads.delete(key);
    });
    if (this.#heads.size > this.maxEntries) this.#heads.delete(this.#heads.keys().next().value ?? key);
    return sha;
  }
}

/** The branch's head commit, from `GET /repos/{o}/{r}/commits/{ref}` as a bare SHA (a few dozen bytes); undefined for an empty repository or a missing branch. */
export async function branchHeadSha(octokit: Octokit, owner: string, repo: string, branch: string): Promise<string | undefined> {
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', { owner, repo, ref: branch, mediaType: { format: 'sha' } });
    const sha = String(data).trim();
    return /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
  } catch (err) {
    // An empty repository or a missing branch: read the file without caching it.
    if ([404, 409, 422].includes((err as { status?: number }).status ?? 0)) return undefined;
    throw err;
  }
}

async function read(octokit: Octokit, owner: string, repo: string, ref: string, sha: string | undefined): Promise<LoadedRepoConfig> {
  let result: Awaited<ReturnType<Octokit['config']['get']>>;
  try {
    result = await octokit.config.get({ owner, repo, path: REPO_CONFIG_PATH, branch: ref, defaults: (configs) => deepMerge(configs) });
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status !== undefined) throw err;
    // The plugin's own errors (invalid YAML, a bad `_extends`, a loop) are the maintainer's to fix.
    const message = String((err as Error).message ?? err).replace(/^\[@probot\/octokit-plugin-config\]\s*/, '');
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new UserError(`\`${REPO_CONFIG_PATH}\` could not be read: ${message}${cause ? `\n\n${cause.split('\n')[0] ?? ''}` : ''}`);
  }
  const sources: ConfigSource[] = result.files.map((f) => ({ label: `${f.owner}/${f.repo}:${f.path}`, config: f.config }));
  const raw = result.config as Record<string, unknown>;
  return { raw, sources, sha };
}

/**
 * Later files win; mappings merge key by key (so a repository can change one agent's model and keep
 * the organisation's other settings), lists and values are replaced.
 */
export function deepMerge(configs: ReadonlyArray<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of configs) mergeInto(out, c);
  return out;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    const current = target[key];
    if (isPlainObject(value) && isPlainObject(current)) {
      const copy = { ...current };
      mergeInto(copy, value);
      target[key] = copy;
    } else target[key] = isPlainObject(value) ? deepMerge([value]) : value;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
