import { sandboxOwner } from '../sandbox/provider.js';
import { sessionKey } from '../keys.js';
import type { Job } from '../job.js';
import type { JobDeps, Outcome } from './job-deps.js';

/**
 * A closed pull request of the app's: its paused sandbox is killed and its saved session deleted.
 * No authorization (it is the app's own housekeeping) and nothing posted.
 */
export async function cleanUpPullRequest(job: Job, deps: JobDeps): Promise<Outcome> {
  const pull = job.pull?.number ?? job.number;
  const sandboxId = job.pull?.sandbox;
  if (sandboxId !== undefined && deps.sandboxes !== undefined) {
    // The id came from the pull request's signed marker; the provider kills it only if its own metadata names this installation and repository.
    await deps.sandboxes.kill(sandboxId, sandboxOwner(job)).catch((err: unknown) => deps.log.warn({ err, sandbox: sandboxId }, 'could not kill the paused sandbox'));
  }
  await deps.sessions?.delete(sessionKey(job.owner, job.repo, pull));
  deps.log.info({ pull, sandbox: sandboxId ?? null }, 'pull request closed: its sandbox and session are gone');
  return { kind: 'cleaned' };
}
