import { writesWaiting } from '../github/write-backlog.js';
import type { ProfileRegistry } from '../agents/registry.js';
import type { RepoSettings } from '../config/repo-settings.js';
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
import type { JobDeps, Outcome } from './job-deps.js';
import { finalOf, finishJob } from './finish-job.js';
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

/** The worker's collaborators, with their defaults, and what belongs to one job alone. */
interface JobScope {
  deps: WorkerDeps;
  repoConfigs: RepoConfigLoader;
  limiter: RepoLimiter;
  context: JobContext;
  log: Logger;
  redactor: Redactor;
}

/** The installation's client and the app's own (its JWT). */
interface Clients {
  installation: Octokit;
  app: Octokit;
}

/** The request read in the repository's settings, or why it cannot run, or the app's own housekeeping. */
type Preparation = PreparedJob | { kind: 'failed'; err: unknown } | { kind: 'housekeeping' };
type Runnable = Exclude<Preparation, { kind: 'ignore' }>;

/** What a job runs with: its GitHub, its status reporter, the settings that apply and the pipeline's deps. */
interface JobRun {
  github: JobGitHub;
  reporter: JobReporter;
  settings: Settings;
  repo: RepoSettings | undefined;
  pipelineDeps: JobDeps;
}

/** How a job ended, and the status comment's last word (none when the job replied on its own). */
interface Ending {
  outcome: WorkerOutcome;
  final: FinalOutcome | undefined;
}

/** Runs one job through the pipeline and turns whatever it throws into a message on the issue. */
export function createWorker(deps: WorkerDeps): JobProcessor {
  const repoConfigs = deps.repoConfigs ?? new RepoConfigLoader();
  const limiter = deps.limiter ?? new MemoryRepoLimiter();
  return async (received: Job, context: JobContext) => {
    const redactor = appRedactor(deps.settings, deps.profiles);
    const log = redactingLogger(deps.log, redactor, { delivery: received.deliveryId, repo: `${received.owner}/${received.repo}`, number: received.number });
    await processJob(received, { deps, repoConfigs, limiter, context, log, redactor });
  };
}

/** One job, in order: its clients, its settings, its run, and its last word on the issue. */
async function processJob(received: Job, scope: JobScope): Promise<void> {
  const { deps } = scope;
  const clients = await authenticate(received, scope);
  if (clients === undefined) {
    deps.onOutcome?.(received, { kind: 'error' });
    return;
  }
  // A closed pull request's cleanup is the app's own housekeeping: no request to read, no settings needed.
  const prepared: Preparation = received.kind === 'cleanup' ? { kind: 'housekeeping' } : await prepare(received, clients.installation, scope);
  if (prepared.kind === 'ignore') {
    await ignore(received, prepared, clients, scope);
    deps.onOutcome?.(received, { kind: 'ignored' });
    return;
  }
  const job = prepared.kind === 'ready' ? prepared.job : received;
  const run = jobRun(job, prepared, clients, scope);
  const { outcome, final } = await runAndClassify(job, prepared, run, scope);
  if (final !== undefined) await finishJob(final, run.reporter, run.github, scope.log, scope.redactor);
  deps.onOutcome?.(job, outcome);
  // The job's reactions were sent on the way; the worker lets them land before it takes another job.
  await run.github.settled();
}

/** The job's own clients: the webhook's client throttles all installations as one. Undefined when that fails. */
async function authenticate(job: Job, { deps, log, redactor }: JobScope): Promise<Clients | undefined> {
  try {
    const [installation, app] = await Promise.all([deps.auth(job.installationId), deps.auth()]);
    return { installation, app };
  } catch (err) {
    // Without a client nothing can be posted; the log line passes through the same redactor.
    log.error({ err: redactor.redact(String((err as Error)?.stack ?? err)) }, 'could not authenticate as the installation');
    return undefined;
  }
}

/**
 * The repository's settings, and the request read again in their light (its trigger, its agents).
 * A problem with them is kept as `failed` and reported like any other failure (runAndClassify); a request not meant for the app is ignored.
 */
function prepare(job: Job, installation: Octokit, { deps, repoConfigs }: JobScope): Promise<Preparation> {
  return prepareJob(job, { installation, loader: repoConfigs, settings: deps.settings, profiles: deps.profiles }).catch((err: unknown) => ({ kind: 'failed' as const, err }));
}

async function ignore(job: Job, prepared: { reason: string; inAppWords?: boolean }, clients: Clients, { deps, context, log, redactor }: JobScope): Promise<void> {
  log.info({ reason: prepared.reason }, 'not a request for this repository: ignored');
  // In the app's words, a waiting request got a "Queued" status: it must say it will not run.
  if (prepared.inAppWords !== true) return;
  const reporter = new JobReporter({
    github: new JobGitHub(job, clients.installation, clients.app, redactor, deps.permissions, deps.identity),
    job,
    command: deps.settings.command,
    attempt: context.attempt,
    agent: job.profile,
    log,
    redactor,
  });
  await reporter.dismissQueued('This repository asks for the agent in other words (its `.github/issuesmith.yml`), so this request will not run.');
}

