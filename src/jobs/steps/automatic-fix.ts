import type { CiEvidence } from '../../agents/ci-prompt.js';
import { repoSettings } from '../../config/repo-settings.js';
import { UserError } from '../../errors.js';
import { FAILING, gatherCiEvidence, sortChecks } from '../../github/ci-evidence.js';
import type { PullRequestState } from '../../github/state-marker.js';
import { attemptsUsedUpComment, pullRequestBodyWithState } from '../../report/ci-messages.js';
import type { Job } from '../../job.js';
import type { JobDeps } from '../job-deps.js';
import { ownApp } from './ci-checks.js';
import { findFollowUp } from './find-follow-up.js';
import type { FollowUpTarget } from './pick-up-sandbox.js';
import { stateMarkerFor } from './state.js';

export type AutomaticFix = { kind: 'skip'; reason: string } | { kind: 'fix'; target: FollowUpTarget; evidence: CiEvidence };

/**
 * Whether a completed check suite starts a fix by itself (`ci.auto_fix`), decided in this order:
 *  1. the repository turned it on, and the suite is not the app's own;
 *  2. the pull request is open, the app's own (a marker it signed), and its head is still the suite's;
 *  3. every other app's suite with check runs on that head has completed, and one failed;
 *  4. this head was not handled yet (two deliveries for one head start one turn: jobs of one pull
 *     request run one at a time, and the second finds the head recorded in the marker);
 *  5. attempts are left: else one comment says they are used up, once, and nothing starts;
 *  6. the failing runs are gathered, and the attempt is recorded in the signed marker before the
 *     turn starts, so it counts across restarts and even when the turn fails.
 * Skips say nothing on GitHub: nobody asked.
 */
export async function planAutomaticFix(job: Job, deps: JobDeps): Promise<AutomaticFix> {
  const t = job.trigger;
  if (t.type !== 'check-suite') return skip('not a check suite');
  const repo = deps.repo ?? repoSettings({}, deps.settings);
  if (!repo.ci.autoFix) return skip('ci.auto_fix is off');
  const own = await ownApp(deps);
  if (t.app === own) return skip("the app's own check suite");
  const target = await findFollowUp(job, deps).catch((err: unknown) => {
    if (err instanceof UserError) return undefined;
    throw err;
  });
  if (target === undefined || 'fork' in target) return skip('not an open pull request of the app');
  const state = target.state;
  if (state === undefined) return skip('not an open pull request of the app');
  if (target.pr.headSha !== t.headSha) return skip('the pull request has moved on to another head');
  const ci = deps.github.ci();
  const suites = (await ci.checkSuites(t.headSha)).filter((s) => s.app !== own && s.runs > 0);
  if (suites.some((s) => s.status !== 'completed')) return skip('other check suites are still running');
  if (!suites.some((s) => FAILING.has(s.conclusion ?? ''))) return skip('no check suite failed');
  if (state.ci?.head === t.headSha) return skip('this head was handled already');
  const attempts = state.ci?.attempts ?? 0;
  if (attempts >= repo.ci.maxAttempts) {
    if (state.ci?.told === true) return skip('the automatic fixes are used up');
    await deps.github.comment(attemptsUsedUpComment({ pull: target.pr.number, attempts, headSha: t.headSha, command: deps.settings.command }));
    await recordCi(job, target, deps, { attempts, head: t.headSha, told: true });
    return skip('the automatic fixes are used up: said so');
  }
  const checks = sortChecks(await ci.checkRuns(t.headSha), own);
  if (checks.failing.length === 0) return skip('no failing check run');
  const evidence = await gatherCiEvidence(ci, t.headSha, checks.failing, deps.redactor);
  return { kind: 'fix', target: await recordCi(job, target, deps, { attempts: attempts + 1, head: t.headSha }), evidence };
}

/** The pull request body with the automatic fixes recorded in its signed marker; the target as it now reads. */
async function recordCi(job: Job, target: FollowUpTarget, deps: JobDeps, ci: NonNullable<PullRequestState['ci']>): Promise<FollowUpTarget> {
  const { v: _v, repo: _repo, ...rest } = target.state as PullRequestState;
  const state: PullRequestState = { ...(target.state as PullRequestState), ci };
  const body = pullRequestBodyWithState(target.pr.body, stateMarkerFor(job, deps.settings, { ...rest, ci }));
  await deps.github.updatePullRequestBody(target.pr.number, body);
  return { pr: { ...target.pr, body }, state };
}

function skip(reason: string): AutomaticFix {
  return { kind: 'skip', reason };
}
