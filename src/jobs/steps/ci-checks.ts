import { UserError } from '../../errors.js';
import type { CiEvidence } from '../../agents/ci-prompt.js';
import { gatherCiEvidence, sortChecks } from '../../github/ci-evidence.js';
import { nothingFailingMessage } from '../../report/ci-messages.js';
import type { Job } from '../../job.js';
import type { JobDeps } from '../job-deps.js';
import type { FollowUpTarget } from './pick-up-sandbox.js';
import type { ForkRequest } from './find-follow-up.js';

/** What `fix ci` found on the pull request's head: failing checks for the agent, or a reply that nothing fails. */
export type CiChecks = { kind: 'failing'; target: FollowUpTarget; evidence: CiEvidence } | { kind: 'answered'; reply: string };

/**
 * `fix ci` asked by a person: the failing check runs of the pull request's head (the app's own left
 * out), gathered for the agent; with none failing, the answer says which passed and which still run.
 */
export async function failingChecks(job: Job, target: FollowUpTarget | ForkRequest | undefined, deps: JobDeps): Promise<CiChecks> {
  if (target !== undefined && 'fork' in target) {
    throw new UserError(
      `\`fix ci\` works on the app's own pull requests, and this one comes from a fork. Ask \`${deps.settings.command} <what to do>\` here to get a pull request of the app's with the fork's commits, then \`${deps.settings.command} fix ci\` on that one.`,
    );
  }
  if (target === undefined) {
    throw new UserError(
      `There is no open pull request of the app's for #${job.number}, so there are no checks to fix. Ask \`${deps.settings.command} fix ci\` on the pull request, or ask for the work itself first.`,
    );
  }
  const ci = deps.github.ci();
  const sha = target.pr.headSha;
  const checks = sortChecks(await ci.checkRuns(sha), await ownApp(deps));
  if (checks.failing.length === 0) {
    return { kind: 'answered', reply: nothingFailingMessage({ login: job.requester.login, pull: target.pr.number, headSha: sha, checks, command: deps.settings.command }) };
  }
  return { kind: 'failing', target, evidence: await gatherCiEvidence(ci, sha, checks.failing, deps.redactor) };
}

/** The app's own slug (`issuesmith` for `issuesmith[bot]`): its check runs and suites are never evidence. */
export async function ownApp(deps: JobDeps): Promise<string> {
  return (await deps.github.botIdentity()).name.replace(/\[bot\]$/, '');
}
