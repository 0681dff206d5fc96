import type { PullRequestInfo } from '../../github/pull-request-info.js';
import type { Outcome } from '../job-deps.js';
import type { CommitPath } from './push-change.js';
import type { ChosenAgent } from './choose-agent.js';
import { openPullRequest } from './publish.js';
import { pushChange } from './push-change.js';
import type { AgentRun } from './run-agent.js';
import type { Turn } from './turn.js';
import type { VettedChange } from './vet-change.js';

/**
 * The end of a run that opens a pull request (a first run's, a fork's): the vetted change pushed as one
 * commit on a new branch, the draft pull request opened (against a fork's base, naming it, for a
 * fork), the sandbox and the agent's session kept for a follow-up. An agent that failed after changing
 * files (`failed`) still gets its pull request, marked incomplete.
 */
export async function newPullRequest(
  turn: Turn,
  o: { agent: ChosenAgent; run: AgentRun; vetted: VettedChange; failed: string | undefined; sandboxId: string; fork?: PullRequestInfo },
): Promise<Outcome> {
  const { agent, run, vetted, failed, sandboxId } = o;
  const pushed = await pushChange(turn, vetted, { profile: agent.profile, to: { newBranch: true } });
  const partial = failed === undefined ? undefined : { why: failed };
  const pr = await openPullRequest(turn, {
    agent,
    run,
    branch: pushed.branch,
    headSha: pushed.sha,
    sandboxId,
    partial,
    stats: turn.stats(run),
    ...(o.fork !== undefined ? { fork: o.fork } : {}),
  });
  turn.keepFor(pr.number, agent.profile);
  return pullRequestOutcome(turn, { agent, run, url: pr.url, branch: pushed.branch, failed, vetted, via: pushed.via, sandboxId });
}

/** What a run that pushed a change tells the job's end: the pull request (new or continued), the files, the way the commit went. */
export function pullRequestOutcome(
  turn: Turn,
  o: { agent: ChosenAgent; run: AgentRun; url: string; branch: string; failed: string | undefined; vetted: VettedChange; via: CommitPath; sandboxId: string },
): Extract<Outcome, { kind: 'pull-request' }> {
  return {
    kind: 'pull-request',
    profile: o.agent.profile,
    url: o.url,
    branch: o.branch,
    ...(o.failed !== undefined ? { partial: o.failed } : {}),
    run: o.run,
    files: o.vetted.files,
    via: { path: o.via.path, ...(o.via.why !== undefined ? { why: o.via.why } : {}) },
    stats: turn.stats(o.run),
    sandboxId: o.sandboxId,
  };
}
