import { z } from 'zod';
import type { Job } from '../job.js';
import { isBot } from '../access/is-bot.js';
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
  review: z.object({ id: z.number().int(), body: z.string().nullish(), user, author_association: association }),
  pull_request: pullRequest,
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

/** A review whose body starts with `/agent`: a follow-up that carries the review's line comments. */
export function intentFromReview(payload: unknown, deliveryId: string, o: TriggerOptions): Intent {
  const p = reviewPayload.safeParse(payload);
  if (!p.success) return ignore('payload without the fields of a review');
  const { review } = p.data;
  if (isBot(review.user) || isBot(p.data.sender)) return ignore('review by a bot');
  const command = parseAgentCommand(review.body ?? '', o.isProfile, o.command);
  if (command === undefined) return ignore('not a command');
  if (command.verb !== 'run') return ignore(`/agent ${command.verb} is answered on the conversation, not in a review`);
  return screened({ kind: 'continue', job: followUpJob(p.data, deliveryId, o, command, { type: 'review', reviewId: review.id }) }, review.author_association);
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
