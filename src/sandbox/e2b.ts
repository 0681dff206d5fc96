import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AuthenticationError,
  CommandExitError,
  E2B,
  RateLimitError,
  SandboxError as SdkSandboxError,
  SandboxNotFoundError,
  ServiceBusyError,
  type CommandHandle,
  type E2BClientOpts,
  type Sandbox as SdkSandbox,
} from 'e2b';
import { UserError } from '../errors.js';
import { KEYLESS_KEYS, planKeyless } from './e2b-keyless.js';
import { CommandTimeoutError, FileTooLargeError, ownedBy, SandboxError, type CreateOptions, type RunOptions, type RunResult, type Sandbox, type SandboxOwner, type SandboxProvider } from './provider.js';

/** Every sandbox the app makes carries this metadata; the orphan reaper finds them by it. */
export const E2B_APP_METADATA = { app: 'issuesmith' } as const;

const HOME = '/home/user';
const DEFAULT_RESUME_TIMEOUT_MS = 60 * 60_000;
// Our own timer kills a command at its limit; the SDK's deadline, a little later, only covers a kill that never arrives.
const SDK_DEADLINE_MARGIN_MS = 30_000;
const MIN_COMMAND_TIMEOUT_MS = 1_000;

export interface E2BLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Where and how to reach E2B. Anything left out falls back to the SDK's own environment variables:
 * `E2B_API_KEY`, `E2B_DOMAIN`, `E2B_API_URL`, `E2B_SANDBOX_URL`.
 */
export interface E2BConnectionOptions {
  apiKey?: string;
  domain?: string;
  /** Self-hosted E2B or tests; the SDK marks it internal. */
  apiUrl?: string;
  /** Self-hosted E2B or tests; the SDK marks it internal. */
  sandboxUrl?: string;
  /** Per request to E2B's API, in ms (the SDK's default is 60 s). */
  requestTimeoutMs?: number;
}

export interface E2BRetryOptions {
  /** Tries in all, the first included, when E2B answers "rate limited" (429) or "busy" (503). Default 4. */
  attempts?: number;
  /** Wait before the second try; it doubles each time. Default 1 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface E2BProviderOptions extends E2BConnectionOptions {
  logger?: E2BLogger;
  /**
   * Keyless sandboxes (`ISSUESMITH_E2B_KEYLESS=true`): agents' API keys go to E2B's egress proxy as
   * `network.rules` headers for their API hosts, and the sandbox only sees placeholders.
   */
  keyless?: boolean;
  retry?: E2BRetryOptions;
  /** How long a sandbox resumed by `connect` may live: set it to the longest job's budget. Default 1 h. */
  resumeTimeoutMs?: number;
  /** What E2B does with a sandbox that outlives its timeout. Default `kill`. */
  onTimeout?: 'kill' | 'pause';
}

/** The provider's options from the app's environment, beyond what the SDK reads itself. */
export function e2bProviderOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): Pick<E2BProviderOptions, 'keyless'> {
  return { keyless: /^(?:true|1|yes)$/i.test(env.ISSUESMITH_E2B_KEYLESS ?? '') };
}

/** The SDK client options for a connection, leaving out what is unset so the environment fills it in. */
export function e2bClientOptions(o: E2BConnectionOptions = {}): E2BClientOpts {
  const out: E2BClientOpts = {};
  if (o.apiKey !== undefined) out.apiKey = o.apiKey;
  if (o.domain !== undefined) out.domain = o.domain;
  if (o.apiUrl !== undefined) out.apiUrl = o.apiUrl;
  if (o.sandboxUrl !== undefined) out.sandboxUrl = o.sandboxUrl;
  if (o.requestTimeoutMs !== undefined) out.requestTimeoutMs = o.requestTimeoutMs;
  return out;
}

const silent: E2BLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Runs agents in E2B sandboxes through the `e2b` SDK: the provider a deployed app uses. */
export class E2BSandboxProvider implements SandboxProvider {
  readonly name = 'e2b';
  readonly #client: E2B;
  readonly #log: E2BLogger;
  readonly #keyless: boolean;
  readonly #attempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #resumeTimeoutMs: number;
  readonly #onTimeout: 'kill' | 'pause';
  readonly #live = new Set<string>();
  readonly #host: SandboxHost;

