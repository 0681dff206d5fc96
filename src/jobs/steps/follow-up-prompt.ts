import { authorize } from '../../access/authorize.js';
import { withImages, type RequestImages } from '../../agents/image-prompt.js';
import type { CiEvidence } from '../../agents/ci-prompt.js';
import { buildFollowUpPrompt, buildFreshFollowUpPrompt, repositoryInstructionParts, type DiffNote } from '../../agents/prompt.js';
import type { Job } from '../../job.js';
import type { JobDeps } from '../job-deps.js';
import type { FollowUpTarget } from './pick-up-sandbox.js';
import type { Turn } from './turn.js';

/** The two prompts of a follow-up turn: the new request alone (for a resumed session), and the one with the whole context (afresh). */
export interface FollowUpPrompts {
  resumed: string;
  fresh(): Promise<string>;
}

/** The new request (and the diff lines it is about), with the repository's instructions; the whole context only when asked for. */
export async function followUpPrompts(turn: Turn, target: FollowUpTarget, issue: number | undefined, ci?: CiEvidence): Promise<FollowUpPrompts> {
  const { job, deps, repo } = turn;
  const { pr } = target;
  const notes = await diffNotes(job, pr.number, deps);
  // A review that requested changes without the command: its body is the reviewer's words, quoted as the review, not as instructions.
  const review = job.trigger.type === 'review' && job.trigger.changesRequested === true ? { login: job.requester.login, body: job.instructions } : undefined;
  const request = {
    owner: job.owner,
    repo: job.repo,
    pull: pr.number,
    branch: pr.headRef,
    instructions: review === undefined ? job.instructions : '',
    requester: job.requester.login,
    notes,
    ...(review !== undefined ? { review } : {}),
    ...(ci !== undefined ? { ci } : {}),
  };
  const withInstructions = (prompt: string): string => [...repositoryInstructionParts(repo.instructions), prompt].join('\n');
  return {
    resumed: withInstructions(buildFollowUpPrompt(request)),
    fresh: async () => withInstructions(buildFreshFollowUpPrompt({ ...request, ...(await context(job, target, issue, deps)) })),
  };
}

/** Both prompts with the request's images' part. */
export function withRequestImages(prompts: FollowUpPrompts, images: RequestImages): FollowUpPrompts {
  return { resumed: withImages(prompts.resumed, images), fresh: async () => withImages(await prompts.fresh(), images) };
}

/** The lines of the diff a follow-up is about: the review comment's own, or a review's line comments. */
async function diffNotes(job: Job, pull: number, deps: JobDeps): Promise<DiffNote[]> {
  const t = job.trigger;
  if (t.type === 'review-comment') return [{ path: t.path, line: t.line, diffHunk: t.diffHunk, body: '', login: job.requester.login }];
  if (t.type !== 'review') return [];
  const comments = await deps.github.reviewComments(pull, t.reviewId);
  return comments.map((c) => ({ path: c.path, line: c.line, diffHunk: c.diffHunk, body: c.body, login: c.login }));
}

/**
 * What a fresh session needs to know: the issue, the pull request, the earlier `/agent` requests of
 * people who may start work here (access/authorize, with the repository's `permission` and
 * `allowed_users`: anyone else could steer the agent), oldest first, and the files changed so far.
 */
async function context(job: Job, target: FollowUpTarget, issue: number | undefined, deps: JobDeps) {
  const { github } = deps;
  const { pr } = target;
  const issueText = issue !== undefined && issue !== pr.number ? { number: issue, ...(await github.issue(issue)) } : undefined;
  const threads = [pr.number, ...(issueText !== undefined ? [issueText.number] : [])];
  const all = (await Promise.all(threads.map((n) => github.conversation(n)))).flat();
  const command = deps.settings.command.toLowerCase();
  const current = job.trigger.type === 'comment' ? job.trigger.commentId : undefined;
  const requests = all
    .filter((c) => c.id !== current && c.userType !== 'Bot' && c.body.trimStart().toLowerCase().startsWith(command))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const rules = { permission: deps.settings.permission, allowedUsers: deps.repo?.allowedUsers };
  const allowed = new Map<string, boolean>();
  for (const login of new Set(requests.map((c) => c.login))) {
    const decision = await authorize({ login }, rules, (l) => github.permissionOf(l));
    if (!decision.allowed && decision.reason === 'permission-lookup-failed')
      deps.log.warn({ login }, 'an earlier request is left out: GitHub could not say what role its author has');
    allowed.set(login, decision.allowed);
  }
  const earlier = requests.filter((c) => allowed.get(c.login) === true).map((c) => ({ login: c.login, text: c.body.trimStart().slice(command.length) }));
  return {
    ...(issueText !== undefined ? { issue: issueText } : {}),
    pullTitle: pr.title,
    pullBody: pr.body,
    earlier,
    files: await github.pullRequestFiles(pr.number),
  };
}
