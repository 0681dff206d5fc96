import { missingKeyMessage } from '../../agents/failure-message.js';
import type { AgentProfile } from '../../agents/profile.js';
import { UserError } from '../../errors.js';
import { requestOptions, type RequestOptions } from './request-options.js';
import type { Turn } from './turn.js';

export interface ChosenAgent {
  profile: AgentProfile;
  /** The variables the agent takes from the app's environment (its key, its endpoint). */
  env: Record<string, string>;
  request: RequestOptions;
}

/**
 * The agent asked for (by name, `profileName`) with its key, and the request's options (model=, base=)
 * checked against the repository's settings: a UserError for the maintainer when any is wrong, before
 * any sandbox exists.
 */
export async function chooseAgent(turn: Turn, profileName: string): Promise<ChosenAgent> {
  const { deps, job } = turn;
  const profile = deps.profiles.require(profileName);
  const env = agentEnv(profile, deps.settings.env);
  // A template found missing at start is said now, before any token, sandbox or other call.
  const templateProblem = await deps.sandboxes?.templateProblem?.(profile.template);
  if (templateProblem !== undefined) throw new UserError(templateProblem);
  const request = await requestOptions(job, profile, turn.repo, (b) => deps.github.branchExists(b));
  turn.progress.agent(profile.displayName, ...(request.model !== undefined ? [request.model] : []));
  return { profile, env, request };
}

/** The sandbox variables of `profile`: its fixed ones, and its key and endpoint taken from `source` (the app's environment). */
export function agentEnv(profile: AgentProfile, source: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = { ...profile.env };
  const present = profile.secrets.required.filter((name) => (source[name] ?? '') !== '');
  // A custom agent may need no key at all; the built-in ones need one of theirs.
  if (present.length === 0 && profile.secrets.required.length > 0) throw new UserError(`${missingKeyMessage(profile)} Ask the app's operator to set it.`);
  for (const name of [...present, ...profile.secrets.optional]) {
    const value = source[name];
    if (value !== undefined && value !== '') env[name] = value;
  }
  return env;
}
