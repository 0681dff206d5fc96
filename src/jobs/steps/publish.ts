import type { AgentProfile } from '../../agents/profile.js';
import type { PullRequestInfo } from '../../github/pull-request-info.js';
import { forkPullRequestBody } from '../../report/fork-messages.js';
import * as messages from '../../report/messages.js';
import type { JobStats } from '../../report/job-stats.js';
import type { ChosenAgent } from './choose-agent.js';
import type { FollowUpTarget } from './pick-up-sandbox.js';
import type { AgentRun } from './run-agent.js';
import { stateMarkerFor } from './state.js';
import type { Turn } from './turn.js';

/**
 * The draft pull request for a pushed branch, its body carrying the agent's summary and the signed
 * state for a follow-up; labels and reviewers from the repository's settings. A branch whose pull
 * request could not be opened is deleted: nothing half-made stays behind.
 */
export async function openPullRequest(
  turn: Turn,
  o: {
    agent: ChosenAgent;
    run: AgentRun;
    branch: string;
    headSha: string;
    sandboxId: string;
    partial: { why: string } | undefined;
    stats: JobStats;
    /** A fork's pull request the new one continues: against its base, naming it. */
    fork?: PullRequestInfo;
  },
): Promise<{ number: number; url: string }> {
  const { job, deps } = turn;
  const { github, settings } = deps;
  turn.progress.phase('opening-pr');
  const named = job.issue.title.trim() === '' ? `Work on #${job.number}` : job.issue.title.trim();
  const title = o.fork === undefined ? named : `${named} (from #${job.number})`;
  const stateMarker = stateMarkerFor(job, settings, {
    issue: job.number,
    profile: o.agent.profile.name,
    branch: o.branch,
    ...(o.run.sessionId ? { session: o.run.sessionId } : {}),
    sandbox: o.sandboxId,
    turns: 1,
  });
  const words = {
    number: job.number,
    agent: o.agent.profile.displayName,
    summary: o.run.summary,
    requester: job.requester.login,
    ...(o.partial ? { partial: o.partial } : {}),
    stats: o.stats,
    stateMarker,
  };
  const body =
    o.fork === undefined
      ? messages.pullRequestBody(words)
      : forkPullRequestBody({ ...words, author: o.fork.author, headLabel: `${o.fork.headRepo.split('/')[0] ?? ''}:${o.fork.headRef}` });
  const base = o.fork?.baseRef ?? o.agent.request.base;
  const pr = await github.openPullRequest({ branch: o.branch, title, draft: settings.draftPullRequests || o.partial !== undefined, base, body }).catch(async (err: unknown) => {
    await github.deleteBranch(o.branch).catch((e: unknown) => deps.log.warn({ err: e }, 'could not delete the branch'));
    throw err;
  });
  await github.decoratePullRequest(pr.number, turn.repo.pullRequest).catch((err: unknown) => deps.log.warn({ err }, 'could not add the labels or reviewers'));
  // The check run belongs to the pull request's head, which exists only now.
  turn.progress.checkRun(o.headSha);
  return pr;
}

/**
 * A follow-up turn recorded in its pull request's body (the turn's summary, a new signed marker), on
 * the app's own pull requests; the sandbox and session are then kept for the next turn.
 */
export async function recordTurn(
  turn: Turn,
  target: FollowUpTarget,
  o: { profile: AgentProfile; run: AgentRun; number: number; issue: number; sandboxId: string; partial?: { why: string }; stats: JobStats },
): Promise<void> {
  if (target.state === undefined) return;
  const { job, deps } = turn;
  const stateMarker = stateMarkerFor(job, deps.settings, {
    issue: o.issue,
    profile: o.profile.name,
    branch: target.pr.headRef,
    ...(o.run.sessionId !== undefined ? { session: o.run.sessionId } : {}),
    sandbox: o.sandboxId,
    turns: o.number,
    // The automatic fixes counted so far go on with the pull request (ci.max_attempts).
    ...(target.state.ci !== undefined ? { ci: target.state.ci } : {}),
  });
  const body = messages.pullRequestBodyWithTurn(target.pr.body, {
    turn: o.number,
    agent: o.profile.displayName,
    requester: job.requester.login,
    summary: o.run.summary,
    ...(o.partial ? { partial: o.partial } : {}),
    stats: o.stats,
    stateMarker,
  });
  await deps.github.updatePullRequestBody(target.pr.number, body);
  turn.keepFor(target.pr.number, o.profile);
}