  constructor(options: E2BProviderOptions = {}) {
    this.#client = new E2B(e2bClientOptions(options));
    this.#log = options.logger ?? silent;
    this.#keyless = options.keyless ?? false;
    this.#attempts = Math.max(1, options.retry?.attempts ?? 4);
    this.#baseDelayMs = options.retry?.baseDelayMs ?? 1_000;
    this.#maxDelayMs = options.retry?.maxDelayMs ?? 15_000;
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

  async create(o: CreateOptions): Promise<Sandbox> {
    const plan = this.#keyless ? planKeyless(o.envs) : undefined;
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

  async #retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const later = err instanceof RateLimitError || err instanceof ServiceBusyError;
        if (!later || attempt >= this.#attempts) throw err;
        const delayMs = Math.round(Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
        this.#log.warn({ attempt, delayMs, reason: err.message }, 'E2B asked us to wait; trying again');
        await sleep(delayMs);
      }
    }
  }

  #explain(err: unknown, action: string, template?: string): Error {
    if (err instanceof UserError || err instanceof SandboxError || err instanceof CommandTimeoutError) return err;
    if (err instanceof AuthenticationError) {
      return new UserError(
        'E2B refused the app\'s API key. The app\'s operator needs to check `E2B_API_KEY`: it must be a current key of the E2B team (https://e2b.dev/dashboard?tab=keys).',
      );
    }
    if (err instanceof RateLimitError) {
      return new UserError(
        `E2B is rate limiting this app: it would not ${action} after ${this.#attempts} tries. Try again in a few minutes; if it keeps happening, the app's operator can run fewer jobs at once or raise the E2B team's limits.`,
      );
    }
    if (err instanceof ServiceBusyError) {
      return new UserError(`E2B has no capacity to ${action} right now (${this.#attempts} tries). Try again in a few minutes.`);
    }
    if (template !== undefined && isTemplateMissing(err)) {
      return new UserError(
        `E2B has no template called \`${template}\` that this app's E2B team can use. The app's operator can build one under that name (\`e2b template build --name ${template}\`, see the README's E2B section), or the repository's settings can name a template the team has.`,
      );
    }
    return new SandboxError(`could not ${action}: ${messageOf(err)}`, { cause: err });
  }
}

/** What a sandbox needs of the provider that made it. */
interface SandboxHost {
  readonly log: E2BLogger;
  readonly keyless: boolean;
  /** One API call, retried while E2B says "later", its failure explained. */
  call<T>(action: string, fn: () => Promise<T>): Promise<T>;
  /** The sandbox is paused or killed: no live job owns it any more. */
  forget(id: string): void;
}

class E2BSandbox implements Sandbox {
  readonly id: string;
  readonly homeDir = HOME;
  #state: 'running' | 'paused' | 'killed' = 'running';

  constructor(
    private readonly sdk: SdkSandbox,
    private readonly host: SandboxHost,
    private readonly deadline: number,
    private readonly lifetimeMs: number,
    private readonly placeholders: Readonly<Record<string, string>>,
  ) {
    this.id = sdk.sandboxId;
  }

