import type { Job } from '../job.js';
import type { Logger } from '../logger.js';
import type { Redactor } from '../security/redact.js';

/** Adds a job to its installation's line; `stop` drops every acknowledgement not made yet (a shutdown). */
export type AcknowledgementLines = ((job: Job, position: number) => void) & { stop(): void };

/**
 * Queued jobs' acknowledgements, started once the webhook is answered: none of their work delays the
 * answer GitHub waits for. An installation's are made one after another: its writes go one a second
 * whatever the order, and a flood of commands then holds one acknowledgement in flight, not thousands
 * of clients and requests. A delivery only adds an entry to its installation's line, which one
 * background task works through: no timer, promise or closure is made per delivery on the webhook's path.
 * A shutdown stops the lines: a job dropped with the in-process queue gets the lost-request comment
 * instead, one kept in Redis its status from the worker that runs it; the acknowledgement in flight ends
 * as it would, and nothing else is written (two thousand waiting commands, a reaction and a comment
 * each, are most of an hour of writes at GitHub's pace).
 */
export function acknowledgementLines(
  ack: (job: Job, position: number) => Promise<void>,
  background: { run(what: string, task: () => Promise<void>): void },
  afterThisTurn: () => Promise<void>,
  log: Logger,
  redactor: Redactor,
): AcknowledgementLines {
  const lines = new Map<number, Array<{ job: Job; position: number } | undefined>>();
  let stopped = false;
  const add = (job: Job, position: number): void => {
    if (stopped) return;
    const line = lines.get(job.installationId);
    if (line !== undefined) {
      line.push({ job, position });
      return;
    }
    const fresh: Array<{ job: Job; position: number } | undefined> = [{ job, position }];
    lines.set(job.installationId, fresh);
    background.run('acknowledge queued jobs', async () => {
      await afterThisTurn();
      try {
        let i = 0;
        while (i < fresh.length && !stopped) {
          const next = fresh[i];
          fresh[i] = undefined;
          i += 1;
          // Done entries are let go as the line moves; a long line drops them in one go now and then.
          if (i >= 1024 && i * 2 >= fresh.length) {
            fresh.splice(0, i);
            i = 0;
          }
          if (next === undefined) continue;
          await ack(next.job, next.position).catch((err: unknown) =>
            log.error({ err: redactor.redact(String((err as Error)?.stack ?? err)), delivery: next.job.deliveryId }, 'could not acknowledge a queued job'),
          );
        }
      } finally {
        lines.delete(job.installationId);
      }
    });
  };
  return Object.assign(add, {
    stop: (): void => {
      stopped = true;
      for (const line of lines.values()) line.length = 0;
    },
  });
}
