import type { AgentFailureReason } from './profile.js';

const AUTH =
  /\b(401|403)\b|unauthori[sz]ed|authenticat|invalid[ _-]?(x-)?api[ _-]?key|incorrect api key|api key (is )?(invalid|missing|not valid)|x-api-key|not logged in|no api key/i;
const RATE_LIMIT = /\b(429|529)\b|rate[ _-]?limit|too many requests|overloaded|quota|usage limit/i;
const MAX_TURNS = /max(imum)?[ _-]?(number of )?turns|turn limit/i;
const TIMEOUT = /timed out|\btimeout\b|deadline (elapsed|exceeded)/i;

/**
 * Reads an agent's own failure text (an API error, a last stderr line) for why it failed. An HTTP
 * status, when the agent reports one apart from the text, is the stronger signal.
 */
export function classifyFailureText(text: string, status?: number): AgentFailureReason {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429 || status === 529) return 'rate_limit';
  if (AUTH.test(text)) return 'auth';
  if (RATE_LIMIT.test(text)) return 'rate_limit';
  if (MAX_TURNS.test(text)) return 'max_turns';
  if (TIMEOUT.test(text)) return 'timeout';
  return 'crash';
}