  async run(cmd: string, o: RunOptions = {}): Promise<RunResult> {
    this.#assertRunning();
    const timeoutMs = o.timeoutMs ?? Math.max(this.deadline - Date.now(), MIN_COMMAND_TIMEOUT_MS);
    const envs = this.#commandEnv(o.env);
    let handle: CommandHandle;
    try {
      handle = await this.sdk.commands.run(cmd, {
        background: true,
        ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
        ...(envs !== undefined ? { envs } : {}),
        ...(o.onStdout !== undefined ? { onStdout: o.onStdout } : {}),
        ...(o.onStderr !== undefined ? { onStderr: o.onStderr } : {}),
        // Left out, the SDK's limit is 60 s: far too short for an agent.
        timeoutMs: timeoutMs + SDK_DEADLINE_MARGIN_MS,
      });
    } catch (err) {
      throw this.#lost(err, `could not start a command in the E2B sandbox ${this.id}`);
    }
    let timedOut = false;
    let aborted = false;
    const killCommand = (): void => {
      handle.kill().catch((err: unknown) => this.host.log.warn({ sandbox: this.id, reason: messageOf(err) }, 'could not kill a command'));
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killCommand();
    }, timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      killCommand();
    };
    if (o.signal?.aborted === true) onAbort();
    else o.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const r = await handle.wait();
      return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      if (timedOut) throw new CommandTimeoutError(timeoutMs, handle.stdout, handle.stderr);
      if (err instanceof CommandExitError) return { exitCode: exitCodeOf(err.exitCode), stdout: err.stdout, stderr: err.stderr };
      if (aborted) return { exitCode: exitCodeOf(-1), stdout: handle.stdout, stderr: handle.stderr };
      throw this.#lost(err, `the E2B sandbox ${this.id} stopped while a command was running`);
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
    }
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    this.#assertRunning();
    const body = typeof data === 'string' ? data : new Uint8Array(data).buffer;
    try {
      await this.sdk.files.write(this.#path(path), body);
    } catch (err) {
      throw this.#lost(err, `could not write ${path} in the E2B sandbox ${this.id}`);
    }
  }

  async readFile(path: string, o: { maxBytes?: number } = {}): Promise<Uint8Array> {
    this.#assertRunning();
    try {
      if (o.maxBytes === undefined) return await this.sdk.files.read(this.#path(path), { format: 'bytes' });
      return await readCapped(await this.sdk.files.read(this.#path(path), { format: 'stream' }), path, o.maxBytes);
    } catch (err) {
      if (err instanceof FileTooLargeError) throw err;
      throw this.#lost(err, `could not read ${path} from the E2B sandbox ${this.id}`);
    }
  }

  async pause(): Promise<void> {
    this.#assertRunning();
    await this.host.call(`keep the E2B sandbox ${this.id} for a follow-up`, () => this.sdk.pause());
    this.#state = 'paused';
    this.host.forget(this.id);
  }

  async kill(): Promise<void> {
    if (this.#state === 'killed') return;
    try {
      // False when E2B no longer has it: gone is what we wanted.
      await this.host.call(`stop the E2B sandbox ${this.id}`, () => this.sdk.kill());
    } catch (err) {
      if (!(err instanceof SandboxError && err.cause instanceof SandboxNotFoundError)) throw err;
    }
    this.#state = 'killed';
    this.host.forget(this.id);
  }

  #assertRunning(): void {
    if (this.#state !== 'running') throw new SandboxError(`the E2B sandbox ${this.id} is ${this.#state === 'paused' ? 'paused' : 'stopped'}`);
  }

  #path(path: string): string {
    return posix.isAbsolute(path) ? path : posix.join(HOME, path);
  }

  /** In a keyless sandbox a command gets the placeholder too, never the key it stands for. */
  #commandEnv(env: Record<string, string> | undefined): Record<string, string> | undefined {
    if (env === undefined || !this.host.keyless) return env;
    const out: Record<string, string> = { ...env };
    for (const name of Object.keys(out)) {
      const spec = KEYLESS_KEYS[name];
      if (spec !== undefined) out[name] = this.placeholders[name] ?? spec.placeholder();
    }
    return out;
  }

  /** The sandbox failed under us: it died, was killed, or ran out of its own time. */
  #lost(err: unknown, what: string): SandboxError {
    const why =
      Date.now() >= this.deadline
        ? `it reached its time limit of ${duration(this.lifetimeMs)}`
        : isGone(err)
          ? 'it is gone (killed, crashed or out of memory)'
          : messageOf(err);
    return new SandboxError(`${what}: ${why}`, { cause: err });
  }
}

/** The SDK's ways of saying the sandbox is no longer there. */
function isGone(err: unknown): boolean {
  if (err instanceof SandboxNotFoundError) return true;
  return err instanceof Error && /end of life|sandbox timeout|not running|terminated|socket/i.test(err.message);
}

function duration(ms: number): string {
  const [n, unit] = ms >= 120_000 ? [Math.round(ms / 60_000), 'minute'] : [Math.round(ms / 1000), 'second'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** A 404 or 403 from E2B on create names a template the team does not have. */
function isTemplateMissing(err: unknown): boolean {
  if (!(err instanceof SdkSandboxError)) return false;
  const status = err.statusCode;
  return status === 404 || status === 403 || (status === 400 && /template/i.test(err.message));
}

/** envd reports a process killed by a signal with exit code -1; the shell convention is 128 + SIGKILL. */
function exitCodeOf(code: number): number {
  return code < 0 ? 137 : code;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Reads a stream to its end, giving up (and cancelling it) once it passes `maxBytes`. */
async function readCapped(stream: ReadableStream<Uint8Array>, path: string, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new FileTooLargeError(path, maxBytes);
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
