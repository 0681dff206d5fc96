import type { ProfileRegistry } from '../agents/registry.js';
import type { Settings } from '../config/settings.js';
import { UserError } from '../errors.js';
import type { BotIdentityCache } from '../github/bot-identity.js';
import { JobGitHub } from '../github/job-github.js';
import type { Octokit } from '../github/octokit.js';
import type { RefusalLimiter } from '../access/refusal-limiter.js';
import type { PermissionCache } from '../github/permission.js';
import { RepoConfigLoader } from '../github/repo-config-loader.js';
import { configWarningsNote } from '../report/config-messages.js';
import type { FinalOutcome } from '../report/status.js';
import type { Redactor } from '../security/redact.js';
import { appRedactor } from '../config/app-redactor.js';
import { SandboxError, type SandboxProvider } from '../sandbox/provider.js';
import type { SessionStore } from '../sessions/session-store.js';
import { JobDeferred } from '../queue/deferred.js';
import { JobInterrupted } from '../queue/interrupted.js';
import type { Job } from '../job.js';
import type { Logger } from '../logger.js';
import type { Outcome } from './job-deps.js';
import { runJob } from './run-job.js';
import { prepareJob, type PreparedJob } from './prepare-job.js';
import { MemoryRepoLimiter, type RepoLimiter } from '../queue/repo-limiter.js';
import { JobReporter } from './reporter.js';
import { JobStopped, throwIfStopped } from './stopped.js';
import type { JobContext, JobProcessor } from '../queue/queue.js';

export interface WorkerDeps {
  /** Probot's `app.auth`: the app's JWT client without an id, an installation's client with one. */
  auth: (installationId?: number) => Promise<Octokit>;
  settings: Settings;
  profiles: ProfileRegistry;
  sandboxes: SandboxProvider | undefined;
  sessions?: SessionStore;
  permissions: PermissionCache;
  identity: BotIdentityCache;
  log: Logger;
  onOutcome?: (job: Job, outcome: WorkerOutcome) => void;
  /** Reads and caches each repository's .github/issuesmith.yml. */
  repoConfigs?: RepoConfigLoader;
  /** At most one refusal reply per person and installation in a while. */
  refusals?: RefusalLimiter;
  /** Caps jobs at once per repository (`limits.max_concurrent_jobs`). */
  limiter?: RepoLimiter;
  /** At least this long between two edits of a status comment. */
  statusIntervalMs?: number;
  /** A job whose repository is full goes back to the queue for this long. Default 2 s. */
  deferMs?: number;
}

export type WorkerOutcome = Outcome | { kind: 'user-error' | 'error' | 'stopped' | 'ignored' };

