import { z } from 'zod';
import type { Job } from '../jobs/job.js';
import { parseAgentCommand } from './grammar.js';
import { isBot } from './is-bot.js';
import { isOwnComment } from './is-own-comment.js';

/** A request about the jobs of one issue or pull request, answered at once rather than queued behind them. */
export interface ControlRequest {
  action: 'stop' | 'status';
  deliveryId: string;
  installationId: number;
  owner: string;
  repo: string;
  number: number;
  requester: { login: string; id: number };
  /** The comment that asked, to react to; absent for the check run's Stop button. */
  commentId?: number;
}

/**
 * What a webhook asks of the app, decided from the payload alone. A `candidate` is a label or a slash
 * command that is not the app's own but may be the repository's (`trigger:` in .github/issuesmith.yml,
 * which the handler cannot read without an API call): the worker reads the file and drops it silently
 * when it is not.
 */
export type Intent =
  | { kind: 'run'; job: Job }
  | { kind: 'help'; job: Job }
  | { kind: 'candidate'; job: Job }
  | { kind: 'control'; request: ControlRequest }
  | { kind: 'ignore'; reason: string };

export interface TriggerOptions {
  defaultProfile: string;
  isProfile: (word: string) => boolean;
  /** `agent` makes the labels `agent` and `agent:<profile>`. */
  labelPrefix: string;
  /** The comment command, `/agent`. */
  command: string;
  now?: () => Date;
}

// Only the fields we read; a payload missing any of them is ignored, never a crash.
const user = z.object({ login: z.string(), id: z.number(), type: z.string().optional() });
const repository = z.object({ name: z.string(), owner: z.object({ login: z.string() }), default_branch: z.string() });
const issue = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullish(),
  state: z.string().optional(),
  pull_request: z.unknown().optional(),
});
const installation = z.object({ id: z.number().int().positive() });

const labeledPayload = z.object({
  action: z.literal('labeled'),
  label: z.object({ name: z.string() }),
  issue,
  repository,
  sender: user,
  installation,
});

const commentPayload = z.object({
  action: z.literal('created'),
  comment: z.object({ id: z.number().int(), body: z.string().nullish(), user }),
  issue,
  repository,
  sender: user,
  installation,
});

export function intentFromLabel(payload: unknown, deliveryId: string, o: TriggerOptions): Intent {
  const p = labeledPayload.safeParse(payload);
  if (!p.success) return ignore('payload without the fields of an issue label');
  const { label, sender } = p.data;
  if (isBot(sender)) return ignore('labelled by a bot');
  const name = label.name.trim().toLowerCase();
  const prefix = o.labelPrefix.toLowerCase();
  let profile: string;
  if (name === prefix) profile = o.defaultProfile;
  else if (name.startsWith(`${prefix}:`) && name.length > prefix.length + 1) profile = name.slice(prefix.length + 1);
  else if (CANDIDATE_LABEL.test(name)) {
    if (p.data.issue.pull_request !== undefined) return ignore('label on a pull request');
    return { kind: 'candidate', job: toJob(p.data, deliveryId, o, { profile: o.defaultProfile, instructions: '', trigger: { type: 'label', label: label.name } }) };
  } else return ignore(`label ${label.name} is not ours`);
  if (p.data.issue.pull_request !== undefined) return ignore('label on a pull request');
  return { kind: 'run', job: toJob(p.data, deliveryId, o, { profile, instructions: '', trigger: { type: 'label', label: label.name } }) };
}

