import { budgetMessage, type BudgetSpent } from './budget.js';
import type { AgentFailureReason, AgentProfile } from './profile.js';
import { oneLine } from './tool-detail.js';

type Named = Pick<AgentProfile, 'displayName' | 'secrets'>;

/**
 * Why a run failed, as a sentence a maintainer can act on. `detail` is the agent's own words (its
 * error message), quoted on one line and not cut: the status redacts it, then cuts it.
 */
export function failureMessage(profile: Named, reason: AgentFailureReason, detail?: string): string {
  const name = profile.displayName;
  const sentence = {
    auth: `${name}'s API key was rejected: check ${keyList(profile.secrets.required)} in the app's environment.`,
    rate_limit: `${name} was rate limited by its model provider: wait a few minutes and ask again, or raise the limits of its API key.`,
    max_turns: `${name} ran out of turns before it finished: comment again to let it continue, or ask for a smaller change.`,
    max_cost: `${name} reached its spending limit before it finished: comment again to let it continue, or ask for a smaller change.`,
    timeout: `${name} ran out of time and was stopped: comment again to let it continue, or ask for a smaller change.`,
    crash: `${name} stopped with an error before it finished: try again, and if it keeps failing, check the app's logs.`,
  }[reason];
  const said = detail === undefined ? '' : oneLine(detail);
  return said === '' ? sentence : `${sentence} It said: \`${said}\``;
}

/** Why a run did not finish: the budget that ran out, with its figures, or the failure's sentence. */
export function runFailureMessage(profile: Named, run: { reason?: AgentFailureReason; budget?: BudgetSpent }): string {
  return run.budget !== undefined ? budgetMessage(profile.displayName, run.budget) : failureMessage(profile, run.reason ?? 'crash');
}

/** The reply when none of the profile's keys is set: "Codex needs `CODEX_API_KEY` in the app's environment." */
export function missingKeyMessage(profile: Named): string {
  const keys = profile.secrets.required;
  const need = keys.length === 1 ? keyList(keys) : `one of ${keyList(keys)}`;
  return `${profile.displayName} needs ${need} in the app's environment.`;
}

function keyList(names: readonly string[]): string {
  const quoted = names.map((n) => `\`${n}\``);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1) ?? ''}`;
}
