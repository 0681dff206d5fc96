import { setupTotalMs } from '../../config/repo-settings.js';
import { UserError } from '../../errors.js';
import { APP_SANDBOX_TAG, type Sandbox } from '../../sandbox/provider.js';
import { sandboxProviders } from '../../sandbox/registry.js';
import { prepareCheckout } from '../../sandbox/prepare-checkout.js';
import { cloneInSandbox } from '../../sandbox/repo-in-sandbox.js';
import type { Job } from '../../job.js';
import type { JobDeps } from '../job-deps.js';
import type { ChosenAgent } from './choose-agent.js';
import { workdirOf } from './keep-sandbox.js';
import type { Turn } from './turn.js';

export const CLONE_TIMEOUT_MS = 5 * 60_000;

/** How long a job's sandbox may live: the agent's limit plus time to clone and collect. */
export function sandboxBudgetMs(jobTimeoutMs: number): number {
  return jobTimeoutMs + 2 * CLONE_TIMEOUT_MS;
}

/** A sandbox with the repository checked out, where the agent works. */
export interface Workspace {
  sandbox: Sandbox;
  workdir: string;
  /** The commit the agent starts from. */
  baseSha: string;
  promptFile: string;
  patchFile: string;
}

export function workspace(sandbox: Sandbox, baseSha: string): Workspace {
  return { sandbox, workdir: workdirOf(sandbox), baseSha, promptFile: `${sandbox.homeDir}/.issuesmith/prompt.md`, patchFile: `${sandbox.homeDir}/.issuesmith/changes.patch` };
}

/** The labels a sandbox carries: who it belongs to (checked before the app acts on it again) and which job made it. */
export function sandboxMetadata(job: Job, o: { issue: number; pull?: number }): Record<string, string> {
  return {
    ...APP_SANDBOX_TAG,
    installation: String(job.installationId),
    repo: `${job.owner}/${job.repo}`,
    issue: String(o.issue),
    ...(o.pull !== undefined ? { pull: String(o.pull) } : {}),
    job: job.deliveryId,
  };
}

export function sandboxProvider(deps: JobDeps): NonNullable<JobDeps['sandboxes']> {
  if (deps.sandboxes === undefined) {
    throw new UserError(sandboxProviders.missingMessage());
  }
  return deps.sandboxes;
}

/**
 * A new sandbox for a first run: the base branch cloned with a read-only token for this repository
 * alone (in the environment of the clone only), then the repository's instructions file and setup steps.
 */
export async function openSandbox(turn: Turn, agent: ChosenAgent): Promise<Workspace> {
  const { job, deps, repo } = turn;
  turn.stopped();
  const token = await deps.github.mintToken('read');
  turn.progress.phase('starting');
  const sandbox = turn.own(
    await sandboxProvider(deps).create({
      template: agent.profile.template,
      agent: agent.profile.name,
      envs: agent.env,
      // The repository's setup commands run before the agent, each with its own limit.
      timeoutMs: sandboxBudgetMs(deps.settings.jobTimeoutMs) + setupTotalMs(repo),
      metadata: sandboxMetadata(job, { issue: job.number }),
    }),
  );
  turn.stopped();
  turn.progress.phase('cloning');
  const baseSha = await cloneInSandbox(sandbox, { url: deps.github.remoteUrl(), branch: agent.request.base, token, workdir: workdirOf(sandbox), timeoutMs: CLONE_TIMEOUT_MS });
  await prepareCheckout(sandbox, {
    workdir: workdirOf(sandbox),
    repo,
    profile: agent.profile,
    redactor: deps.redactor,
    log: deps.log,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  return workspace(sandbox, baseSha);
}
