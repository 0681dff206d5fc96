import type { AgentProfile } from '../../agents/profile.js';
import { noreplyDomain } from '../../github/noreply-address.js';
import { pushNewBranch, pushOntoBranch, type PushedBranch, type PushedCommit } from '../../git/push-patch.js';
import type { Job } from '../../job.js';
import type { Turn } from './turn.js';
import type { VettedChange } from './vet-change.js';

/**
 * The vetted change as one commit by the app, pushed without force: to a new branch (first run) or on
 * top of the pull request branch's current head (follow-up). The write token is minted right before
 * the push (installation tokens live an hour, agents may run longer), with `workflows: write` only for
 * a workflow change the repository allows. The staged repository is removed on every path.
 */
export async function pushChange(
  turn: Turn,
  vetted: VettedChange,
  o: { profile: AgentProfile; to: { newBranch: true } | { branch: string; issue: number } },
): Promise<PushedBranch & Partial<PushedCommit>> {
  const { deps, job } = turn;
  const { github } = deps;
  try {
    const author = await github.botIdentity();
    turn.stopped();
    turn.progress.phase('pushing');
    const token = await github.mintToken('write', { workflows: vetted.touchesWorkflows });
    const common = { remoteUrl: github.remoteUrl(), token, author };
    if ('newBranch' in o.to) {
      const message = deps.redactor.redact(commitMessage(job, o.profile, noreplyDomain(github.baseUrl)));
      return await pushNewBranch(vetted.staged, { ...common, message, number: job.number, title: job.issue.title, branchPrefix: turn.repo.pullRequest.branchPrefix });
    }
    const message = deps.redactor.redact(commitMessage({ ...job, number: o.to.issue }, o.profile, noreplyDomain(github.baseUrl)));
    const pushed = await pushOntoBranch(vetted.staged, { ...common, message, branch: o.to.branch });
    if (pushed.movedOn || pushed.retried)
      deps.log.info({ branch: o.to.branch, movedOn: pushed.movedOn, retried: pushed.retried }, 'the branch had moved on: the commit went on top of its new head');
    return { ...pushed, branch: o.to.branch };
  } finally {
    await vetted.staged.dispose();
  }
}

/** The commit message: the issue's title, who made it for whom, and the person who asked as co-author. */
export function commitMessage(job: Job, profile: AgentProfile, domain: string): string {
  const { requester } = job;
  // Control characters go with the whitespace (git stops reading a message at a NUL), and the cut
  // falls between characters, never inside a surrogate pair.
  const title =
    // eslint-disable-next-line no-control-regex
    Array.from(job.issue.title.replace(/[\s\x00-\x1f\x7f]+/g, ' ').trim())
      .slice(0, 60)
      .join('') || `issue #${job.number}`;
  // GitHub logins are letters, digits, dashes (and `[bot]`); anything else could start a trailer of its own.
  const login = requester.login.replace(/[^A-Za-z0-9\-[\]]/g, '') || 'ghost';
  return [
    `${title} (#${job.number})`,
    '',
    `Made by ${profile.displayName} for #${job.number}, at @${login}'s request.`,
    '',
    `Co-authored-by: ${login} <${requester.id}+${login}@${domain}>`,
  ].join('\n');
}
