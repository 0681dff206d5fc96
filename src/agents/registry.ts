import { claude } from './claude.js';
import type { AgentProfile } from './profile.js';

/** Every built-in profile. Adding an agent is one file and one line here. */
export const builtInProfiles: readonly AgentProfile[] = [claude];

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

  names(): string[] {
    return this.#profiles.map((p) => p.name);
  }

  all(): readonly AgentProfile[] {
    return this.#profiles;
  }
}
