import { authorize } from '../access/authorize.js';
import { appRedactor } from '../config/app-redactor.js';
import { IssueGitHub } from '../github/issue-github.js';
import { reactionTarget } from '../github/job-github.js';
import { renderStatusComment, type JobStatus } from '../report/status.js';
import { accessRulesOf, type ControlDeps } from './controls.js';
import type { Job } from '../job.js';

/**
 * Tells a job that has to wait that it is queued: 👀 on what asked, and its status comment saying
 * "Queued", which the worker takes over when the job starts. Skipped when the job already started, and
 * for someone who may not start work (the worker answers them).
 */
export async function acknowledgeQueued(job: Job, position: number, deps: ControlDeps): Promise<void> {
  // One lookup of this delivery, not a scan of its issue's line: this runs for every queued delivery.
  const waiting = (): Promise<boolean> => deps.queue.isWaiting(job);
  if (!(await waiting())) return;
  const octokit = await deps.auth(job.installationId);
  const { owner, repo } = job;
  const rules = await accessRulesOf(octokit, job, deps);
  const decision = await authorize(job.requester, rules, (login) => deps.permissions.get(octokit, owner, repo, login));
  if (!decision.allowed) {
    deps.log.info({ delivery: job.deliveryId, requester: job.requester.login, reason: decision.reason }, 'not acknowledged: the worker answers the request');
    return;
  }
  const issue = new IssueGitHub(octokit, job, appRedactor(deps.settings, deps.profiles));
  const target = reactionTarget(job.trigger);
  if (target !== undefined) await issue.ensureReaction(target, 'eyes');
  if (!(await waiting())) return;
  const status: JobStatus = {
    state: 'live',
    phase: 'queued',
    position,
    elapsedMs: 0,
    steps: [],
    deliveryId: job.deliveryId,
    agent: deps.profiles.get(job.profile)?.displayName ?? job.profile,
    requester: job.requester.login,
    command: deps.settings.command,
    attempt: 1,
  };
  await issue.comment(renderStatusComment(status));
}
