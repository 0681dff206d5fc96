import { z } from 'zod';
import type { Job } from '../job.js';
import { readStateMarker } from '../github/state-marker.js';
import { parseAgentCommand } from './grammar.js';
import { isBot } from '../access/is-bot.js';
import { isOwnComment } from '../access/is-own-comment.js';
import { mayHoldWriteAccess } from '../access/may-hold-write-access.js';

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
  /** The repository's default branch, where its settings are read; GitHub's HEAD when the payload did not say. */
  defaultBranch?: string;
}

/**
 * A request in the app's words from someone the payload shows cannot hold write access (their
 * `author_association`): not queued, but answered outside the queue by the rate-limited refusal. The
 * payload is computed without a viewer, so it cannot see a private organisation membership: a
 * maintainer whose membership is private and whose access comes through a team arrives as
 * CONTRIBUTOR or NONE. The refusal path asks GitHub once (per person, while their refusal is recent)
 * and lets such a person's request go on as `intent`.
 */
export interface OutsiderRequest {
  action: 'start' | 'stop' | 'status';
  deliveryId: string;
  installationId: number;
  owner: string;
  repo: string;
  number: number;
  requester: { login: string; id: number };
  association: string;
}

/**
 * What a webhook asks of the app, decided from the payload alone. A `candidate` is a label or a slash
 * command that is not the app's own but may be the repository's (`trigger:` in .github/issuesmith.yml,
 * which the handler cannot read without an API call): the worker reads the file and drops it silently
 * when it is not.
 */
/** What a request in the app's words becomes when its author may act. */
export type ActionableIntent = { kind: 'run'; job: Job } | { kind: 'help'; job: Job } | { kind: 'continue'; job: Job } | { kind: 'control'; request: ControlRequest };

export type Intent =
  | { kind: 'run'; job: Job }
  | { kind: 'help'; job: Job }
  | { kind: 'candidate'; job: Job }
  | { kind: 'control'; request: ControlRequest }
  | { kind: 'outsider'; request: OutsiderRequest; intent: ActionableIntent }
  | { kind: 'continue'; job: Job }
  | { kind: 'cleanup'; job: Job }
  | { kind: 'ignore'; reason: string };

export interface TriggerOptions {
  defaultProfile: string;
  isProfile: (word: string) => boolean;
  /** `agent` makes the labels `agent` and `agent:<profile>`. */
  labelPrefix: string;
  /** The comment command, `/agent`. */
  command: string;
  /**
   * The app's key for state markers (settings.stateKey): a closed pull request's marker is only read
   * when signed with it for the same installation and repository. Without it, no marker is trusted.
   */
  stateKey?: Uint8Array;
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

// GitHub's word for the author's relation to the repository: a pre-filter only, never a grant.
const association = z.string().nullish();

const commentPayload = z.object({
  action: z.literal('created'),
  comment: z.object({ id: z.number().int(), body: z.string().nullish(), user, author_association: association }),
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
  return screened(commentIntent(p.data, deliveryId, o), p.data.comment.author_association);
}

function commentIntent(data: z.infer<typeof commentPayload>, deliveryId: string, o: TriggerOptions): Intent {
  const { comment } = data;
  const body = comment.body ?? '';
  if (isBot(comment.user) || isBot(data.sender)) return ignore('comment by a bot');
  if (isOwnComment(body)) return ignore("the app's own comment");
  const command = parseAgentCommand(body, o.isProfile, o.command);
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
  };
  // A comment on a pull request's conversation: a follow-up there. On an issue the worker decides,
  // since only the API can say whether the app already has a pull request for it.
  if (data.issue.pull_request !== undefined) {
    return { kind: 'continue', job: toJob(data, deliveryId, o, { ...chosen, kind: 'continue', pull: { number: data.issue.number } }) };
  }
  return { kind: 'run', job: toJob(data, deliveryId, o, chosen) };
}

const pullRequest = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullish(),
});

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
  repository,
  sender: user,
  installation,
});

const reviewPayload = z.object({
  action: z.literal('submitted'),
  review: z.object({ id: z.number().int(), body: z.string().nullish(), user, author_association: association }),
  pull_request: pullRequest,
  repository,
  sender: user,
  installation,
});

const closedPayload = z.object({
  action: z.literal('closed'),
  pull_request: pullRequest.extend({
    user,
    head: z.object({ ref: z.string(), repo: z.object({ full_name: z.string() }).nullish() }),
  }),
  repository,
  sender: user,
  installation,
});

