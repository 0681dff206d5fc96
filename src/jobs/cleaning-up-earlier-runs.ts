import { APP_SANDBOX_TAG, type SandboxProvider } from '../sandbox/provider.js';
import type { Logger } from '../logger.js';
import type { JobProcessor } from '../queue/queue.js';

/**
 * Before a restarted job runs again (its worker died, or shut down, during an earlier run), the
 * sandboxes that run left behind are found by their `job` metadata and killed.
 */
export function cleaningUpEarlierRuns(process: JobProcessor, sandboxes: SandboxProvider | undefined, log: Logger): JobProcessor {
  return async (job, context) => {
    if (context.attempt > 1 && sandboxes !== undefined) {
      const killed = await sandboxes.killTagged({ ...APP_SANDBOX_TAG, job: job.deliveryId }).catch((err: unknown) => {
        log.warn({ delivery: job.deliveryId, reason: err instanceof Error ? err.message : String(err) }, 'could not look for the sandboxes of an earlier run');
        return [];
      });
      log.info({ delivery: job.deliveryId, attempt: context.attempt, killed }, 'job restarted: the sandboxes of its earlier run are gone');
    }
    await process(job, context);
  };
}
