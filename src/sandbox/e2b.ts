import { E2B, SandboxNotFoundError, type Sandbox as SdkSandbox } from 'e2b';
import type { Logger } from '../logger.js';
import {
  E2B_APP_METADATA,
  e2bClientOptions,
  e2bRetry,
  explainE2BError,
  messageOf,
  retrying,
  silentLogger,
  type E2BConnectionOptions,
  type E2BRetry,
  type E2BRetryOptions,
} from './e2b-client.js';
import { KEYLESS_KEYS, planKeyless } from './e2b-keyless.js';
import { startReaper } from './e2b-reaper.js';
import { TemplateCheck, type ExpectedTemplate, type TemplateStatus } from './template-check.js';
import { E2BSandbox, type SandboxHost } from './e2b-sandbox.js';
import {
  ownedBy,
  type BackgroundOptions,
  type BackgroundTasks,
  type CreateOptions,
  type Sandbox,
  type SandboxOwner,
  type SandboxProvider,
  type SandboxProviderEntry,
} from './provider.js';

const DEFAULT_RESUME_TIMEOUT_MS = 60 * 60_000;

export interface E2BProviderOptions extends E2BConnectionOptions {
  logger?: Logger;
  /**
   * Keyless sandboxes, the default (`ISSUESMITH_E2B_KEYLESS=false` turns them off): agents' API keys
   * go to E2B's egress proxy as `network.rules` headers for their API hosts, and the sandbox only sees
   * placeholders.
   */
  keyless?: boolean;
  /** Agents whose keys go into the sandbox as they are (`ISSUESMITH_E2B_KEYLESS_EXCEPT`): for a team or plan without egress rules. */
  keyInSandbox?: readonly string[];
  retry?: E2BRetryOptions;
  /** How long a sandbox resumed by `connect` may live: set it to the longest job's budget. Default 1 h. */
  resumeTimeoutMs?: number;
  /** What E2B does with a sandbox that outlives its timeout. Default `kill`. */
  onTimeout?: 'kill' | 'pause';
}

