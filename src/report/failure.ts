import type { AgentFailureReason } from '../agents/profile.js';

/** A failure of the agent's, in a sentence a maintainer can act on. */
export function describeAgentFailure(agent: string, keyNames: readonly string[], reason: AgentFailureReason | undefined, timeoutMinutes: number): string {
  const keys = keyNames.map((k) => `\`${k}\``).join(' or ');
  switch (reason) {
    case 'auth':
      return `${agent}'s API key was rejected. Check ${keys} in the app's environment.`;
    case 'rate_limit':
      return `${agent} was rate limited by its model provider. Try again in a few minutes, or raise the key's limits.`;
    case 'max_turns':
      return `${agent} ran out of turns before it finished.`;
    case 'timeout':
      return `${agent} ran out of time (the limit is ${timeoutMinutes} minutes) and was stopped.`;
    case 'crash':
    case undefined:
      return `${agent} stopped with an error before it finished.`;
  }
}
