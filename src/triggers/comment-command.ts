import { isBot } from '../access/is-bot.js';
import { isOwnComment } from '../access/is-own-comment.js';
import { parseAgentCommand, type AgentCommand } from './grammar.js';
import { ignore } from './ignore.js';
import type { Intent, TriggerOptions } from './intent-types.js';
import type { User } from './payload-fields.js';

/**
 * The command a comment (on the conversation or on a line of the diff) holds, if any; a bot's comment
 * and the app's own are never read as one.
 */
export function commentCommand(
  comment: { body?: string | null; user: User },
  sender: User,
  o: TriggerOptions,
): { body: string; command: AgentCommand | undefined } | { ignored: Intent } {
  const body = comment.body ?? '';
  if (isBot(comment.user) || isBot(sender)) return { ignored: ignore('comment by a bot') };
  if (isOwnComment(body)) return { ignored: ignore("the app's own comment") };
  return { body, command: parseAgentCommand(body, o.isProfile, o.command) };
}
