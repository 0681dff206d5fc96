/**
 * A job stopped by its worker shutting down (SIGTERM), not by a person and not by a failure: the
 * pipeline throws it, the worker passes it up without commenting, and the queue puts the job back.
 */
export class JobInterrupted extends Error {
  constructor(message = 'the worker running this job is shutting down') {
    super(message);
    this.name = 'JobInterrupted';
  }
}

/** The reason a queue aborts a job's signal with when its worker shuts down. */
export function shutdownReason(): JobInterrupted {
  return new JobInterrupted();
}

/** Whether `signal` was aborted by a shutdown (rather than by someone stopping the job). */
export function isInterrupted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && signal.reason instanceof JobInterrupted;
}

/** Throws `JobInterrupted` when the job's worker is shutting down. */
export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (isInterrupted(signal)) throw signal?.reason as JobInterrupted;
}
