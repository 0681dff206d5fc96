import type { ProfileRegistry } from '../agents/registry.js';
import { parseRepoConfig, type RepoConfigContext } from '../config/repo-config.js';
import { agentSettings, jobSettings, repoProfiles, repoSettings, type RepoSettings } from '../config/repo-settings.js';
import type { Settings } from '../config/settings.js';
import { UserError } from '../errors.js';
import type { Octokit } from '../github/octokit.js';
import type { RepoConfigLoader } from '../github/repo-config-loader.js';
import { configProblemsMessage } from '../report/config-messages.js';
import { sandboxProviders } from '../sandbox/registry.js';
import { resolveRequest } from '../triggers/resolve-request.js';
import type { Job } from '../job.js';

export type PreparedJob =
  | { kind: 'ignore'; reason: string; /** The request was in the app's own words, so the queue may have acknowledged it. */ inAppWords?: boolean }
  | { kind: 'ready'; job: Job; settings: Settings; profiles: ProfileRegistry; repo: RepoSettings };

export interface PrepareDeps {
  installation: Octokit;
  loader: RepoConfigLoader;
  settings: Settings;
  profiles: ProfileRegistry;
}

/**
 * Reads the repository's settings and the request again in their light: its trigger, its agents, its
 * defaults. A request that is not the repository's is ignored; a file with problems is a UserError
 * listing them all, but only for a request in the app's own words (a label or command the repository
 * may have meant for something else stays silent).
 */
export async function prepareJob(job: Job, deps: PrepareDeps): Promise<PreparedJob> {
  const { settings } = deps;
  // Work the app starts by itself (a check suite for `ci.auto_fix`) stays quiet about a broken settings file.
  const inAppWords =
    job.trigger.type !== 'check-suite' &&
    resolveRequest(job, {
      labelPrefix: settings.labelPrefix,
      command: settings.command,
      defaultProfile: settings.defaultAgent,
      isProfile: (w) => deps.profiles.get(w) !== undefined,
    }).kind !== 'ignore';
  const quietly = (reason: string, err?: UserError): PreparedJob => {
    if (inAppWords && err !== undefined) throw err;
    return { kind: 'ignore', reason };
  };

  let loaded;
  try {
    loaded = await deps.loader.load(deps.installation, job.owner, job.repo, job.defaultBranch);
  } catch (err) {
    if (err instanceof UserError) return quietly('the settings file could not be read', err);
    // GitHub failed us: worth an error report for a request, not for a label that may mean nothing to the app.
    if (!inAppWords) return { kind: 'ignore', reason: `the settings file could not be read (${String((err as Error)?.message ?? err).slice(0, 200)})` };
    throw err;
  }
  const parsed = parseRepoConfig(loaded.raw, configContext(deps), loaded.sources);
  if (!parsed.ok) return quietly('the settings file has problems', new UserError(configProblemsMessage(parsed.problems)));

  const repo = repoSettings(parsed.config, settings, [...parsed.warnings]);
  const profiles = repoProfiles(deps.profiles, repo);
  const request = resolveRequest(job, {
    labelPrefix: repo.labelPrefix,
    command: repo.command,
    defaultProfile: repo.defaultAgent,
    isProfile: (w) => profiles.get(w) !== undefined,
    onChangesRequested: repo.followUps.onChangesRequested,
  });
  if (request.kind === 'ignore') return { kind: 'ignore', reason: request.reason, inAppWords };
  if (request.kind === 'help') return { kind: 'ready', job: { ...job, kind: 'help' }, settings: jobSettings(settings, repo, {}), profiles, repo };

  const profile = profiles.get(request.profile);
  const agent = profile !== undefined ? agentSettings(repo, profile) : {};
  if (agent.timeout_minutes !== undefined && agent.timeout_minutes * 60_000 > settings.jobTimeoutMs) {
    repo.warnings.push(`the time limit of \`${request.profile}\` (${agent.timeout_minutes} minutes) is more than this app allows; ${settings.jobTimeoutMs / 60_000} minutes apply`);
  }
  // A follow-up stays one (on its pull request); whether an agent was named is read again in the repository's words.
  const ready: Job = { ...job, kind: job.kind === 'continue' ? 'continue' : 'run', profile: request.profile, instructions: request.instructions };
  if (job.profileNamed !== undefined) ready.profileNamed = request.named;
  if (Object.keys(request.options).length > 0) ready.options = request.options;
  else delete ready.options;
  if (request.fixCi === true) ready.fixCi = true;
  else delete ready.fixCi;
  return { kind: 'ready', job: ready, settings: jobSettings(settings, repo, agent), profiles, repo };
}

/** The built-in agents and the variables custom agents may ask for: the agents' keys and the operator's list. */
export function configContext(deps: { settings: Settings; profiles: ProfileRegistry }): RepoConfigContext {
  const builtIns = deps.profiles.all();
  const keys = builtIns.flatMap((p) => [...p.secrets.required, ...p.secrets.optional]);
  return { builtIns, customAgentSecrets: new Set([...keys, ...deps.settings.customAgentSecrets]), protectedEnv: new Set(sandboxProviders.protectedEnv()) };
}
