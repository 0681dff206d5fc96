import type { ProfileRegistry } from '../agents/registry.js';
import { APP_SECRET_NAMES, type Settings } from '../config/settings.js';
import { UserError } from '../errors.js';
import type { BotIdentityCache } from '../github/bot-identity.js';
import { JobGitHub } from '../github/job-github.js';
import type { Octokit } from '../github/octokit.js';
import type { PermissionCache } from '../github/permission.js';
import * as messages from '../report/messages.js';
import { Redactor } from '../security/redact.js';
import { SandboxError, type SandboxProvider } from '../sandbox/provider.js';
import type { Job } from './job.js';
import { runPipeline, type Outcome, type PipelineLogger } from './pipeline.js';
import type { JobContext, JobProcessor } from './queue.js';

export interface WorkerDeps {
  /** Probot's `app.auth`: the app's JWT client without an id, an installation's client with one. */
  auth: (installationId?: number) => Promise<Octokit>;
  settings: Settings;
  profiles: ProfileRegistry;
  sandboxes: SandboxProvider | undefined;
  permissions: PermissionCache;
  identity: BotIdentityCache;
  log: PipelineLogger;
  onOutcome?: (job: Job, outcome: Outcome | { kind: 'user-error' | 'error' }) => void;
}

/** Runs one job through the pipeline and turns whatever it throws into a message on the issue. */
export function createWorker(deps: WorkerDeps): JobProcessor {
  return async (job: Job, context: JobContext) => {
    const redactor = jobRedactor(deps);
    const log = redactingLogger(deps.log, redactor, { delivery: job.deliveryId, repo: `${job.owner}/${job.repo}`, number: job.number });
    // The webhook's own client throttles all installations as one; the worker gets its own.
    let installation: Octokit;
    let app: Octokit;
    try {
      [installation, app] = await Promise.all([deps.auth(job.installationId), deps.auth()]);
    } catch (err) {
      // Without a client nothing can be posted; the log line passes through the same redactor.
      log.error({ err: redactor.redact(String((err as Error)?.stack ?? err)) }, 'could not authenticate as the installation');
      deps.onOutcome?.(job, { kind: 'error' });
      return;
    }
    const github = new JobGitHub(job, installation, app, redactor, deps.permissions, deps.identity);
    try {
      const outcome = await runPipeline(job, { github, sandboxes: deps.sandboxes, profiles: deps.profiles, settings: deps.settings, redactor, log, signal: context.signal });
      log.info({ outcome: outcome.kind }, 'job finished');
      deps.onOutcome?.(job, outcome);
    } catch (err) {
      const userError = err instanceof UserError;
      if (userError) log.info({ reason: err.message }, 'job refused with a message for the user');
      else log.error({ err: redactor.redact(String((err as Error)?.stack ?? err)) }, 'job failed');
      // Sandbox failures are worded by us (never the SDK's raw text) and help the maintainer decide to retry.
      const body = userError
        ? messages.userErrorComment(err.message)
        : err instanceof SandboxError
          ? messages.sandboxErrorComment(err.message, job.deliveryId)
          : messages.internalErrorComment(job.deliveryId);
      await github.comment(body).catch((e: unknown) => log.error({ err: redactor.redact(String(e)) }, 'could not report the failure'));
      await github.react('confused').catch(() => undefined);
      deps.onOutcome?.(job, { kind: userError ? 'user-error' : 'error' });
    }
  };
}

/** A redactor that knows every secret of the app's environment; the job adds its tokens as it mints them. */
function jobRedactor(deps: WorkerDeps): Redactor {
  const names = new Set([...APP_SECRET_NAMES, ...deps.profiles.all().flatMap((p) => [...p.secrets.required])]);
  return new Redactor([...names].map((n) => deps.settings.env[n]));
}

function redactingLogger(log: PipelineLogger, redactor: Redactor, context: object): PipelineLogger {
  const clean = (obj: object): object => JSON.parse(redactor.redact(JSON.stringify({ ...context, ...obj }, errorReplacer))) as object;
  return {
    info: (obj, msg) => log.info(clean(obj), msg),
    warn: (obj, msg) => log.warn(clean(obj), msg),
    error: (obj, msg) => log.error(clean(obj), msg),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}