export function intentFromComment(payload: unknown, deliveryId: string, o: TriggerOptions): Intent {
  const p = commentPayload.safeParse(payload);
  if (!p.success) return ignore('payload without the fields of an issue comment');
  const { comment } = p.data;
  const body = comment.body ?? '';
  if (isBot(comment.user) || isBot(p.data.sender)) return ignore('comment by a bot');
  if (isOwnComment(body)) return ignore("the app's own comment");
  const command = parseAgentCommand(body, o.isProfile, o.command);
  const trigger = { type: 'comment' as const, commentId: comment.id };
  if (command === undefined) {
    if (!CANDIDATE_COMMAND.test(body) || p.data.issue.pull_request !== undefined) return ignore('not a command');
    return { kind: 'candidate', job: toJob(p.data, deliveryId, o, { profile: o.defaultProfile, instructions: '', trigger, comment: body }) };
  }
  if (command.verb === 'help') {
    return { kind: 'help', job: toJob(p.data, deliveryId, o, { kind: 'help', profile: o.defaultProfile, instructions: '', trigger, comment: body }) };
  }
  if (command.verb === 'stop' || command.verb === 'status') {
    const { repository, sender } = p.data;
    return {
      kind: 'control',
      request: {
        action: command.verb,
        deliveryId,
        installationId: p.data.installation.id,
        owner: repository.owner.login,
        repo: repository.name,
        number: p.data.issue.number,
        requester: { login: sender.login, id: sender.id },
        commentId: comment.id,
      },
    };
  }
  if (p.data.issue.pull_request !== undefined) return ignore('follow-ups on pull requests are not available yet');
  const profile = command.profile ?? o.defaultProfile;
  return {
    kind: 'run',
    job: toJob(p.data, deliveryId, o, { profile, instructions: command.instructions, trigger, comment: body, ...(command.options ? { options: command.options } : {}) }),
  };
}

// The shapes a repository's own trigger can take (see the `trigger:` settings' patterns).
const CANDIDATE_LABEL = /^[a-z0-9][a-z0-9._-]{0,49}(?::[a-z0-9][a-z0-9-]{0,39})?$/;
const CANDIDATE_COMMAND = /^\s*\/[A-Za-z0-9][A-Za-z0-9._-]{0,49}(?:\s|$)/;

const checkRunActionPayload = z.object({
  action: z.literal('requested_action'),
  requested_action: z.object({ identifier: z.string() }),
  check_run: z.object({ external_id: z.string().nullish() }),
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }) }),
  sender: user,
  installation,
});

/** The Stop button of a job's check run: `external_id` is `<number>:<delivery>` (see the reporter). */
export function intentFromCheckRunAction(payload: unknown, deliveryId: string): Intent {
  const p = checkRunActionPayload.safeParse(payload);
  if (!p.success) return ignore('payload without the fields of a check run action');
  if (p.data.requested_action.identifier !== 'stop') return ignore(`check run action ${p.data.requested_action.identifier} is not ours`);
  const m = /^(\d+):/.exec(p.data.check_run.external_id ?? '');
  const number = Number(m?.[1]);
  if (!Number.isSafeInteger(number) || number <= 0) return ignore('check run without our external id');
  if (isBot(p.data.sender)) return ignore('action by a bot');
  const { repository, sender } = p.data;
  return {
    kind: 'control',
    request: { action: 'stop', deliveryId, installationId: p.data.installation.id, owner: repository.owner.login, repo: repository.name, number, requester: { login: sender.login, id: sender.id } },
  };
}

function toJob(
  p: { issue: z.infer<typeof issue>; repository: z.infer<typeof repository>; sender: z.infer<typeof user>; installation: { id: number } },
  deliveryId: string,
  o: TriggerOptions,
  rest: Pick<Job, 'profile' | 'instructions' | 'trigger'> & Partial<Pick<Job, 'comment' | 'options'>> & { kind?: Job['kind'] },
): Job {
  return {
    ...(rest.comment !== undefined ? { comment: rest.comment } : {}),
    ...(rest.options !== undefined ? { options: rest.options } : {}),
    deliveryId,
    installationId: p.installation.id,
    owner: p.repository.owner.login,
    repo: p.repository.name,
    number: p.issue.number,
    kind: rest.kind ?? 'run',
    profile: rest.profile,
    instructions: rest.instructions,
    issue: { title: p.issue.title, body: p.issue.body ?? '' },
    defaultBranch: p.repository.default_branch,
    requester: { login: p.sender.login, id: p.sender.id },
    trigger: rest.trigger,
    receivedAt: (o.now?.() ?? new Date()).toISOString(),
  };
}

function ignore(reason: string): Intent {
  return { kind: 'ignore', reason };
}
