import { z } from 'zod';
import { commentCommand } from './comment-command.js';
import { ignore } from './ignore.js';
import type { Intent, TriggerOptions } from './intent-types.js';
import { association, issue, sent, user } from './payload-fields.js';
import { screened } from './screened.js';
import { toJob } from './to-job.js';

const commentPayload = z.object({
  action: z.literal('created'),
  comment: z.object({ id: z.number().int(), body: z.string().nullish(), user, author_association: association }),
  issue,
  ...sent,
});

// The shape a repository's own trigger command can take (see the `trigger:` settings' patterns).
const CANDIDATE_COMMAND = /^\s*\/[A-Za-z0-9][A-Za-z0-9._-]{0,49}(?:\s|$)/;

// Both the app's command and a repository's own are `/word` at the start of the comment.
const MAY_BE_COMMAND = /^\s*\//;

export function intentFromComment(payload: unknown, deliveryId: string, o: TriggerOptions): Intent {
  // Most comments are conversation: one whose text does not start with a slash is ignored before
  // the payload is validated, so the commonest delivery costs one field read and one test.
  const text = bodyOf(payload);
  if (text !== undefined && !MAY_BE_COMMAND.test(text)) return ignore('not a command');
  const p = commentPayload.safeParse(payload);
  if (!p.success) return ignore('payload without the fields of an issue comment');
  return screened(commentIntent(p.data, deliveryId, o), p.data.comment.author_association);
}

/** The comment's text, when the payload has one (null or missing: empty); undefined when it is not a string. */
function bodyOf(payload: unknown): string | undefined {
  const comment = (payload as { comment?: unknown } | null)?.comment;
  const body = typeof comment === 'object' && comment !== null ? (comment as { body?: unknown }).body : undefined;
  if (body === null || body === undefined) return '';
  return typeof body === 'string' ? body : undefined;
}

function commentIntent(data: z.infer<typeof commentPayload>, deliveryId: string, o: TriggerOptions): Intent {
  const { comment } = data;
  const read = commentCommand(comment, data.sender, o);
  if ('ignored' in read) return read.ignored;
  const { body, command } = read;
  const trigger = { type: 'comment' as const, commentId: comment.id };
  if (command === undefined) {
    if (!CANDIDATE_COMMAND.test(body) || data.issue.pull_request !== undefined) return ignore('not a command');
    return { kind: 'candidate', job: toJob(data, deliveryId, o, { profile: o.defaultProfile, instructions: '', trigger, comment: body }) };
  }
  if (command.verb === 'help') {
    return { kind: 'help', job: toJob(data, deliveryId, o, { kind: 'help', profile: o.defaultProfile, instructions: '', trigger, comment: body }) };
  }
  if (command.verb === 'stop' || command.verb === 'status') {
    const { repository, sender } = data;
    return {
      kind: 'control',
      request: {
        action: command.verb,
        deliveryId,
        installationId: data.installation.id,
        owner: repository.owner.login,
        repo: repository.name,
        number: data.issue.number,
        requester: { login: sender.login, id: sender.id },
        commentId: comment.id,
        defaultBranch: repository.default_branch,
      },
    };
  }
  const chosen = {
    profile: command.profile ?? o.defaultProfile,
    profileNamed: command.profile !== undefined,
    instructions: command.instructions,
    trigger,
    comment: body,
    ...(command.options ? { options: command.options } : {}),
    ...(command.fixCi === true ? { fixCi: true } : {}),
  };
  // A comment on a pull request's conversation: a follow-up there. On an issue the worker decides,
  // since only the API can say whether the app already has a pull request for it.
  if (data.issue.pull_request !== undefined) {
    return { kind: 'continue', job: toJob(data, deliveryId, o, { ...chosen, kind: 'continue', pull: { number: data.issue.number } }) };
  }
  return { kind: 'run', job: toJob(data, deliveryId, o, chosen) };
}
