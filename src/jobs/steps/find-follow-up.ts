import { repoSettings } from '../../config/repo-settings.js';
import { UserError } from '../../errors.js';
import type { PullRequestInfo } from '../../github/pull-request-info.js';
import { readStateMarker, type PullRequestState } from '../../github/state-marker.js';
import type { Job } from '../../job.js';
import type { JobDeps } from '../job-deps.js';
import type { FollowUpTarget } from './pick-up-sandbox.js';
import { stateSeal } from './state.js';

/** A request on a pull request from a fork: the app cannot push there, so the work goes to a new pull request. */
export interface ForkRequest {
  fork: PullRequestInfo;
}

/**
 * Which pull request a job continues: the one a follow-up was typed on, or, for `/agent` on an issue
 * (or on a fork's pull request), the app's open pull request whose marker names it. Undefined: a first
 * run on the issue; a fork's pull request without one of the app's yet: a new pull request from it.
 */
export async function findFollowUp(job: Job, deps: JobDeps): Promise<FollowUpTarget | ForkRequest | undefined> {
  if (job.kind === 'continue' && job.pull !== undefined) {
    const pr = await deps.github.pullRequest(job.pull.number);
    if (!pr.open) throw new UserError(`Pull request #${pr.number} is closed, so the agent cannot push to it. Reopen it, or ask on the issue for a new pull request.`);
    if (!pr.sameRepository) {
      // A review on a fork's pull request does not ask for a new one.
      if (job.trigger.type === 'review-comment' || job.trigger.type === 'review') throw new UserError(forkMessage(job.requester.login, deps.settings.command));
      return (await appPullRequestFor(pr.number, job, deps)) ?? { fork: pr };
    }
    const state = await stateOf(pr, job, deps);
    // The webhook's payload showed the app's signed marker; GitHub's answer now must agree.
    if (state === undefined && job.trigger.type === 'review' && job.trigger.changesRequested === true) {
      throw new UserError(`Pull request #${pr.number} is not one the app opened, so a review on it does not start work. Ask with \`/agent <instructions>\` instead.`);
    }
    return { pr, state };
  }
  if (job.kind !== 'run' || job.trigger.type !== 'comment') return undefined;
  return appPullRequestFor(job.number, job, deps);
}

/** The app's open pull request whose marker names this issue (or fork's pull request), if any. */
async function appPullRequestFor(number: number, job: Job, deps: JobDeps): Promise<FollowUpTarget | undefined> {
  const prefix = (deps.repo ?? repoSettings({}, deps.settings)).pullRequest.branchPrefix;
  for (const pr of await deps.github.openAppPullRequests(prefix)) {
    const state = await stateOf(pr, job, deps);
    if (state?.issue === number) return { pr, state };
  }
  return undefined;
}

/** The marker of a pull request, when the app signed it, opened the pull request and it names this repository; otherwise undefined, with a log line. */
async function stateOf(pr: PullRequestInfo, job: Job, deps: JobDeps): Promise<PullRequestState | undefined> {
  // Only a marker this app signed for this installation and repository counts, the last one in the body.
  const read = readStateMarker(pr.body, stateSeal(job, deps.settings));
  if (read.kind === 'none') return undefined;
  if (read.kind === 'invalid') {
    deps.log.info({ pull: pr.number, reason: read.reason }, 'ignoring the pull request state marker');
    return undefined;
  }
  const { state } = read;
  if (state.repo.toLowerCase() !== `${job.owner}/${job.repo}`.toLowerCase()) {
    deps.log.info({ pull: pr.number, names: state.repo }, 'ignoring a state marker that names another repository');
    return undefined;
  }
  // A marker is only trusted on the app's own pull request: anyone could paste one into theirs.
  const bot = await deps.github.botIdentity();
  if (pr.author.toLowerCase() !== bot.name.toLowerCase() || state.branch !== pr.headRef) {
    deps.log.info({ pull: pr.number, author: pr.author }, 'ignoring a state marker on a pull request the app did not open');
    return undefined;
  }
  return state;
}

function forkMessage(login: string, command: string): string {
  return `Sorry @${login}, this pull request comes from a fork, and the app can only push to branches of this repository. Ask with \`${command} <instructions>\` on its conversation: the agent's work then goes to a new pull request here, with the fork's commits.`;
}
