import { APP_SECRET_NAMES, type Settings } from '../config/settings.js';
import type { Octokit } from '../github/octokit.js';
import { Redactor } from '../security/redact.js';
import type { Job } from './job.js';
import type { Logger } from '../logger.js';

export interface IssueNoticeDeps {
  auth: (installationId?: number) => Promise<Octokit>;
  settings: Settings;
  log: Logger;
}

/**
 * Posts a comment on a job's issue from outside its pipeline: when the queue drops or gives up on a
 * job. Failures are logged, never thrown: there is nobody else to tell.
 */
export function issueNotice(deps: IssueNoticeDeps): (job: Job, body: string) => Promise<void> {
  const redactor = new Redactor(APP_SECRET_NAMES.map((n) => deps.settings.env[n]));
  return async (job, body) => {
    try {
      const octokit = await deps.auth(job.installationId);
      await octokit.rest.issues.createComment({ owner: job.owner, repo: job.repo, issue_number: job.number, body: redactor.redact(body) });
    } catch (err) {
      deps.log.error({ delivery: job.deliveryId, err: redactor.redact(String((err as Error)?.message ?? err)) }, 'could not comment on the issue');
    }
  };
}