/** The provider's options from the app's environment, beyond what the SDK reads itself. */
export function e2bProviderOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): Pick<E2BProviderOptions, 'keyless' | 'keyInSandbox'> {
  const keyInSandbox = (env.ISSUESMITH_E2B_KEYLESS_EXCEPT ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  return { keyless: !/^(?:false|0|no)$/i.test(env.ISSUESMITH_E2B_KEYLESS ?? ''), keyInSandbox };
}

/** Runs agents in E2B sandboxes through the `e2b` SDK: the provider a deployed app uses. */
export class E2BSandboxProvider implements SandboxProvider {
  readonly name = 'e2b';
  readonly #client: E2B;
  readonly #connection: E2BConnectionOptions;
  readonly #log: Logger;
  readonly #keyless: boolean;
  readonly #keyInSandbox: ReadonlySet<string>;
  readonly #retry: E2BRetry;
  readonly #resumeTimeoutMs: number;
  readonly #onTimeout: 'kill' | 'pause';
  readonly #live = new Set<string>();
  readonly #host: SandboxHost;
  #templates: TemplateCheck | undefined;

  constructor(options: E2BProviderOptions = {}) {
    this.#connection = options;
    this.#client = new E2B(e2bClientOptions(options));
    this.#log = options.logger ?? silentLogger;
    this.#keyless = options.keyless ?? true;
    this.#keyInSandbox = new Set(options.keyInSandbox ?? []);
    this.#retry = e2bRetry(options.retry);
    this.#resumeTimeoutMs = options.resumeTimeoutMs ?? DEFAULT_RESUME_TIMEOUT_MS;
    this.#onTimeout = options.onTimeout ?? 'kill';
    this.#host = {
      log: this.#log,
      keyless: this.#keyless,
      call: async (action, fn) => {
        try {
          return await this.#retrying(fn);
        } catch (err) {
          throw this.#explain(err, action);
        }
      },
      forget: (id) => this.#live.delete(id),
    };
  }

  /** Sandboxes this process created or resumed and has not yet paused or killed. */
  liveSandboxIds(): string[] {
    return [...this.#live];
  }

  /**
   * Sandboxes of jobs that died with a crashed process are found by their metadata and killed.
   * Paused sandboxes wait for follow-ups; past their age the saved session takes over.
   */
  startBackgroundTasks(o: BackgroundOptions): BackgroundTasks {
    return startReaper({ maxAgeMs: o.maxAgeMs, pausedMaxAgeMs: o.pausedMaxAgeMs, liveIds: () => this.liveSandboxIds(), logger: o.logger, connection: this.#connection });
  }

  checkTemplates(expected: readonly ExpectedTemplate[]): void {
    this.#templates = new TemplateCheck((name) => this.#retrying(() => this.#client.Template.exists(name)), expected, this.#log);
  }

  templateStatus(): TemplateStatus {
    return this.#templates?.status() ?? { state: 'pending', missing: [] };
  }

  async templateProblem(template: string): Promise<string | undefined> {
    return this.#templates?.problem(template);
  }

  async create(o: CreateOptions): Promise<Sandbox> {
    const keyless = this.#keyless && !(o.agent !== undefined && this.#keyInSandbox.has(o.agent));
    const plan = keyless ? planKeyless(o.envs) : undefined;
    if (plan !== undefined && plan.unhandled.length > 0) {
      this.#log.warn({ variables: plan.unhandled }, 'keyless sandbox: these variables reach the sandbox as they are, because their API host is unknown');
    }
    if (plan !== undefined && plan.shadowed.length > 0) {
      this.#log.warn({ variables: plan.shadowed }, 'keyless sandbox: another key already authenticates to the same host; these keys are not used');
    }
    const network = plan !== undefined && Object.keys(plan.rules).length > 0 ? { network: { rules: plan.rules } } : {};
    let sdk: SdkSandbox;
    try {
      sdk = await this.#retrying(() =>
        this.#client.Sandbox.create(o.template, {
          envs: plan?.envs ?? o.envs,
          timeoutMs: o.timeoutMs,
          metadata: { ...o.metadata, ...E2B_APP_METADATA },
          lifecycle: { onTimeout: this.#onTimeout },
          ...network,
        }),
      );
    } catch (err) {
      throw this.#explain(err, `start a sandbox from the E2B template \`${o.template}\``, o.template);
    }
    this.#live.add(sdk.sandboxId);
    this.#log.info({ sandbox: sdk.sandboxId, template: o.template, keyless: plan !== undefined }, 'E2B sandbox created');
    return new E2BSandbox(sdk, this.#host, Date.now() + o.timeoutMs, o.timeoutMs, plan?.placeholders ?? {});
  }

  async connect(id: string, owner: SandboxOwner): Promise<Sandbox | undefined> {
    if (!(await this.#owns(id, owner, 'resume'))) return undefined;
    let sdk: SdkSandbox;
    try {
      sdk = await this.#retrying(() => this.#client.Sandbox.connect(id, { timeoutMs: this.#resumeTimeoutMs }));
    } catch (err) {
      if (err instanceof SandboxNotFoundError) return undefined;
      throw this.#explain(err, `resume the E2B sandbox ${id}`);
    }
    this.#live.add(sdk.sandboxId);
    return new E2BSandbox(sdk, this.#host, Date.now() + this.#resumeTimeoutMs, this.#resumeTimeoutMs, {});
  }

  async kill(id: string, owner: SandboxOwner): Promise<void> {
    if (!(await this.#owns(id, owner, 'kill'))) return;
    try {
      // Killed where it is: connecting to a paused sandbox first would resume it for nothing.
      await this.#retrying(() => this.#client.Sandbox.kill(id));
    } catch (err) {
      if (err instanceof SandboxNotFoundError) return;
      throw this.#explain(err, `stop the E2B sandbox ${id}`);
    }
    this.#live.delete(id);
  }

  async killTagged(metadata: Readonly<Record<string, string>>): Promise<string[]> {
    const paginator = this.#client.Sandbox.list({ query: { metadata: { ...metadata, ...E2B_APP_METADATA }, state: ['running', 'paused'] } });
    const ids: string[] = [];
    try {
      // Listed in full before killing, so that the kills cannot shift the pages under us.
      while (paginator.hasNext) ids.push(...(await this.#retrying(() => paginator.nextItems())).map((s) => s.sandboxId));
    } catch (err) {
      throw this.#explain(err, 'list the sandboxes of an earlier run');
    }
    const killed: string[] = [];
    for (const id of ids) {
      try {
        await this.#retrying(() => this.#client.Sandbox.kill(id));
        this.#live.delete(id);
        killed.push(id);
        this.#log.info({ sandbox: id, metadata }, 'killed a sandbox left by an earlier run');
      } catch (err) {
        this.#log.warn({ sandbox: id, reason: messageOf(err) }, 'could not kill a sandbox left by an earlier run');
      }
    }
    return killed;
  }

  /**
   * Whether E2B's own record of the sandbox (its metadata, set when the app made it) names this
   * installation and repository. Every tenant's sandboxes share the app's E2B team, and the id came
   * from a pull request body: false for another's sandbox (logged) or one that is gone.
   */
  async #owns(id: string, owner: SandboxOwner, action: 'resume' | 'kill'): Promise<boolean> {
    let metadata: Record<string, string>;
    try {
      metadata = (await this.#retrying(() => this.#client.Sandbox.getInfo(id))).metadata;
    } catch (err) {
      if (err instanceof SandboxNotFoundError) return false;
      throw this.#explain(err, `look up the E2B sandbox ${id}`);
    }
    if (ownedBy(metadata, owner)) return true;
    this.#log.warn(
      { sandbox: id, installation: owner.installation, repo: owner.repo, names: { installation: metadata.installation ?? null, repo: metadata.repo ?? null } },
      `refused to ${action} a sandbox whose metadata names another installation or repository`,
    );
    return false;
  }

  #retrying<T>(fn: () => Promise<T>): Promise<T> {
    return retrying(fn, this.#retry, this.#log);
  }

  #explain(err: unknown, action: string, template?: string): Error {
    return explainE2BError(err, action, this.#retry.attempts, template);
  }
}

/** The base URL variables that point an agent's key at another host: keyless sandboxes send the key there. */
const KEYLESS_BASE_URLS = [...new Set(Object.values(KEYLESS_KEYS).flatMap((k) => (k.baseUrlVar !== undefined ? [k.baseUrlVar] : [])))];

/** E2B in the sandbox registry: chosen by `E2B_API_KEY`, configured by the SDK's `E2B_*` variables and `ISSUESMITH_E2B_KEYLESS*`. */
export const e2b: SandboxProviderEntry = {
  name: 'e2b',
  selectedBy: 'E2B_API_KEY',
  secrets: ['E2B_API_KEY'],
  envPrefixes: ['E2B_'],
  protectedEnv: KEYLESS_BASE_URLS,
  create: (ctx) =>
    new E2BSandboxProvider({
      logger: ctx.logger('e2b'),
      resumeTimeoutMs: ctx.sandboxBudgetMs,
      ...e2bProviderOptionsFromEnv(ctx.env),
    }),
};
