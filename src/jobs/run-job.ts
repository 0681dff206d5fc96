import { cleanUpPullRequest } from './cleanup.js';
import { firstRun } from './first-run.js';
import { forkRun } from './fork-run.js';
import { followUpTurn } from './follow-up-turn.js';
import type { Job } from '../job.js';
import type { JobDeps, Outcome } from './job-deps.js';
import { silentProgress } from './progress.js';
import { answerHelp, authorizeJob } from './steps/authorize-job.js';
import { findFollowUp } from './steps/find-follow-up.js';

/**
 * One job, dispatched to its flow:
 *  1. a closed pull request's cleanup needs no authorization and reports nothing;
 *  2. authorize: the person who asked may start work here, or gets one polite reply;
 *  3. `/agent help` is answered here;
 *  4. the status comment appears (or takes over the queued one), then 👀 on what asked, not awaited:
 *     GitHub takes one write a second from the app, and the comment is what the person waits for;
 *  5. a follow-up turn when the job continues a pull request of the app's (or of a pull request or
 *     issue the app has one for); a new pull request from a fork's, which the app cannot push to;
 *     else a first run.
 */
export async function runJob(job: Job, deps: JobDeps): Promise<Outcome> {
  if (job.kind === 'cleanup') return cleanUpPullRequest(job, deps);
  const refused = await authorizeJob(job, deps);
  if (refused !== undefined) return refused;
  const acknowledge = (): void => deps.github.react('eyes', (err) => deps.log.warn({ err }, 'could not react'));
  if (job.kind === 'help') {
    acknowledge();
    return answerHelp(deps);
  }
  await (deps.progress ?? silentProgress).start();
  acknowledge();
  const target = await findFollowUp(job, deps);
  if (target === undefined) return firstRun(job, deps);
  return 'fork' in target ? forkRun(job, target.fork, deps) : followUpTurn(job, target, deps);
}
