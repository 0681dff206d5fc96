import { throwIfInterrupted } from '../queue/interrupted.js';

/** The job was stopped on purpose: by a person (`/agent stop`, the check run's Stop button) or by a shutdown. */
export class JobStopped extends Error {
  constructor(readonly by: string | undefined) {
    super(by === undefined ? 'stopped by a shutdown' : `stopped by ${by}`);
    this.name = 'JobStopped';
  }
}

/**
 * Throws JobStopped once the job's signal is aborted: called before every step that cannot be undone.
 * A worker shutting down with a shared queue throws JobInterrupted instead: the job goes back to the queue.
 */
export function throwIfStopped(signal: AbortSignal | undefined, stoppedBy: (() => string | undefined) | undefined): void {
  throwIfInterrupted(signal);
  if (signal?.aborted === true) throw new JobStopped(stoppedBy?.());
}
