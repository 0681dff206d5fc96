import { DEFAULT_BRANCH_PREFIX } from '../git/branch-name.js';
import type { Budget } from '../agents/profile.js';
import type { AgentProfile } from '../agents/profile.js';
import { customAgentProfile } from '../agents/custom-agent.js';
import { ProfileRegistry } from '../agents/registry.js';
import type { AgentSettings } from './agent-settings.js';
import { budgetWarnings, layBudget } from './job-budget.js';
import { REQUEST_OPTIONS, type RepoConfigFile, type RequestOption } from './repo-config.js';
import type { Settings } from './settings.js';

const DEFAULT_SETUP_MINUTES = 10;
const DEFAULT_CI_ATTEMPTS = 2;

/** One repository's settings, the file's values over the app's defaults: what a job of that repository follows. */
export interface RepoSettings {
  defaultAgent: string;
  permission: 'write' | 'maintain' | 'admin';
  /** When set, only these logins (lowercase) may start work. */
  allowedUsers: string[] | undefined;
  labelPrefix: string;
  command: string;
  allowedOptions: ReadonlySet<RequestOption>;
  pullRequest: { draft: boolean; branchPrefix: string; labels: string[]; reviewers: string[]; teamReviewers: string[] };
  /** Setup commands, each limit already within the operator's per-step maximum. */
  setup: Array<{ run: string; timeoutMs: number }>;
  /** The operator's budget for all of setup: `runSetup` stops when it is used up. */
  setupBudgetMs: number;
  instructions: string;
  instructionsFile: string | undefined;
  limits: { maxConcurrentJobs?: number; maxChangedFiles?: number; maxPatchBytes?: number };
  /** The file's `budget:` over the operator's, within the operator's ceiling; an agent's own is laid over it per job. */
  budget: Budget;
  /** What starts a follow-up besides a command: a review that requests changes (`follow_ups.on_changes_requested`). */
  followUps: { onChangesRequested: boolean };
  /** `ci.auto_fix`: a failed check suite on the app's own pull request starts a fix turn, at most `maxAttempts` per pull request. */
  ci: { autoFix: boolean; maxAttempts: number };
  allowWorkflowChanges: boolean;
  allowSubmoduleChanges: boolean;
  allowExternalSymlinks: boolean;
  /** Per-agent settings by the file's agent name. */
  agents: Record<string, AgentSettings>;
  /** Unknown keys and values that were adjusted, for the maintainer. */
  warnings: string[];
}

export function repoSettings(file: RepoConfigFile, app: Settings, warnings: string[] = []): RepoSettings {
  const reviewers = file.pull_request?.reviewers ?? [];
  const limits: RepoSettings['limits'] = {};
  if (file.limits?.max_concurrent_jobs !== undefined) limits.maxConcurrentJobs = file.limits.max_concurrent_jobs;
  if (file.limits?.max_changed_files !== undefined) limits.maxChangedFiles = file.limits.max_changed_files;
  if (file.limits?.max_patch_bytes !== undefined) limits.maxPatchBytes = file.limits.max_patch_bytes;
  warnings = [...warnings, ...budgetWarnings(app.budget, file.budget, 'budget')];
  for (const [name, agent] of Object.entries(file.agents ?? {})) warnings.push(...budgetWarnings(app.budget, agent.budget, `agents.${name}.budget`));
  return {
    defaultAgent: file.default_agent?.toLowerCase() ?? app.defaultAgent,
    permission: file.permission ?? app.permission,
    allowedUsers: file.allowed_users?.map((u) => u.toLowerCase()),
    labelPrefix: file.trigger?.label_prefix ?? app.labelPrefix,
    command: file.trigger?.command ?? app.command,
    allowedOptions: new Set(file.options?.allow ?? REQUEST_OPTIONS),
    pullRequest: {
      draft: file.pull_request?.draft ?? app.draftPullRequests,
      branchPrefix: file.pull_request?.branch_prefix ?? DEFAULT_BRANCH_PREFIX,
      labels: file.pull_request?.labels ?? [],
      reviewers: reviewers.filter((r) => !r.includes('/')),
      teamReviewers: reviewers.filter((r) => r.includes('/')).map((r) => r.split('/')[1] ?? r),
    },
    setup: setupSteps(file.setup ?? [], app, warnings),
    setupBudgetMs: app.setupTimeoutMs,
    instructions: file.instructions ?? '',
    instructionsFile: file.instructions_file,
    limits,
    budget: layBudget(app.budget, app.budget, file.budget),
    followUps: { onChangesRequested: file.follow_ups?.on_changes_requested ?? false },
    ci: { autoFix: file.ci?.auto_fix ?? false, maxAttempts: file.ci?.max_attempts ?? DEFAULT_CI_ATTEMPTS },
    allowWorkflowChanges: file.allow_workflow_changes ?? false,
    allowSubmoduleChanges: file.allow_submodule_changes ?? false,
    allowExternalSymlinks: file.allow_external_symlinks ?? false,
    agents: file.agents ?? {},
    warnings,
  };
}

