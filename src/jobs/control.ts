import { loadAccessRules, type AccessRules } from '../access/access-rules.js';
import { authorize } from '../access/authorize.js';
import type { RefusalLimiter } from '../access/refusal-limiter.js';
import type { ProfileRegistry } from '../agents/registry.js';
import { APP_SECRET_NAMES, type Settings } from '../config/settings.js';
import type { Octokit } from '../github/octokit.js';
import type { PermissionCache } from '../github/permission.js';
import type { RepoConfigLoader } from '../github/repo-config-loader.js';
import { formatDuration } from '../report/job-stats.js';
import * as messages from '../report/messages.js';
import { renderStatusComment, statusMarker, type JobStatus } from '../report/status.js';
import { Redactor } from '../security/redact.js';
import type { ControlRequest, OutsiderRequest } from '../triggers/intent.js';
import { jobKey, type Job } from './job.js';
import type { Logger } from '../logger.js';
import type { JobQueue, KeyStatus } from './queue.js';
import { answerRefusal } from './refuse.js';

export interface ControlDeps {
  auth: (installationId: number) => Promise<Octokit>;
  settings: Settings;
  profiles: ProfileRegistry;
  permissions: PermissionCache;
  /** The repositories' settings, the worker's loader and cache: their `permission` and `allowed_users` hold here too. */
  repoConfigs: Pick<RepoConfigLoader, 'load'>;
  /** At most one refusal reply per person and installation in a while. */
  refusals?: RefusalLimiter;
  queue: JobQueue;
  log: Logger;
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
 * behind the jobs they are about. Only people who may start work may stop it or see the queue, by the
 * repository's rules (`permission`, `allowed_users`) as much as the app's.
 */
export async function handleControl(req: ControlRequest, deps: ControlDeps): Promise<void> {
  const octokit = await deps.auth(req.installationId);
  const { owner, repo, number } = req;
  const redactor = appRedactor(deps.settings, deps.profiles);
  const reply = async (body: string): Promise<void> => {
    await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body: redactor.redact(body) });
  };
  const rules = await accessRulesOf(octokit, { owner, repo, defaultBranch: req.defaultBranch }, deps);
  const decision = await authorize(req.requester, rules, (login) => deps.permissions.get(octokit, owner, repo, login));
  if (!decision.allowed) {
    await answerRefusal(decision, { installationId: req.installationId, login: req.requester.login, required: rules.permission, action: req.action, reply }, { limiter: deps.refusals, log: deps.log });
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
 * Someone the webhook's payload shows as an outsider asked the app to act: not queued. Refused with one
 * polite reply at most per person and installation in a while; while that reply is recent, their
 * further requests are dropped without an API call. Otherwise GitHub is asked once: the payload cannot
 * see a private organisation membership, so a maintainer may arrive as CONTRIBUTOR or NONE, and then
 * `proceed` hands the request on as if it had come in as theirs (the worker or handleControl then
 * applies every rule). Callers run one of these at a time per person.
 */
export async function answerOutsider(req: OutsiderRequest, deps: ControlDeps, proceed: () => Promise<void>): Promise<void> {
  const { owner, repo, number } = req;
  const who = { delivery: req.deliveryId, requester: req.requester.login, association: req.association };
  if (deps.refusals?.answeredRecently(req.installationId, req.requester.login) === true) {
    deps.log.info(who, 'an outsider refused a short while ago asked again: dropped');
    return;
  }
  const octokit = await deps.auth(req.installationId);
  // The least any rule asks for: the full check (the repository's rules included) comes after `proceed`.
  const decision = await authorize(req.requester, { permission: 'write', allowedUsers: undefined }, (login) => deps.permissions.get(octokit, owner, repo, login));
  if (decision.allowed) {
    deps.log.info({ ...who, permission: decision.permission }, 'the payload shows an outsider, GitHub a collaborator (a private membership?): the request goes on');
    await proceed();
    return;
  }
  const reply = async (body: string): Promise<void> => {
    await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body: appRedactor(deps.settings, deps.profiles).redact(body) });
  };
  await answerRefusal(decision, { installationId: req.installationId, login: req.requester.login, required: deps.settings.permission, action: req.action, reply }, { limiter: deps.refusals, log: deps.log });
}

/** A repository's access rules, read through the worker's loader; the app's own when they cannot be read. */
function accessRulesOf(octokit: Octokit, where: { owner: string; repo: string; defaultBranch?: string | undefined }, deps: ControlDeps): Promise<AccessRules> {
  return loadAccessRules({
    octokit,
    loader: deps.repoConfigs,
    defaults: { permission: deps.settings.permission, allowedUsers: undefined },
    owner: where.owner,
    repo: where.repo,
    // GitHub resolves HEAD to the default branch, for a payload that did not name it.
    branch: where.defaultBranch ?? 'HEAD',
    log: deps.log,
  });
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
  const rules = await accessRulesOf(octokit, job, deps);
  const decision = await authorize(job.requester, rules, (login) => deps.permissions.get(octokit, owner, repo, login));
  if (!decision.allowed) {
    deps.log.info({ delivery: job.deliveryId, requester: job.requester.login, reason: decision.reason }, 'not acknowledged: the worker answers the request');
    return;
  }
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
