import type { AgentProfile } from '../../agents/profile.js';
import { noreplyDomain } from '../../github/noreply-address.js';
import { pushNewBranch, pushOntoBranch, type PushedBranch, type PushedCommit } from '../../git/push-patch.js';
import type { Job } from '../../job.js';
import type { Turn } from './turn.js';
import { BranchMovedError, commitNewBranch, commitOntoBranch } from './commit-through-api.js';
import type { VettedChange } from './vet-change.js';

/** Which way a change reached GitHub, for the report. */
export interface CommitPath {
  path: 'api' | 'host-git';
  /** Why host git, when it was. */
  why?: string;
  /** The API calls the commit took (API path). */
  calls?: number;
}

/**
 * The vetted change as one commit by the app, never forced: to a new branch (first run) or on top of
 * the pull request's branch (follow-up). Through GitHub's Git Data API (no clone, a Verified commit)
 * when vetting chose it, else through host git; either way with a write token minted right before
 * (installation tokens live an hour, agents may run longer), with `workflows: write` only for a
 * workflow change the repository allows. A host-git staging repository is removed on every path.
 */
export async function pushChange(
  turn: Turn,
  vetted: VettedChange,
  o: { profile: AgentProfile; to: { newBranch: true } | { branch: string; issue: number; pull: number } },
): Promise<PushedBranch & Partial<PushedCommit> & { via: CommitPath }> {
  const { deps, job } = turn;
  const { github } = deps;
  try {
    turn.stopped();
    turn.progress.phase('pushing');
    const domain = noreplyDomain(github.baseUrl);
    const message = deps.redactor.redact(commitMessage('newBranch' in o.to ? job : { ...job, number: o.to.issue }, o.profile, domain));
    if (vetted.path === 'api') {
      const git = await github.gitData({ write: true, workflows: vetted.touchesWorkflows });
      const via = (): CommitPath => ({ path: 'api', calls: git.calls });
      if ('newBranch' in o.to) {
        const pushed = await commitNewBranch(git, vetted.change, { message, number: job.number, title: job.issue.title, branchPrefix: turn.repo.pullRequest.branchPrefix });
        deps.log.info({ branch: pushed.branch, calls: git.calls, writes: git.writes }, 'committed through the API');
        return { ...pushed, via: via() };
      }
      try {
        const pushed = await commitOntoBranch(git, vetted.change, { message, branch: o.to.branch });
        deps.log.info({ branch: o.to.branch, calls: git.calls, writes: git.writes, movedOn: pushed.movedOn, retried: pushed.retried }, 'committed through the API');
        return { ...pushed, branch: o.to.branch, via: via() };
      } catch (err) {
        // Someone else's commits touch the agent's files: the session and sandbox stay for the next turn.
        if (err instanceof BranchMovedError) turn.keepFor(o.to.pull, o.profile);
        throw err;
      }
    }
    const author = await github.botIdentity();
    const token = await github.mintToken('write', { workflows: vetted.touchesWorkflows });
    const common = { remoteUrl: github.remoteUrl(), token, author, message };
    const via: CommitPath = { path: 'host-git', why: vetted.why };
    if ('newBranch' in o.to) {
      return { ...(await pushNewBranch(vetted.staged, { ...common, number: job.number, title: job.issue.title, branchPrefix: turn.repo.pullRequest.branchPrefix })), via };
    }
    const pushed = await pushOntoBranch(vetted.staged, { ...common, branch: o.to.branch });
    if (pushed.movedOn || pushed.retried)
      deps.log.info({ branch: o.to.branch, movedOn: pushed.movedOn, retried: pushed.retried }, 'the branch had moved on: the commit went on top of its new head');
    return { ...pushed, branch: o.to.branch, via };
  } finally {
    if (vetted.path === 'host-git') await vetted.staged.dispose();
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
