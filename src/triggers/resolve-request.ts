import type { Job } from '../job.js';
import { parseAgentCommand } from './grammar.js';

export interface RequestTrigger {
  /** The repository's label prefix and command word (its settings, or the app's). */
  labelPrefix: string;
  command: string;
  defaultProfile: string;
  /** Whether a word names an agent of this repository (built-in or custom). */
  isProfile: (word: string) => boolean;
  /** The repository answers reviews that request changes without the command (`follow_ups.on_changes_requested`). */
  onChangesRequested?: boolean;
}

export type ResolvedRequest =
  | { kind: 'ignore'; reason: string }
  | { kind: 'help' }
  | {
      kind: 'run';
      profile: string;
      instructions: string;
      options: Record<string, string>;
      /** Whether the request named its agent. */
      named: boolean;
      /** `fix ci`: the pull request's failing checks go to the agent. */
      fixCi?: true;
    };

/**
 * Reads a job's trigger again with the repository's own settings: its label prefix, its command word
 * and its agents. A label or comment that is not the repository's trigger is ignored (silently: it
 * may be meant for another tool). Jobs without the comment's text keep what the handler parsed.
 */
export function resolveRequest(job: Job, t: RequestTrigger): ResolvedRequest {
  if (job.trigger.type === 'label') {
    const name = job.trigger.label.trim().toLowerCase();
    const prefix = t.labelPrefix.toLowerCase();
    if (name === prefix) return { kind: 'run', profile: t.defaultProfile, instructions: '', options: {}, named: false };
    if (name.startsWith(`${prefix}:`) && name.length > prefix.length + 1)
      return { kind: 'run', profile: name.slice(prefix.length + 1), instructions: '', options: {}, named: true };
    return { kind: 'ignore', reason: `label ${job.trigger.label} is not this repository's` };
  }
  if (job.trigger.type === 'review' && job.trigger.changesRequested === true && t.onChangesRequested !== true) {
    return { kind: 'ignore', reason: 'a review requesting changes, which this repository does not answer' };
  }
  if (job.comment === undefined) {
    return job.kind === 'help'
      ? { kind: 'help' }
      : {
          kind: 'run',
          profile: job.profile,
          instructions: job.instructions,
          options: job.options ?? {},
          named: job.profileNamed ?? true,
          ...(job.fixCi === true ? { fixCi: true as const } : {}),
        };
  }
  const command = parseAgentCommand(job.comment, t.isProfile, t.command);
  if (command === undefined) return { kind: 'ignore', reason: "not this repository's command" };
  if (command.verb === 'help') return { kind: 'help' };
  if (command.verb !== 'run') return { kind: 'ignore', reason: `${t.command} ${command.verb} is not a job` };
  return {
    kind: 'run',
    profile: command.profile ?? t.defaultProfile,
    instructions: command.instructions,
    options: command.options ?? {},
    named: command.profile !== undefined,
    ...(command.fixCi === true ? { fixCi: true as const } : {}),
  };
}
