import type { AccessRules } from '../access/access-rules.js';
import { loadAccessRules } from '../github/load-access-rules.js';
import { authorize } from '../access/authorize.js';
import type { RefusalLimiter } from '../access/refusal-limiter.js';
import type { ProfileRegistry } from '../agents/registry.js';
import { appRedactor } from '../config/app-redactor.js';
import type { Settings } from '../config/settings.js';
import { IssueGitHub } from '../github/issue-github.js';
import type { Octokit } from '../github/octokit.js';
import type { PermissionCache } from '../github/permission.js';
import type { RepoConfigLoader } from '../github/repo-config-loader.js';
import { jobKey } from '../keys.js';
import { formatDuration } from '../report/job-stats.js';
import * as messages from '../report/messages.js';
import { renderStatusComment, statusMarker, type JobStatus } from '../report/status.js';
import type { ControlRequest } from '../triggers/intent.js';
import type { Logger } from '../logger.js';
import type { JobQueue, KeyStatus } from '../queue/queue.js';
import { answerRefusal } from './refuse.js';

/** What the answers given outside the queue need: the controls, the queued acknowledgement, the outsiders' refusal. */
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

/**
 * `/agent stop` (or the check run's Stop button) and `/agent status`: answered at once, not queued
 * behind the jobs they are about. Only people who may start work may stop it or see the queue, by the
 * repository's rules (`permission`, `allowed_users`) as much as the app's.
 */
export async function handleControl(req: ControlRequest, deps: ControlDeps): Promise<void> {
  const octokit = await deps.auth(req.installationId);
  const { owner, repo, number } = req;
  const redactor = appRedactor(deps.settings, deps.profiles);
  const issue = new IssueGitHub(octokit, req, redactor);
  const reply = async (body: string): Promise<void> => {
    await issue.comment(body);
  };
  const rules = await accessRulesOf(octokit, { owner, repo, defaultBranch: req.defaultBranch }, deps);
  const decision = await authorize(req.requester, rules, (login) => deps.permissions.get(octokit, owner, repo, login));
  if (!decision.allowed) {
    await answerRefusal(
      decision,
      { installationId: req.installationId, login: req.requester.login, required: rules.permission, action: req.action, reply },
      { limiter: deps.refusals, log: deps.log },
    );
    return;
  }
  const key = jobKey(req);
  if (req.action === 'status') {
    const [status, stats] = await Promise.all([deps.queue.describe(key), deps.queue.stats()]);
    await reply(
      messages.queueStatusComment({ number, status: describeForHumans(status, deps), waitingInAll: stats.waiting, runningInAll: stats.running, command: deps.settings.command }),
    );
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
    await markStoppedBeforeStart(issue, req.requester.login, waiting, deps).catch((err: unknown) =>
      deps.log.warn({ err: redactor.redact(String(err)) }, 'could not update a queued status'),
    );
  }
  if (req.commentId !== undefined) {
    await issue.ensureReaction({ type: 'issue-comment', commentId: req.commentId }, '+1').catch(() => undefined);
  }
}

/** A waiting job's "Queued" comment, when it has one, now says who stopped it before it started. */
async function markStoppedBeforeStart(issue: IssueGitHub, by: string, job: KeyStatus['waiting'][number], deps: ControlDeps): Promise<void> {
  const status: JobStatus = {
    state: 'final',
    deliveryId: job.deliveryId,
    agent: deps.profiles.get(job.profile)?.displayName ?? job.profile,
    requester: job.requester.login,
    command: deps.settings.command,
    attempt: 1,
    outcome: { kind: 'stopped', by, beforeStart: true },
  };
  await issue.ensureStatusComment({ marker: statusMarker(job.deliveryId), since: job.receivedAt, body: renderStatusComment(status), create: false });
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

/** A repository's access rules, read through the worker's loader; the app's own when they cannot be read. */
export function accessRulesOf(octokit: Octokit, where: { owner: string; repo: string; defaultBranch?: string | undefined }, deps: ControlDeps): Promise<AccessRules> {
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
