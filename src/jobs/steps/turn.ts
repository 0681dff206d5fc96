import type { AgentProfile } from '../../agents/profile.js';
import { repoSettings, type RepoSettings } from '../../config/repo-settings.js';
import type { JobStats } from '../../report/job-stats.js';
import type { Sandbox } from '../../sandbox/provider.js';
import { isInterrupted } from '../../queue/interrupted.js';
import type { Job } from '../../job.js';
import type { JobDeps } from '../job-deps.js';
import { silentProgress, type Progress } from '../progress.js';
import { throwIfStopped } from '../stopped.js';
import { keepForFollowUp } from './keep-sandbox.js';
import type { AgentRun } from './run-agent.js';

/**
 * What the steps of one job share: its clock, its status, the stop check, the repository's settings,
 * and what must be ended on every path (the sandbox, kept paused for a follow-up or killed; the tokens).
 */
export class Turn {
  readonly started: number;
  readonly progress: Progress;
  readonly repo: RepoSettings;
  #sandbox: Sandbox | undefined;
  #keep: { pull: number; profile: AgentProfile } | undefined;

  constructor(
    readonly job: Job,
    readonly deps: JobDeps,
  ) {
    this.started = this.now();
    this.progress = deps.progress ?? silentProgress;
    this.repo = deps.repo ?? repoSettings({}, deps.settings);
  }

  now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Throws JobStopped (or JobInterrupted) once the job was stopped: called before every step that cannot be undone. */
  stopped(): void {
    throwIfStopped(this.deps.signal, this.deps.stoppedBy);
  }

  stats(run: AgentRun): JobStats {
    const s: JobStats = { durationMs: this.now() - this.started, inputTokens: run.inputTokens, outputTokens: run.outputTokens };
    if (run.costUsd !== undefined) s.costUsd = run.costUsd;
    return s;
  }

  /** The sandbox this turn works in, ended with the turn. */
  own(sandbox: Sandbox): Sandbox {
    this.#sandbox = sandbox;
    this.progress.sandbox(sandbox.id);
    return sandbox;
  }

  /** The turn finished well on a pull request of the app's: its sandbox and session are kept for the next. */
  keepFor(pull: number, profile: AgentProfile): void {
    this.#keep = { pull, profile };
  }

  /** Keeps or ends the sandbox and revokes every token the job minted; never throws. */
  async end(): Promise<void> {
    const { deps } = this;
    let sandbox = this.#sandbox;
    if (sandbox !== undefined && this.#keep !== undefined) sandbox = await keepForFollowUp(sandbox, this.#keep.profile, { job: this.job, pull: this.#keep.pull }, deps);
    // A worker shutting down with a shared queue keeps the sandbox paused: the job goes back to the queue.
    if (sandbox !== undefined && isInterrupted(deps.signal))
      await sandbox.pause().catch((err: unknown) => deps.log.error({ err, sandbox: sandbox.id }, 'could not pause the sandbox'));
    else if (sandbox !== undefined) await sandbox.kill().catch((err: unknown) => deps.log.error({ err, sandbox: sandbox.id }, 'could not kill the sandbox'));
    for (const err of await deps.github.revokeTokens()) deps.log.warn({ err }, 'could not revoke a token');
  }
}
