import { posix } from 'node:path';
import { CommandExitError, SandboxNotFoundError, type CommandHandle, type Sandbox as SdkSandbox } from 'e2b';
import type { Logger } from '../logger.js';
import { KEYLESS_KEYS } from './e2b-keyless.js';
import { messageOf } from './e2b-client.js';
import { CommandTimeoutError, FileTooLargeError, SandboxError, type RunOptions, type RunResult, type Sandbox } from './provider.js';

const HOME = '/home/user';
// Our own timer kills a command at its limit; the SDK's deadline, a little later, only covers a kill that never arrives.
const SDK_DEADLINE_MARGIN_MS = 30_000;
const MIN_COMMAND_TIMEOUT_MS = 1_000;

/** What a sandbox needs of the provider that made it. */
export interface SandboxHost {
  readonly log: Logger;
  readonly keyless: boolean;
  /** One API call, retried while E2B says "later", its failure explained. */
  call<T>(action: string, fn: () => Promise<T>): Promise<T>;
  /** The sandbox is paused or killed: no live job owns it any more. */
  forget(id: string): void;
}

/** One E2B sandbox, running or paused, through the SDK. */
export class E2BSandbox implements Sandbox {
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
      Date.now() >= this.deadline ? `it reached its time limit of ${duration(this.lifetimeMs)}` : isGone(err) ? 'it is gone (killed, crashed or out of memory)' : messageOf(err);
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

/** envd reports a process killed by a signal with exit code -1; the shell convention is 128 + SIGKILL. */
function exitCodeOf(code: number): number {
  return code < 0 ? 137 : code;
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