/** `/agent …` on a line of a pull request's diff: a follow-up that knows the file, line and hunk. */
export function intentFromReviewComment(payload: unknown, deliveryId: string, o: TriggerOptions): Intent {
  const p = reviewCommentPayload.safeParse(payload);
  if (!p.success) return ignore('payload without the fields of a review comment');
  const { comment } = p.data;
  const body = comment.body ?? '';
  if (isBot(comment.user) || isBot(p.data.sender)) return ignore('comment by a bot');
  if (isOwnComment(body)) return ignore("the app's own comment");
  const command = parseAgentCommand(body, o.isProfile, o.command);
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

/**
 * A closed pull request (merged or not) whose body holds the app's marker: its paused sandbox and
 * saved session go. The marker is read from the payload, so the handler makes no API call.
 */
export function intentFromPullRequestClosed(payload: unknown, deliveryId: string, o: TriggerOptions): Intent {
  const p = closedPayload.safeParse(payload);
  if (!p.success) return ignore('payload without the fields of a closed pull request');
  const pr = p.data.pull_request;
  const repo = `${p.data.repository.owner.login}/${p.data.repository.name}`;
  // Anyone can open a pull request and copy a marker into it: only the app's own pull requests count.
  if (pr.user.type !== 'Bot' || pr.head.repo?.full_name.toLowerCase() !== repo.toLowerCase()) return ignore('closed pull request the app did not open');
  const seal = o.stateKey === undefined ? undefined : { key: o.stateKey, installation: p.data.installation.id, repo };
  const read = readStateMarker(pr.body ?? '', seal);
  if (read.kind === 'none') return ignore('closed pull request the app did not open');
  if (read.kind === 'invalid') return ignore(`closed pull request: ${read.reason}; ignored`);
  const { state } = read;
  if (state.repo.toLowerCase() !== repo.toLowerCase()) return ignore(`the state marker names another repository (${state.repo})`);
  if (state.branch !== pr.head.ref) return ignore('the state marker names another branch than the pull request head');
  const job = toJob({ ...p.data, issue: { number: pr.number, title: pr.title, body: pr.body } }, deliveryId, o, {
    kind: 'cleanup',
    profile: state.profile,
    instructions: '',
    trigger: { type: 'closed' },
    pull: { number: pr.number, ...(state.sandbox !== undefined ? { sandbox: state.sandbox } : {}) },
  });
  return { kind: 'cleanup', job };
}

function followUpJob(
  p: { pull_request: z.infer<typeof pullRequest>; repository: z.infer<typeof repository>; sender: z.infer<typeof user>; installation: { id: number } },
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

// The shapes a repository's own trigger can take (see the `trigger:` settings' patterns).
const CANDIDATE_LABEL = /^[a-z0-9][a-z0-9._-]{0,49}(?::[a-z0-9][a-z0-9-]{0,39})?$/;
const CANDIDATE_COMMAND = /^\s*\/[A-Za-z0-9][A-Za-z0-9._-]{0,49}(?:\s|$)/;

const checkRunActionPayload = z.object({
  action: z.literal('requested_action'),
  requested_action: z.object({ identifier: z.string() }),
  check_run: z.object({ external_id: z.string().nullish() }),
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }), default_branch: z.string().optional() }),
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
    request: {
      action: 'stop',
      deliveryId,
      installationId: p.data.installation.id,
      owner: repository.owner.login,
      repo: repository.name,
      number,
      requester: { login: sender.login, id: sender.id },
      ...(repository.default_branch !== undefined ? { defaultBranch: repository.default_branch } : {}),
    },
  };
}

/**
 * The pre-filter on the payload's `author_association`: a request in the app's words from someone it
 * shows as an outsider is not queued but handed to the refusal path, with what it would have been (for
 * the rare outsider GitHub's payload is wrong about: see OutsiderRequest). A command that may be the
 * repository's own is dropped without a word. Everyone else goes on to the worker's real check.
 */
function screened(intent: Intent, association: string | null | undefined): Intent {
  if (mayHoldWriteAccess(association)) return intent;
  const as = association ?? '';
  switch (intent.kind) {
    case 'candidate':
      return ignore(`a command that may be the repository's, from an outsider (${as})`);
    case 'control': {
      const { action, deliveryId, installationId, owner, repo, number, requester } = intent.request;
      return { kind: 'outsider', request: { action, deliveryId, installationId, owner, repo, number, requester, association: as }, intent };
    }
    case 'run':
    case 'help':
    case 'continue': {
      const { deliveryId, installationId, owner, repo, number, requester } = intent.job;
      return { kind: 'outsider', request: { action: 'start', deliveryId, installationId, owner, repo, number, requester, association: as }, intent };
    }
    default:
      return intent;
  }
}

function toJob(
  p: { issue: Pick<z.infer<typeof issue>, 'number' | 'title' | 'body'>; repository: z.infer<typeof repository>; sender: z.infer<typeof user>; installation: { id: number } },
  deliveryId: string,
  o: TriggerOptions,
  rest: Pick<Job, 'profile' | 'instructions' | 'trigger'> & Partial<Pick<Job, 'kind' | 'profileNamed' | 'pull' | 'comment' | 'options'>>,
): Job {
  return {
    ...(rest.comment !== undefined ? { comment: rest.comment } : {}),
    ...(rest.options !== undefined ? { options: rest.options } : {}),
    ...(rest.profileNamed !== undefined ? { profileNamed: rest.profileNamed } : {}),
    ...(rest.pull !== undefined ? { pull: rest.pull } : {}),
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
