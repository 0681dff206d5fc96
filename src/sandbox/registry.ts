import { e2b } from './e2b.js';
import { local } from './local.js';
import type { SandboxProvider, SandboxProviderContext, SandboxProviderEntry } from './provider.js';

/** Every sandbox provider. Adding one is one file and one line here. */
export const builtInSandboxProviders: readonly SandboxProviderEntry[] = [e2b, local];

/**
 * The sandbox providers by name: the settings check `ISSUESMITH_SANDBOX` against it, the runtime
 * makes the chosen one with it, and what the app says about sandboxes (which variables to set, which
 * are its own) comes from its entries, so no other room names a provider.
 */
export class SandboxRegistry {
  readonly #byName = new Map<string, SandboxProviderEntry>();

  constructor(readonly entries: readonly SandboxProviderEntry[] = builtInSandboxProviders) {
    if (entries.length === 0) throw new Error('a sandbox registry needs a provider');
    for (const e of entries) this.#byName.set(e.name, e);
  }

  /** The providers' names, in the registry's order (non-empty, as zod's `enum` wants it). */
  names(): [string, ...string[]] {
    const [first, ...rest] = this.entries.map((e) => e.name);
    return [first ?? '', ...rest];
  }

  get(name: string): SandboxProviderEntry | undefined {
    return this.#byName.get(name);
  }

  /** The provider chosen when `ISSUESMITH_SANDBOX` is unset: the first whose selecting variable is set. */
  selectedBy(env: Readonly<Record<string, string | undefined>>): string | undefined {
    return this.entries.find((e) => e.selectedBy !== undefined && (env[e.selectedBy] ?? '') !== '')?.name;
  }

  /** Makes the named provider; with no name, says so in the log and makes none (jobs are refused with `missingMessage`). */
  create(name: string | undefined, ctx: SandboxProviderContext): SandboxProvider | undefined {
    if (name === undefined) {
      ctx.warn(`No sandbox is configured (set ${this.#choices().main.join(' or ')}): jobs will be refused with a message until one is.`);
      return undefined;
    }
    const entry = this.get(name);
    if (entry === undefined) throw new Error(`no sandbox provider called ${name} (there are ${this.names().join(', ')})`);
    return entry.create(ctx);
  }

  /** What a job is told when the app has no sandbox. */
  missingMessage(): string {
    const { main, development } = this.#choices();
    const quoted = (vars: string[]): string => vars.map((v) => `\`${v}\``).join(' or ');
    const dev = development.length > 0 ? ` (or ${quoted(development)} for development)` : '';
    return `The app has no sandbox to run agents in. Its operator needs to set ${quoted(main)}${dev}.`;
  }

  /** The app's own secrets that the providers read. */
  secretNames(): string[] {
    return this.entries.flatMap((e) => e.secrets ?? []);
  }

  /** Prefixes of the providers' own variables. */
  envPrefixes(): string[] {
    return this.entries.flatMap((e) => e.envPrefixes ?? []);
  }

  /** Variables a repository may not set, whichever provider runs: the check of a settings file does not depend on it. */
  protectedEnv(): string[] {
    return [...new Set(this.entries.flatMap((e) => e.protectedEnv ?? []))];
  }

  /** What an operator sets to choose each provider: its selecting variable, or `ISSUESMITH_SANDBOX=<name>`. */
  #choices(): { main: string[]; development: string[] } {
    const choice = (e: SandboxProviderEntry): string => e.selectedBy ?? `ISSUESMITH_SANDBOX=${e.name}`;
    return { main: this.entries.filter((e) => e.developmentOnly !== true).map(choice), development: this.entries.filter((e) => e.developmentOnly === true).map(choice) };
  }
}

export const sandboxProviders = new SandboxRegistry();
