import { UserError } from '../errors.js';
import { amp } from './amp.js';
import { claude } from './claude.js';
import { codex } from './codex.js';
import { openclaw } from './openclaw.js';
import { opencode } from './opencode.js';
import type { AgentProfile } from './profile.js';
import { oneLine } from './tool-detail.js';

/** Every built-in profile. Adding an agent is one file and one line here. */
export const builtInProfiles: readonly AgentProfile[] = [claude, codex, amp, opencode, openclaw];

export class ProfileRegistry {
  readonly #byName = new Map<string, AgentProfile>();
  readonly #profiles: AgentProfile[] = [];

  constructor(profiles: readonly AgentProfile[] = builtInProfiles) {
    for (const p of profiles) this.add(p);
  }

  add(profile: AgentProfile): void {
    this.#profiles.push(profile);
    for (const key of [profile.name, ...profile.aliases]) this.#byName.set(key.toLowerCase(), profile);
  }

  /** Looks a profile up by its name or an alias, case-insensitively. */
  get(name: string): AgentProfile | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  /** Like `get`, but an unknown name is the user's to fix: the error lists the names there are. */
  require(name: string): AgentProfile {
    const profile = this.get(name);
    if (profile !== undefined) return profile;
    const names = this.names()
      .map((n) => `\`${n}\``)
      .join(', ');
    throw new UserError(`There is no agent called \`${oneLine(name, 40)}\`. Available agents: ${names}.`);
  }

  names(): string[] {
    return this.#profiles.map((p) => p.name);
  }

  all(): readonly AgentProfile[] {
    return this.#profiles;
  }
}
