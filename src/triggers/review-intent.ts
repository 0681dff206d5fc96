import { z } from 'zod';
import type { Job } from '../job.js';
import { isBot } from '../access/is-bot.js';
import { mayHoldWriteAccess } from '../access/may-hold-write-access.js';
import { readStateMarker } from '../github/state-marker.js';
import { commentCommand } from './comment-command.js';
import { parseAgentCommand } from './grammar.js';
import { ignore } from './ignore.js';
import type { Intent, TriggerOptions } from './intent-types.js';
import { association, pullRequest, sent, user, type PullRequest, type Repository, type User } from './payload-fields.js';
import { screened } from './screened.js';
import { toJob } from './to-job.js';

const reviewCommentPayload = z.object({
  action: z.literal('created'),
  comment: z.object({
    id: z.number().int(),
    body: z.string().nullish(),
    user,
    path: z.string(),
    line: z.number().int().nullish(),
    original_line: z.number().int().nullish(),
    diff_hunk: z.string().nullish(),
    author_association: association,
  }),
  pull_request: pullRequest,
  ...sent,
});

const reviewPayload = z.object({
  action: z.literal('submitted'),
  review: z.object({ id: z.number().int(), body: z.string().nullish(), user, author_association: association, state: z.string().optional() }),
  pull_request: pullRequest.extend({
    user: user.nullish(),
    head: z.object({ ref: z.string(), repo: z.object({ full_name: z.string() }).nullish() }).optional(),
  }),
  ...sent,
});

/** `/agent …` on a line of a pull request's diff: a follow-up that knows the file, line and hunk. */
export function intentFromReviewComment(payload: unknown, deliveryId: string, o: TriggerOptions): Intent {
  const p = reviewCommentPayload.safeParse(payload);
  if (!p.success) return ignore('payload without the fields of a review comment');
  const { comment } = p.data;
  const read = commentCommand(comment, p.data.sender, o);
  if ('ignored' in read) return read.ignored;
  const { command } = read;
  if (command === undefined) return ignore('not a command');
  if (command.verb !== 'run') return ignore(`/agent ${command.verb} is answered on the conversation, not on a line`);
  const trigger = {
    type: 'review-comment' as const,
    commentId: comment.id,
    path: comment.path,
    line: comment.line ?? comment.original_line ?? null,
    diffHunk: comment.diff_hunk ?? '',
  };
  return screened({ kind: 'continue', job: followUpJob(p.data, deliveryId, o, command, trigger) }, comment.author_association);
}

/**
 * A review whose body starts with `/agent`: a follow-up that carries the review's line comments. A
 * review that requests changes without the command is one too, on a pull request the app opened,
 * when the repository turns it on: a candidate, since only the worker can read that setting.
 */
export function intentFromReview(payload: unknown, deliveryId: string, o: TriggerOptions): Intent {
  const p = reviewPayload.safeParse(payload);
  if (!p.success) return ignore('payload without the fields of a review');
  const { review } = p.data;
  if (isBot(review.user) || isBot(p.data.sender)) return ignore('review by a bot');
  const command = parseAgentCommand(review.body ?? '', o.isProfile, o.command);
  if (command === undefined) return changesRequested(p.data, deliveryId, o);
  if (command.verb !== 'run') return ignore(`/agent ${command.verb} is answered on the conversation, not in a review`);
  return screened({ kind: 'continue', job: followUpJob(p.data, deliveryId, o, command, { type: 'review', reviewId: review.id }) }, review.author_association);
}

/**
 * A review requesting changes, without the command: nobody asked the app in its words, so it answers
 * nothing it will not act on. Approvals and plain comments, outsiders (by the payload's association),
 * and pull requests that do not carry the app's signed marker for their own branch are dropped here;
 * the worker then checks the repository's setting and the reviewer's role, silently.
 */
function changesRequested(p: z.infer<typeof reviewPayload>, deliveryId: string, o: TriggerOptions): Intent {
  const { review } = p;
  if ((review.state ?? '').toLowerCase() !== 'changes_requested') return ignore('not a command');
  if (!mayHoldWriteAccess(review.author_association)) return ignore(`a review requesting changes by an outsider (${review.author_association ?? ''})`);
  if (!isAppPullRequest(p, o)) return ignore('a review requesting changes on a pull request the app did not open');
  const job = followUpJob(p, deliveryId, o, { instructions: review.body ?? '' }, { type: 'review', reviewId: review.id, changesRequested: true });
  return { kind: 'candidate', job };
}

/** The app opened it: a bot's pull request from a branch of this repository whose body holds a marker the app signed for that branch. */
function isAppPullRequest(p: z.infer<typeof reviewPayload>, o: TriggerOptions): boolean {
  const pr = p.pull_request;
  const repo = `${p.repository.owner.login}/${p.repository.name}`;
  if (pr.user?.type !== 'Bot' || pr.head?.repo?.full_name.toLowerCase() !== repo.toLowerCase()) return false;
  if (o.stateKey === undefined) return false;
  const read = readStateMarker(pr.body ?? '', { key: o.stateKey, installation: p.installation.id, repo });
  return read.kind === 'ok' && read.state.repo.toLowerCase() === repo.toLowerCase() && read.state.branch === pr.head.ref;
}

function followUpJob(
  p: { pull_request: PullRequest; repository: Repository; sender: User; installation: { id: number } },
  deliveryId: string,
  o: TriggerOptions,
  command: { profile?: string; instructions: string; options?: Job['options'] },
  trigger: Job['trigger'],
): Job {
  const pr = p.pull_request;
  return toJob({ ...p, issue: { number: pr.number, title: pr.title, body: pr.body } }, deliveryId, o, {
    kind: 'continue',
    profile: command.profile ?? o.defaultProfile,
    profileNamed: command.profile !== undefined,
    instructions: command.instructions,
    trigger,
    ...(command.options ? { options: command.options } : {}),
    pull: { number: pr.number },
  });
}
