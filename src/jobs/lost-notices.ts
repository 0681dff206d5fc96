import type { Job } from '../job.js';
import { jobKey } from '../keys.js';
import type { Logger } from '../logger.js';
import { lostOnRestartComment } from '../report/queue-messages.js';

/**
 * Tells the issues of jobs lost at a shutdown without a shared queue: one comment per issue, naming
 * each of its requests, however many waited there (a flood of commands on one issue is one write, not
 * hundreds). The issues are told at once, each paced by its installation's write limits; when the
 * queue stops waiting (`signal`), the issues not told yet are logged with their deliveries, for the
 * operator to answer by hand.
 */
export async function tellLostJobs(jobs: readonly Job[], signal: AbortSignal, o: { notice: (job: Job, body: string) => Promise<void>; log: Logger }): Promise<void> {
  const byIssue = new Map<string, Job[]>();
  for (const job of jobs) {
    const key = `${job.installationId}\0${jobKey(job)}`;
    const group = byIssue.get(key);
    if (group === undefined) byIssue.set(key, [job]);
    else group.push(job);
  }
  const untold = new Map(byIssue);
  const onAbort = (): void => {
    for (const group of untold.values()) {
      o.log.warn({ issue: issueOf(group), deliveries: group.map((j) => j.deliveryId) }, 'stopped before this issue was told that its waiting requests were lost');
    }
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(
      [...byIssue].map(async ([key, group]) => {
        o.log.warn(
          { issue: issueOf(group), deliveries: group.map((j) => j.deliveryId) },
          'shutting down without a shared queue (REDIS_URL): the jobs waiting on this issue are lost, and the issue is told',
        );
        await o.notice(group[0] as Job, lostOnRestartComment({ refs: group.map((j) => j.deliveryId) }));
        untold.delete(key);
      }),
    );
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function issueOf(group: readonly Job[]): string {
  const job = group[0] as Job;
  return `${job.owner}/${job.repo}#${job.number}`;
}
