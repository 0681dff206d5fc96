import type { Logger } from '../logger.js';
import type { ExpectedTemplate, TemplateStatus } from './template-check.js';

/** The tag every sandbox of the app carries in its metadata, so the app finds (and only ever acts on) its own. */
export const APP_SANDBOX_TAG = { app: 'issuesmith' } as const;

export interface CreateOptions {
  /** Template the sandbox is made from (the provider's own; the local provider ignores it). */
  template: string;
  /** Variables set for every command in the sandbox. */
  envs: Record<string, string>;
  /** How long the sandbox may live, in milliseconds. */
  timeoutMs: number;
  /** Labels for finding the sandbox again (the provider's metadata). */
  metadata: Record<string, string>;
  /** The agent's name: a provider may treat agents apart (E2B keeps keys out of the sandbox except for some). */
  agent?: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  onStdout?: (s: string) => void;
  onStderr?: (s: string) => void;
  signal?: AbortSignal;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface Sandbox {
  id: string;
  /** The sandbox user's home directory; the pipeline works under it. */
  homeDir: string;
  /** Runs `cmd` with `bash -lc`. Resolves with the exit code; rejects only when it could not run or ran out of time. */
  run(cmd: string, o?: RunOptions): Promise<RunResult>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  /** Reads a file; with `maxBytes`, rejects with FileTooLargeError as soon as more than that arrives (the host never holds more). */
  readFile(path: string, o?: { maxBytes?: number }): Promise<Uint8Array>;
  /** Keeps the sandbox for a follow-up. */
  pause(): Promise<void>;
  kill(): Promise<void>;
}

/**
 * Whose a sandbox is: the installation and repository its own metadata names (`installation`, `repo`,
 * set when it is made). A sandbox id comes from a pull request body; the sandbox's own record decides.
 */
export interface SandboxOwner {
  installation: string;
  /** `owner/repo`, compared lower-cased. */
  repo: string;
}

export function sandboxOwner(job: { installationId: number; owner: string; repo: string }): SandboxOwner {
  return { installation: String(job.installationId), repo: `${job.owner}/${job.repo}` };
}

/** Whether a sandbox's metadata names this installation and repository; a sandbox without them names none. */
export function ownedBy(metadata: Readonly<Record<string, string>> | undefined, owner: SandboxOwner): boolean {
  return metadata?.installation === owner.installation && metadata.repo !== undefined && metadata.repo.toLowerCase() === owner.repo.toLowerCase();
}

export interface SandboxProvider {
  readonly name: string;
  create(o: CreateOptions): Promise<Sandbox>;
  /**
   * Resumes a paused sandbox (or joins a running one); undefined when it is gone, or when its own
   * metadata does not name `owner` (another installation's or repository's: refused, with a log line).
   */
  connect(id: string, owner: SandboxOwner): Promise<Sandbox | undefined>;
  /**
   * Kills a sandbox by id, paused or not, without resuming it first; a sandbox already gone is no
   * error. One whose metadata does not name `owner` is left alone (with a log line).
   */
  kill(id: string, owner: SandboxOwner): Promise<void>;
  /**
   * Kills every sandbox of the app, in any process, whose metadata includes `metadata` (running or
   * paused), e.g. `{ job: <deliveryId> }` for the sandboxes a dead worker left behind. Returns their ids.
   */
  killTagged(metadata: Readonly<Record<string, string>>): Promise<string[]>;
  /**
   * Starts the provider's own upkeep for as long as the app runs (E2B: killing the sandboxes that
   * crashed processes left behind). Providers that need none leave it out.
   */
  startBackgroundTasks?(o: BackgroundOptions): BackgroundTasks;
  /**
   * Asks once, in the background, whether the templates the enabled agents expect exist, and logs
   * what is missing. Providers without templates (local) leave these three out.
   */
  checkTemplates?(expected: readonly ExpectedTemplate[]): void;
  /** What that check found (for /healthz). */
  templateStatus?(): TemplateStatus;
  /** The message for a job whose template was found missing (asked again first), or undefined. */
  templateProblem?(template: string): Promise<string | undefined>;
}

export interface BackgroundOptions {
  /** A sandbox older than this is an orphan unless a live job owns it: the longest job's budget. */
  maxAgeMs: number;
  /** A paused sandbox older than this is killed; a later turn restores the saved session instead. */
  pausedMaxAgeMs: number;
  logger: Logger;
}

export interface BackgroundTasks {
  stop(): void;
}

/** What the app hands a provider's factory. */
export interface SandboxProviderContext {
  /** The app's environment: each provider reads its own settings from it. */
  env: Readonly<Record<string, string | undefined>>;
  /** The app's work directory (ISSUESMITH_WORK_DIR). */
  workDir: string;
  /** The longest a job's sandbox lives; a resumed sandbox gets as long. */
  sandboxBudgetMs: number;
  /** A line in the app's own log, for the operator. */
  warn(message: string): void;
  /** The app's logger, named. */
  logger(name: string): Logger;
}

/** One sandbox provider as the registry (registry.ts) knows it: its name, its variables, its factory. */
export interface SandboxProviderEntry {
  /** What `ISSUESMITH_SANDBOX` says to choose it. */
  name: string;
  /** A variable that, when set, chooses this provider if `ISSUESMITH_SANDBOX` is not set. */
  selectedBy?: string;
  /** For development only: named apart in the message for an app without a sandbox. */
  developmentOnly?: boolean;
  /** The app's own secrets this provider reads: never given to an agent, redacted from every text. */
  secrets?: readonly string[];
  /** Prefixes of this provider's own variables, which a repository's agents may never ask for. */
  envPrefixes?: readonly string[];
  /** Variables a repository's `env` may not set, since they would send an agent's key elsewhere. */
  protectedEnv?: readonly string[];
  create(ctx: SandboxProviderContext): SandboxProvider;
}

/** A command ran past its time limit and was killed; what it printed until then is kept. */
export class CommandTimeoutError extends Error {
  constructor(
    readonly timeoutMs: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`command timed out after ${Math.round(timeoutMs / 1000)}s`);
    this.name = 'CommandTimeoutError';
  }
}

/** The sandbox itself failed (could not be created, died, refused a request). */
export class SandboxError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SandboxError';
  }
}

/** A file read out of a sandbox was larger than the reader's cap. */
export class FileTooLargeError extends Error {
  constructor(
    readonly path: string,
    readonly maxBytes: number,
  ) {
    super(`${path} is larger than ${maxBytes} bytes`);
    this.name = 'FileTooLargeError';
  }
}