/** The agents of one repository: the built-in ones with the file's adjustments, and its custom agents. */
export function repoProfiles(builtIns: ProfileRegistry, repo: RepoSettings): ProfileRegistry {
  const overlays = new Map<string, AgentSettings>();
  const custom: AgentProfile[] = [];
  for (const [name, agent] of Object.entries(repo.agents)) {
    const known = builtIns.get(name);
    if (known !== undefined) overlays.set(known.name, { ...overlays.get(known.name), ...agent });
    else if (agent.command !== undefined && agent.output !== undefined) custom.push(customAgentProfile(name, { ...agent, command: agent.command, output: agent.output }));
  }
  const adjusted = builtIns.all().map((p): AgentProfile => {
    const o = overlays.get(p.name);
    if (o === undefined) return p;
    return { ...p, template: o.template ?? p.template, env: { ...p.env, ...(o.env ?? {}) } };
  });
  return new ProfileRegistry([...adjusted, ...custom]);
}

/** The file's settings of one agent, found by its name or an alias. */
export function agentSettings(repo: RepoSettings, profile: AgentProfile): AgentSettings {
  const names = new Set([profile.name, ...profile.aliases]);
  let merged: AgentSettings = {};
  for (const [name, agent] of Object.entries(repo.agents)) if (names.has(name)) merged = { ...merged, ...agent };
  return merged;
}

/**
 * The setup commands with their time limits clamped to the operator's: each to the per-step maximum
 * (ISSUESMITH_SETUP_STEP_TIMEOUT_MINUTES), and all of them to the setup budget
 * (ISSUESMITH_SETUP_TIMEOUT_MINUTES), which `runSetup` enforces as they run. A file asking for more
 * (20 steps of a day each) is told so in a warning, not obeyed.
 */
function setupSteps(steps: NonNullable<RepoConfigFile['setup']>, app: Settings, warnings: string[]): Array<{ run: string; timeoutMs: number }> {
  const perStep = app.setupStepTimeoutMs;
  const clamped = steps.map((s, i) => {
    const asked = typeof s === 'string' || s.timeout_minutes === undefined ? DEFAULT_SETUP_MINUTES * 60_000 : s.timeout_minutes * 60_000;
    if (asked > perStep && typeof s !== 'string' && s.timeout_minutes !== undefined) {
      warnings.push(`setup.${i}.timeout_minutes: ${s.timeout_minutes} minutes is more than this app allows for one setup command; limited to ${minutesText(perStep)}`);
    }
    return { run: typeof s === 'string' ? s : s.run, timeoutMs: Math.min(asked, perStep) };
  });
  const total = clamped.reduce((sum, s) => sum + s.timeoutMs, 0);
  if (total > app.setupTimeoutMs) {
    warnings.push(
      `setup: the commands' time limits add up to ${minutesText(total)}, more than the ${minutesText(app.setupTimeoutMs)} this app allows for all of setup; setup stops when that is used up`,
    );
  }
  return clamped;
}

/** How long a job's setup may take at most, once its limits are clamped: what the sandbox's lifetime adds for it. */
export function setupTotalMs(repo: Pick<RepoSettings, 'setup' | 'setupBudgetMs'> | undefined): number {
  if (repo === undefined) return 0;
  return Math.min(
    repo.setupBudgetMs,
    repo.setup.reduce((sum, s) => sum + s.timeoutMs, 0),
  );
}

function minutesText(ms: number): string {
  const m = ms / 60_000;
  return `${Number.isInteger(m) ? m : m.toFixed(1)} minute${m === 1 ? '' : 's'}`;
}

/**
 * The app's settings as one job of this repository sees them. An agent's time limit can be shorter
 * than the app's, never longer: the operator's limit (and the sandbox budget built on it) holds. So
 * with its budget: the agent's own over the file's, each within the operator's ceiling.
 */
export function jobSettings(app: Settings, repo: RepoSettings, agent: AgentSettings): Settings {
  const timeoutMs = agent.timeout_minutes !== undefined ? Math.min(agent.timeout_minutes * 60_000, app.jobTimeoutMs) : app.jobTimeoutMs;
  return {
    ...app,
    defaultAgent: repo.defaultAgent,
    permission: repo.permission,
    labelPrefix: repo.labelPrefix,
    command: repo.command,
    jobTimeoutMs: timeoutMs,
    budget: layBudget(app.budget, repo.budget, agent.budget),
    draftPullRequests: repo.pullRequest.draft,
  };
}
