import type { ProfileRegistry } from '../agents/registry.js';
import { APP_SECRET_NAMES, type Settings } from '../config/settings.js';
import type { Octokit } from '../github/octokit.js';
import type { PermissionCache } from '../github/permission.js';
import { formatDuration } from '../report/job-stats.js';
import * as messages from '../report/messages.js';
import { renderStatusComment, statusMarker, type JobStatus } from '../report/status.js';
import { hasPermission } from '../access/has-permission.js';
import { Redactor } from '../security/redact.js';
import type { ControlRequest } from '../triggers/intent.js';
import { jobKey, type Job } from './job.js';
import type { PipelineLogger } from './pipeline.js';
import type { JobQueue, KeyStatus } from './queue.js';

export interface ControlDeps {
  auth: (installationId: number) => Promise<Octokit>;
  settings: Settings;
  profiles: ProfileRegistry;
  permissions: PermissionCache;
  queue: JobQueue;
  log: PipelineLogger;
  now?: () => number;
}

/** A redactor holding every secret of the app's environment: the base of every job's redactor. */
export function appRedactor(settings: Settings, profiles: ProfileRegistry): Redactor {
  // Endpoint overrides (the profiles' optional variables) are not secret: a patch may well name them.
  // Custom agents (.github/issuesmith.yml) may be given the operator's ISSUESMITH_CUSTOM_AGENT_SECRETS.
  const names = new Set([...APP_SECRET_NAMES, ...settings.customAgentSecrets, ...profiles.all().flatMap((p) => [...p.secrets.required])]);
  return new Redactor([...names].map((n) => settings.env[n]));
}

/**
 * `/agent stop` (or the check run's Stop button) and `/agent status`: answered at once, not queued
 * behind the jobs they are about. Only people who may start work may stop it.
 */
export async function handleControl(req: ControlRequest, deps: ControlDeps): Promise<void> {
  const octokit = await deps.auth(req.installationId);
  const { owner, repo, number } = req;
  const redactor = appRedactor(deps.settings, deps.profiles);
  const reply = async (body: string): Promise<void> => {
    await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body: redactor.redact(body) });
  };
  const permission = await deps.permissions.get(octokit, owner, repo, req.requester.login);
  if (!hasPermission(permission, deps.settings.permission)) {
    deps.log.info({ requester: req.requester.login, permission, action: req.action }, 'refused: not enough permission');
    await reply(messages.refusedControlComment(req.requester.login, deps.settings.permission, req.action));
    return;
  }
  const key = jobKey(req);
  if (req.action === 'status') {
    const [status, stats] = await Promise.all([deps.queue.describe(key), deps.queue.stats()]);
    await reply(messages.queueStatusComment({ number, status: describeForHumans(status, deps), waitingInAll: stats.waiting, runningInAll: stats.running, command: deps.settings.command }));
    return;
  }
  const before = await deps.queue.describe(key);
  const result = await deps.queue.cancel(key, req.requester.login);
  deps.log.info({ key, by: req.requester.login, removed: result.removed, stoppedRunning: result.stoppedRunning }, 'stop requested');
  if (result.removed === 0 && !result.stoppedRunning) {
    await reply(messages.nothingToStopComment(number, deps.settings.command));
    return;
  }
  // Jobs that never started have only their "Queued" comment: it says they were stopped. The running
  // job's own worker writes its final status.
  for (const waiting of before.waiting) {
    await markStoppedBeforeStart(octokit, req, waiting, deps, redactor).catch((err: unknown) => deps.log.warn({ err: redactor.redact(String(err)) }, 'could not update a queued status'));
  }
  if (req.commentId !== undefined) {
    await octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: req.commentId, content: '+1' }).catch(() => undefined);
  }
}

async function markStoppedBeforeStart(octokit: Octokit, req: ControlRequest, job: KeyStatus['waiting'][number], deps: ControlDeps, redactor: Redactor): Promise<void> {
  const { owner, repo, number } = req;
  const { data } = await octokit.rest.issues.listComments({ owner, repo, issue_number: number, since: job.receivedAt, per_page: 100 });
  const found = data.find((c) => c.user?.type === 'Bot' && (c.body ?? '').includes(statusMarker(job.deliveryId)));
  if (found === undefined) return;
  const status: JobStatus = {
    state: 'final',
    deliveryId: job.deliveryId,
    agent: deps.profiles.get(job.profile)?.displayName ?? job.profile,
    requester: job.requester.login,
    command: deps.settings.command,
    attempt: 1,
    outcome: { kind: 'stopped', by: req.requester.login, beforeStart: true },
  };
  await octokit.rest.issues.updateComment({ owner, repo, comment_id: found.id, body: redactor.redact(renderStatusComment(status)) });
}

function describeForHumans(status: KeyStatus, deps: ControlDeps): messages.KeyStatusText {
  const now = deps.now ?? Date.now;
  const name = (profile: string): string => deps.profiles.get(profile)?.displayName ?? profile;
  return {
    ...(status.running !== undefined
      ? { running: { agent: name(status.running.profile), requester: status.running.requester.login, for: formatDuration(now() - Date.parse(status.running.startedAt)) } }
      : {}),
    waiting: status.waiting.map((w) => ({ agent: name(w.profile), requester: w.requester.login })),
  };
}

/**
 * Tells a job that has to wait that it is queued: 👀 on what asked, and its status comment saying
 * "Queued", which the worker takes over when the job starts. Skipped when the job already started, and
 * for someone who may not start work (the worker answers them).
 */
export async function acknowledgeQueued(job: Job, position: number, deps: ControlDeps): Promise<void> {
  const key = jobKey(job);
  const waiting = async (): Promise<boolean> => (await deps.queue.describe(key)).waiting.some((w) => w.deliveryId === job.deliveryId);
  if (!(await waiting())) return;
  const octokit = await deps.auth(job.installationId);
  const { owner, repo, number } = job;
  const permission = await deps.permissions.get(octokit, owner, repo, job.requester.login);
  if (!hasPermission(permission, deps.settings.permission)) return;
  if (job.trigger.type === 'comment') await octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: job.trigger.commentId, content: 'eyes' });
  else if (job.trigger.type === 'review-comment') await octokit.rest.reactions.createForPullRequestReviewComment({ owner, repo, comment_id: job.trigger.commentId, content: 'eyes' });
  else await octokit.rest.reactions.createForIssue({ owner, repo, issue_number: number, content: 'eyes' });
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
  await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body: appRedactor(deps.settings, deps.profiles).redact(renderStatusComment(status)) });
}