/** Runs one job through the pipeline and turns whatever it throws into a message on the issue. */
export function createWorker(deps: WorkerDeps): JobProcessor {
  const repoConfigs = deps.repoConfigs ?? new RepoConfigLoader();
  const limiter = deps.limiter ?? new MemoryRepoLimiter();
  return async (received: Job, context: JobContext) => {
    let job = received;
    const redactor = appRedactor(deps.settings, deps.profiles);
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
    // The repository's settings, and the request read again in their light (its trigger, its agents).
    // A problem with them is reported like any other failure, below; a request not meant for the app ends here.
    // A closed pull request's cleanup is the app's own housekeeping: no request to read, no settings needed.
    const prepared: PreparedJob | { kind: 'failed'; err: unknown } | { kind: 'housekeeping' } =
      job.kind === 'cleanup'
        ? { kind: 'housekeeping' }
        : await prepareJob(job, { installation, loader: repoConfigs, settings: deps.settings, profiles: deps.profiles }).catch((err: unknown) => ({ kind: 'failed' as const, err }));
    if (prepared.kind === 'ignore') {
      log.info({ reason: prepared.reason }, 'not a request for this repository: ignored');
      // In the app's words, a waiting request got a "Queued" status: it must say it will not run.
      if (prepared.inAppWords === true) {
        const reporter = new JobReporter({ github: new JobGitHub(job, installation, app, redactor, deps.permissions, deps.identity), job, command: deps.settings.command, attempt: context.attempt, agent: job.profile, log, redactor });
        await reporter.dismissQueued("This repository asks for the agent in other words (its `.github/issuesmith.yml`), so this request will not run.");
      }
      deps.onOutcome?.(job, { kind: 'ignored' });
      return;
    }
    const { settings, profiles, repo } = prepared.kind === 'ready' ? prepared : { settings: deps.settings, profiles: deps.profiles, repo: undefined };
    if (prepared.kind === 'ready') job = prepared.job;
    const github = new JobGitHub(job, installation, app, redactor, deps.permissions, deps.identity);
    if (repo !== undefined && repo.warnings.length > 0) {
      log.warn({ warnings: repo.warnings }, 'the repository settings have warnings');
      github.addCommentNote(configWarningsNote(repo.warnings));
    }
    const reporter = new JobReporter({
      github,
      job,
      command: settings.command,
      attempt: context.attempt,
      agent: profiles.get(job.profile)?.displayName ?? job.profile,
      log,
      redactor,
      ...(deps.statusIntervalMs !== undefined ? { minIntervalMs: deps.statusIntervalMs } : {}),
    });
    // A limiter slot of one is a lock shared by every worker on the same store; a stop while waiting is a stop.
    const hold = async (key: string, max: number | undefined): Promise<() => void> =>
      limiter.acquire(key, max, context.signal).catch((err: unknown) => {
        throwIfStopped(context.signal, context.stoppedBy);
        throw err;
      });
    const pipelineDeps = {
      github,
      sandboxes: deps.sandboxes,
      ...(deps.sessions ? { sessions: deps.sessions } : {}),
      profiles,
      settings,
      ...(repo ? { repo } : {}),
      redactor,
      log,
      signal: context.signal,
      stoppedBy: context.stoppedBy,
      progress: reporter,
      lock: (key: string) => hold(key, 1),
      ...(deps.refusals ? { refusals: deps.refusals } : {}),
    };
    // A repository already running its max_concurrent_jobs: the job goes back to the queue before any
    // work, and this worker slot takes a job of another repository meanwhile (waiting here would hold it).
    const repoSlot = async (key: string, max: number | undefined): Promise<() => void> => {
      if (limiter.tryAcquire === undefined) return hold(key, max);
      const release = await limiter.tryAcquire(key, max);
      if (release !== undefined) return release;
      log.info({ max }, "the repository runs its max_concurrent_jobs: the job waits its turn in the queue");
      throw new JobDeferred(deps.deferMs ?? 2_000);
    };
    let outcome: WorkerOutcome;
    let final: FinalOutcome | undefined;
    try {
      if (prepared.kind === 'failed') throw prepared.err;
      const release = await repoSlot(`${job.owner}/${job.repo}`, repo?.limits.maxConcurrentJobs);
      const done = await runJob(job, pipelineDeps).finally(release);
      log.info({ outcome: done.kind }, 'job finished');
      outcome = done;
      final = finalOf(done);
      // The queue acknowledged a waiting job by the app's rules; the repository's may be stricter
      // (`permission`, `allowed_users`). Its "Queued" status must not stay behind: it says it will not run.
      // So may a refusal because GitHub could not say what role the requester has.
      if (done.kind === 'refused' && ((repo !== undefined && (repo.allowedUsers !== undefined || settings.permission !== deps.settings.permission)) || done.reason === 'permission-lookup-failed')) {
        await reporter.dismissQueued(
          done.reason === 'permission-lookup-failed'
            ? `GitHub could not say what role @${job.requester.login} has in this repository just now, so this request will not run. Ask again in a few minutes.`
            : `@${job.requester.login} may not start work in this repository, so this request will not run.`,
        );
      }
    } catch (err) {
      // Not a failure: the queue puts the job back, and its next run takes over the status comment.
      if (err instanceof JobInterrupted || err instanceof JobDeferred) throw err;
      if (err instanceof JobStopped) {
        log.info({ by: err.by ?? 'shutdown' }, 'job stopped');
        outcome = { kind: 'stopped' };
        final = { kind: 'stopped', ...(err.by !== undefined ? { by: err.by } : {}) };
      } else if (err instanceof UserError) {
        log.info({ reason: err.message }, 'job refused with a message for the user');
        outcome = { kind: 'user-error' };
        final = { kind: 'user-error', message: err.message };
      } else {
        log.error({ err: redactor.redact(String((err as Error)?.stack ?? err)) }, 'job failed');
        outcome = { kind: 'error' };
        // Sandbox failures are worded by us (never the SDK's raw text) and help the maintainer decide to retry.
        final = err instanceof SandboxError ? { kind: 'sandbox-error', message: err.message } : { kind: 'internal-error' };
      }
    }
    if (final !== undefined) {
      await reporter.finish(final).catch((e: unknown) => log.error({ err: redactor.redact(String(e)) }, 'could not write the final status'));
      const reaction = final.kind === 'pull-request' ? 'rocket' : final.kind === 'no-changes' || final.kind === 'stopped' ? undefined : 'confused';
      if (reaction !== undefined) await github.react(reaction).catch((e: unknown) => log.warn({ err: redactor.redact(String(e)) }, 'could not react'));
    }
    deps.onOutcome?.(job, outcome);
  };
}

/** The status comment's last word for a pipeline outcome; none for a refusal or a help answer, which reply on their own. */
function finalOf(o: Outcome): FinalOutcome | undefined {
  switch (o.kind) {
    case 'refused':
    case 'help':
      return undefined;
    case 'cleaned':
      return undefined;
    case 'no-changes':
      return { kind: 'no-changes', ...(o.followUp !== undefined ? { updated: true } : {}), summary: o.run.summary, stats: o.stats, sandboxId: o.sandboxId };
    case 'agent-failed':
      return { kind: 'agent-failed', reason: o.reason, outputTail: o.run.outputTail, stats: o.stats, sandboxId: o.sandboxId };
    case 'pull-request':
      return { kind: 'pull-request', url: o.url, ...(o.followUp !== undefined ? { updated: true } : {}), ...(o.partial !== undefined ? { partial: o.partial } : {}), summary: o.run.summary, files: o.files, stats: o.stats, sandboxId: o.sandboxId };
  }
}

function redactingLogger(log: Logger, redactor: Redactor, context: object): Logger {
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
