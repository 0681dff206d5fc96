import type { Logger } from '../logger.js';

/** A template an enabled agent expects. */
export interface ExpectedTemplate {
  agent: string;
  displayName: string;
  template: string;
  /** The command that builds it: absent for a template the operator named (ISSUESMITH_TEMPLATES), which is theirs to build. */
  build?: string;
}

/** What the start-up check found, for /healthz. */
export interface TemplateStatus {
  /** `pending` until the check has answered; `failed` when the provider could not be asked (the reason is in the log). */
  state: 'pending' | 'checked' | 'failed';
  missing: Array<{ agent: string; template: string; build: string | null }>;
}

/**
 * Asks the provider once, at start, whether each expected template exists, and logs each missing one
 * with the command that builds it. A job for a missing template gets `problem`'s message; the
 * provider is asked again then, so a template built meanwhile needs no restart.
 */
export class TemplateCheck {
  readonly #missing = new Map<string, ExpectedTemplate>();
  #state: TemplateStatus['state'] = 'pending';
  readonly #done: Promise<void>;

  constructor(
    private readonly exists: (template: string) => Promise<boolean>,
    expected: readonly ExpectedTemplate[],
    private readonly log: Logger,
  ) {
    this.#done = this.#check(expected);
  }

  /** Resolves when the start-up check has answered (or failed). */
  settled(): Promise<void> {
    return this.#done;
  }

  status(): TemplateStatus {
    return { state: this.#state, missing: [...this.#missing.values()].map((m) => ({ agent: m.agent, template: m.template, build: m.build ?? null })) };
  }

  /** Why a job cannot run in `template`: it was found missing and still is. Undefined when it exists or nobody knows. */
  async problem(template: string): Promise<string | undefined> {
    await this.#done;
    const missing = this.#missing.get(template);
    if (missing === undefined) return undefined;
    try {
      if (await this.exists(template)) {
        this.#missing.delete(template);
        this.log.info({ agent: missing.agent, template }, 'the missing E2B template exists now');
        return undefined;
      }
    } catch (err) {
      // Asking failed: let the sandbox's own creation say what is wrong.
      this.log.warn({ template, reason: err instanceof Error ? err.message : String(err) }, 'could not ask E2B again whether a template exists');
      return undefined;
    }
    return missingTemplateMessage(missing);
  }

  async #check(expected: readonly ExpectedTemplate[]): Promise<void> {
    try {
      const unique = [...new Map(expected.map((e) => [e.template, e])).values()];
      const found = await Promise.all(unique.map(async (e) => [e, await this.exists(e.template)] as const));
      for (const [e, exists] of found) {
        if (exists) continue;
        this.#missing.set(e.template, e);
        const fix = e.build !== undefined ? `build it with \`${e.build}\`` : 'build it, or take it out of ISSUESMITH_TEMPLATES';
        this.log.warn({ agent: e.agent, template: e.template, build: e.build ?? null }, `the E2B template ${e.template} for ${e.displayName} does not exist: ${fix}`);
      }
      this.#state = 'checked';
      if (this.#missing.size === 0 && unique.length > 0) this.log.info({ templates: unique.map((e) => e.template) }, "the agents' E2B templates exist");
    } catch (err) {
      this.#state = 'failed';
      this.log.warn({ reason: err instanceof Error ? err.message : String(err) }, "could not check that the agents' E2B templates exist");
    }
  }
}

/** The message a job for an agent whose template is missing gets on its issue. */
export function missingTemplateMessage(m: ExpectedTemplate): string {
  const fix =
    m.build !== undefined
      ? `The app's operator can build it with \`${m.build}\` (see the README's *Build the agents' sandbox templates*).`
      : "The app's operator named it in `ISSUESMITH_TEMPLATES`: they need to build it, or take it out of that setting to use the shipped template.";
  return `${m.displayName} runs in the E2B template \`${m.template}\`, which this app's E2B team does not have yet, so nothing was started. ${fix}`;
}
