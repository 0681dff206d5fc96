/**
 * A job that cannot start yet because its repository already runs `max_concurrent_jobs` jobs. The
 * worker throws it before doing any work, and the queue puts the job back to try again after
 * `retryInMs`, so the worker slot goes to a job of another repository instead of waiting.
 */
export class JobDeferred extends Error {
  constructor(
    readonly retryInMs: number,
    message = "the repository's max_concurrent_jobs are all running",
  ) {
    super(message);
    this.name = 'JobDeferred';
  }
}
