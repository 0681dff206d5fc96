import { OWN_COMMENT_MARKER } from '../access/is-own-comment.js';
import type { RefusalReason } from '../access/authorize.js';
import { REPO_CONFIG_PATH } from '../config/repo-config.js';
import { notAllowedUserComment } from './config-messages.js';
import { refusedComment, refusedControlComment } from './messages.js';

/** What someone was refused: starting work (a job, a follow-up, help), stopping it, or seeing the queue. */
export type RefusedAction = 'start' | 'stop' | 'status';

/** The polite reply to a refusal; bots get none. Pure text, redacted by the caller before it leaves. */
export function refusalComment(reason: Exclude<RefusalReason, 'bot'>, login: string, required: string, action: RefusedAction): string {
  if (reason === 'not-enough-permission') return action === 'start' ? refusedComment(login, required) : refusedControlComment(login, required, action);
  if (reason === 'not-in-allowed-users') {
    if (action === 'start') return notAllowedUserComment(login);
    return `${OWN_COMMENT_MARKER}\nSorry @${login}, this repository only lets the people listed in \`allowed_users\` (in \`${REPO_CONFIG_PATH}\`) ${verb(action)}.`;
  }
  const nothing = action === 'start' ? 'nothing was started' : action === 'stop' ? 'nothing was stopped' : 'nothing is shown';
  return `${OWN_COMMENT_MARKER}\nSorry @${login}, GitHub could not tell the app your role on this repository just now, so ${nothing}. Please ask again in a few minutes.`;
}

function verb(action: 'stop' | 'status'): string {
  return action === 'stop' ? 'stop the agent' : "see the agent's queue";
}