/** The job's GitHub, status reporter and pipeline deps, in the repository's settings when it has them. */
function jobRun(job: Job, prepared: Runnable, clients: Clients, scope: JobScope): JobRun {
  const { deps, context, log, redactor } = scope;
  const { settings, profiles, repo } = prepared.kind === 'ready' ? prepared : { settings: deps.settings, profiles: deps.profiles, repo: undefined };
  const github = new JobGitHub(job, clients.installation, clients.app, redactor, deps.permissions, deps.identity);
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
    writesWaiting: () => writesWaiting(job.installationId),
    ...(deps.statusIntervalMs !== undefined ? { minIntervalMs: deps.statusIntervalMs } : {}),
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
    lock: (key: string) => hold(key, 1, scope),
    ...(deps.refusals ? { refusals: deps.refusals } : {}),
  };
  return { github, reporter, settings, repo, pipelineDeps };
}

// A limiter slot of one is a lock shared by every worker on the same store; a stop while waiting is a stop.
async function hold(key: string, max: number | undefined, { limiter, context }: JobScope): Promise<() => void> {
  return limiter.acquire(key, max, context.signal).catch((err: unknown) => {
    throwIfStopped(context.signal, context.stoppedBy);
    throw err;
  });
}

// A repository already running its max_concurrent_jobs: the job goes back to the queue before any
// work, and this worker slot takes a job of another repository meanwhile (waiting here would hold it).
async function repoSlot(key: string, max: number | undefined, scope: JobScope): Promise<() => void> {
  const { limiter, log, deps } = scope;
  if (limiter.tryAcquire === undefined) return hold(key, max, scope);
  const release = await limiter.tryAcquire(key, max);
  if (release !== undefined) return release;
  log.info({ max }, 'the repository runs its max_concurrent_jobs: the job waits its turn in the queue');
  throw new JobDeferred(deps.deferMs ?? 2_000);
}

/** Runs the job in its repository's slot and says how it ended; a job going back to the queue throws. */
async function runAndClassify(job: Job, prepared: Runnable, run: JobRun, scope: JobScope): Promise<Ending> {
  try {
    if (prepared.kind === 'failed') throw prepared.err;
    const release = await repoSlot(`${job.owner}/${job.repo}`, run.repo?.limits.maxConcurrentJobs, scope);
    const done = await runJob(job, run.pipelineDeps).finally(release);
    scope.log.info({ outcome: done.kind }, 'job finished');
    const final = finalOf(done);
    await dismissRefused(job, done, run, scope);
    return { outcome: done, final };
  } catch (err) {
    return endingOf(err, scope);
  }
}

// The queue acknowledged a waiting job by the app's rules; the repository's may be stricter
// (`permission`, `allowed_users`). Its "Queued" status must not stay behind: it says it will not run.
// So may a refusal because GitHub could not say what role the requester has.
async function dismissRefused(job: Job, done: Outcome, { repo, settings, reporter }: JobRun, { deps }: JobScope): Promise<void> {
  if (done.kind !== 'refused') return;
  const stricter = repo !== undefined && (repo.allowedUsers !== undefined || settings.permission !== deps.settings.permission);
  if (!stricter && done.reason !== 'permission-lookup-failed') return;
  await reporter.dismissQueued(
    done.reason === 'permission-lookup-failed'
      ? `GitHub could not say what role @${job.requester.login} has in this repository just now, so this request will not run. Ask again in a few minutes.`
      : `@${job.requester.login} may not start work in this repository, so this request will not run.`,
  );
}

/** How a job that threw ended: stopped, a message for the user, or an internal failure. */
function endingOf(err: unknown, { log, redactor }: JobScope): Ending {
  // Not a failure: the queue puts the job back, and its next run takes over the status comment.
  if (err instanceof JobInterrupted || err instanceof JobDeferred) throw err;
  if (err instanceof JobStopped) {
    log.info({ by: err.by ?? 'shutdown' }, 'job stopped');
    return { outcome: { kind: 'stopped' }, final: { kind: 'stopped', ...(err.by !== undefined ? { by: err.by } : {}) } };
  }
  if (err instanceof UserError) {
    log.info({ reason: err.message }, 'job refused with a message for the user');
    return { outcome: { kind: 'user-error' }, final: { kind: 'user-error', message: err.message } };
  }
  log.error({ err: redactor.redact(String((err as Error)?.stack ?? err)) }, 'job failed');
  // Sandbox failures are worded by us (never the SDK's raw text) and help the maintainer decide to retry.
  return { outcome: { kind: 'error' }, final: err instanceof SandboxError ? { kind: 'sandbox-error', message: err.message } : { kind: 'internal-error' } };
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
