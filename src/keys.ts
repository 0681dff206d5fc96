/**
 * The keys work is filed under: the queue's one job at a time per issue or pull request, the lock of
 * one turn at a time on a pull request, and a pull request's saved agent session. Lower-cased, as
 * GitHub's owner and repository names are case-insensitive.
 */
function key(owner: string, repo: string, rest: string): string {
  return `${owner}/${repo}#${rest}`.toLowerCase();
}

/** One job at a time per issue or pull request: jobs with the same key wait for each other. */
export function jobKey(job: { owner: string; repo: string; number: number }): string {
  return key(job.owner, job.repo, String(job.number));
}

/** One pull request's saved agent session: `owner/repo#number`. */
export function sessionKey(owner: string, repo: string, pull: number): string {
  return key(owner, repo, String(pull));
}

/** One turn at a time on a pull request, whether asked for on the pull request or on its issue. */
export function pullRequestLockKey(owner: string, repo: string, pull: number): string {
  return key(owner, repo, `pull/${pull}`);
}
