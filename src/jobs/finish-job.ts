import type { JobGitHub } from '../github/job-github.js';
import type { Logger } from '../logger.js';
import type { FinalOutcome } from '../report/status.js';
import type { Redactor } from '../security/redact.js';
import type { Outcome } from './job-deps.js';
import type { AgentRun } from './steps/run-agent.js';
import type { JobReporter } from './reporter.js';

/**
 * Writes the status comment's final state, then reacts to the trigger: a rocket for a pull request,
 * confusion for a failure. The reaction is not awaited (the worker lets it land before taking the next job).
 */
export async function finishJob(final: FinalOutcome, reporter: JobReporter, github: JobGitHub, log: Logger, redactor: Redactor): Promise<void> {
  await reporter.finish(final).catch((e: unknown) => log.error({ err: redactor.redact(String(e)) }, 'could not write the final status'));
  const reaction = final.kind === 'pull-request' ? 'rocket' : final.kind === 'no-changes' || final.kind === 'stopped' || final.kind === 'notice' ? undefined : 'confused';
  if (reaction !== undefined) github.react(reaction, (e: unknown) => log.warn({ err: redactor.redact(String(e)) }, 'could not react'));
}

/** The status comment's last word for a pipeline outcome; none for a refusal or a help answer, which reply on their own. */
export function finalOf(o: Outcome): FinalOutcome | undefined {
  switch (o.kind) {
    case 'refused':
    case 'help':
      return undefined;
    case 'cleaned':
      return undefined;
    case 'answered':
      return o.reply === undefined ? undefined : { kind: 'notice', message: o.reply };
    case 'no-changes':
      return { kind: 'no-changes', ...(o.followUp !== undefined ? { updated: true } : {}), summary: o.run.summary, stats: o.stats, sandboxId: o.sandboxId };
    case 'agent-failed':
      return { kind: 'agent-failed', reason: o.reason, ...budgetOf(o.run), outputTail: o.run.outputTail, stats: o.stats, sandboxId: o.sandboxId };
    case 'pull-request':
      return {
        kind: 'pull-request',
        url: o.url,
        ...(o.followUp !== undefined ? { updated: true } : {}),
        ...(o.partial !== undefined ? { partial: o.partial, ...budgetOf(o.run) } : {}),
        summary: o.run.summary,
        files: o.files,
        ...(o.via !== undefined ? { via: o.via } : {}),
        stats: o.stats,
        sandboxId: o.sandboxId,
      };
  }
}

function budgetOf(run: AgentRun): { budget?: 'turns' | 'cost' } {
  return run.budget !== undefined ? { budget: run.budget.kind } : {};
}
