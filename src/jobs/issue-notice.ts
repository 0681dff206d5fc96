import type { ProfileRegistry } from '../agents/registry.js';
import { appRedactor } from '../config/app-redactor.js';
import type { Settings } from '../config/settings.js';
import { IssueGitHub } from '../github/issue-github.js';
import type { Octokit } from '../github/octokit.js';
import type { Job } from '../job.js';
import type { Logger } from '../logger.js';

export interface IssueNoticeDeps {
  auth: (installationId?: number) => Promise<Octokit>;
  settings: Settings;
  profiles: ProfileRegistry;
  log: Logger;
}

/**
 * Posts a comment on a job's issue from outside its pipeline: when the queue drops or gives up on a
 * job. Failures are logged, never thrown: there is nobody else to tell.
 */
export function issueNotice(deps: IssueNoticeDeps): (job: Job, body: string) => Promise<void> {
  const redactor = appRedactor(deps.settings, deps.profiles);
  return async (job, body) => {
    try {
      await new IssueGitHub(await deps.auth(job.installationId), job, redactor).comment(body);
    } catch (err) {
      deps.log.error({ delivery: job.deliveryId, err: redactor.redact(String((err as Error)?.message ?? err)) }, 'could not comment on the issue');
    }
  };
}
