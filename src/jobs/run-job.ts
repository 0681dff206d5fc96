import { cleanUpPullRequest } from './cleanup.js';
import { firstRun } from './first-run.js';
import { forkRun } from './fork-run.js';
import { followUpTurn } from './follow-up-turn.js';
import type { Job } from '../job.js';
import type { JobDeps, Outcome } from './job-deps.js';
import { silentProgress } from './progress.js';
import { answerHelp, authorizeJob } from './steps/authorize-job.js';
import { isInterrupted } from '../queue/interrupted.js';
import { JobStopped } from './stopped.js';
import { planAutomaticFix, type AutomaticFix } from './steps/automatic-fix.js';
import { failingChecks } from './steps/ci-checks.js';
import { findFollowUp } from './steps/find-follow-up.js';

/**
 * One job, dispatched to its flow:
 *  1. a closed pull request's cleanup needs no authorization and reports nothing;
 *  2. a completed check suite (`ci.auto_fix`, which the repository's maintainers turned on) needs no
 *     requester's permission either: a fix turn when it is due, else nothing said at all;
 *  3. authorize: the person who asked may start work here, or gets one polite reply;
 *  4. `/agent help` is answered here;
 *  5. 👀 on what asked, not awaited: it takes the installation's first write slot (GitHub takes about
 *     one write a second from it) and the person sees at once that the app is on it; then the status
 *     comment appears (or takes over the queued one), for a first run or a follow-up turn with its
 *     check run made before it (each flow starts it once it knows that run's commit);
 *  6. `fix ci`: the failing checks of the pull request's head go to the follow-up turn, or the status
 *     says nothing fails;
 *  7. a follow-up turn when the job continues a pull request of the app's (or of a pull request or
 *     issue the app has one for); a new pull request from a fork's, which the app cannot push to;
 *     else a first run.
 */
export async function runJob(job: Job, deps: JobDeps): Promise<Outcome> {
  if (job.kind === 'cleanup') return cleanUpPullRequest(job, deps);
  if (job.trigger.type === 'check-suite') return automaticFix(job, deps);
  const refused = await authorizeJob(job, deps);
  if (refused !== undefined) return refused;
  const acknowledge = (): void => deps.github.react('eyes', (err) => deps.log.warn({ err }, 'could not react'));
  if (job.kind === 'help') {
    acknowledge();
    return answerHelp(deps);
  }
  acknowledge();
  const target = await findFollowUp(job, deps);
  const start = (): Promise<void> => (deps.progress ?? silentProgress).start();
  if (job.fixCi === true) {
    await start();
    const checks = await failingChecks(job, target, deps);
    return checks.kind === 'answered' ? checks : followUpTurn(job, checks.target, deps, checks.evidence);
  }
  // A first run and a follow-up start their status once they know the commit their check run goes on.
  if (target === undefined) return firstRun(job, deps);
  if (!('fork' in target)) return followUpTurn(job, target, deps);
  await start();
  return forkRun(job, target.fork, deps);
}

// The status comment appears only once a turn is due: most completed suites start nothing, and a
// failure to decide (GitHub answering 500) is logged, not posted on a pull request nobody asked about.
async function automaticFix(job: Job, deps: JobDeps): Promise<Outcome> {
  const plan = await planAutomaticFix(job, deps).catch((err: unknown): AutomaticFix => {
    if (err instanceof JobStopped || isInterrupted(deps.signal)) throw err;
    deps.log.warn({ err: deps.redactor.redact(String((err as Error)?.stack ?? err)) }, 'check suite: could not decide on an automatic fix');
    return { kind: 'skip', reason: 'GitHub did not answer' };
  });
  if (plan.kind === 'skip') {
    deps.log.info({ reason: plan.reason }, 'check suite: no automatic fix');
    return { kind: 'answered' };
  }
  await (deps.progress ?? silentProgress).start();
  return followUpTurn(job, plan.target, deps, plan.evidence);
}
