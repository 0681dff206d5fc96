import type { Probot } from 'probot';
import type { ProfileRegistry } from './agents/registry.js';
import { expectedTemplates, operatorProfiles } from './config/agent-templates.js';
import { EPHEMERAL_STATE_KEY_WARNING } from './config/state-key.js';
import { settingsFromEnv, type Settings } from './config/settings.js';
import { BotIdentityCache } from './github/bot-identity.js';
import type { Octokit } from './github/octokit.js';
import { RefusalLimiter } from './access/refusal-limiter.js';
import { PermissionCache } from './github/permission.js';
import { RepoConfigLoader } from './github/repo-config-loader.js';
import { appRedactor } from './config/app-redactor.js';
import { acknowledgeQueued } from './jobs/acknowledge-queued.js';
import { acknowledgementLines, type AcknowledgementLines } from './jobs/acknowledgement-lines.js';
import { answerOutsider } from './jobs/answer-outsider.js';
import { handleControl, type ControlDeps } from './jobs/controls.js';
import { BullMqQueue } from './queue/bullmq-queue.js';
import { issueNotice } from './jobs/issue-notice.js';
import { tellLostJobs } from './jobs/lost-notices.js';
import { MemoryQueue } from './queue/memory-queue.js';
import { sandboxBudgetMs } from './jobs/steps/open-sandbox.js';
import { RedisRepoLimiter } from './queue/redis-repo-limiter.js';
import { cleaningUpEarlierRuns } from './jobs/cleaning-up-earlier-runs.js';
import { Metrics } from './metrics.js';
import { abandonedComment } from './report/queue-messages.js';
import type { Job } from './job.js';
import type { Logger } from './logger.js';
import type { Redactor } from './security/redact.js';
import type { JobProcessor, JobQueue } from './queue/queue.js';
import type { RepoLimiter } from './queue/repo-limiter.js';
import { createWorker, type WorkerDeps, type WorkerOutcome } from './jobs/worker.js';
import type { BackgroundTasks, SandboxProvider } from './sandbox/provider.js';
import { sandboxProviders } from './sandbox/registry.js';
import type { ControlRequest, OutsiderRequest } from './triggers/intent.js';
import { serialByKey } from './serial-by-key.js';
import { sessionStoreFromEnv } from './sessions/session-store-from-env.js';
import type { SessionStore } from './sessions/session-store.js';

/** Everything the handlers and the worker share, built once from the environment. */
export interface Runtime {
  settings: Settings;
  profiles: ProfileRegistry;
  sandboxes: SandboxProvider | undefined;
  /** Agents' saved sessions between turns. */
  sessions: SessionStore;
  queue: JobQueue;
  /** Answers `/agent stop` and `/agent status` in the background; the webhook is answered at once. */
  control(request: ControlRequest): void;
  /**
   * Answers someone the payload shows as an outsider, in the background and one at a time per person:
   * a rate-limited refusal, or `proceed` when GitHub says they may act after all.
   */
  refuse(request: OutsiderRequest, proceed: () => Promise<void>): void;
  /** Tells a job that has to wait that it is queued, in the background. */
  acknowledge(job: Job, position: number): void;
  /** Resolves when no job and no background answer is left. */
  settled(): Promise<void>;
  metrics: Metrics;
  /** Stops taking jobs, waits for running ones and stops background work. */
  close(): Promise<void>;
  /**
   * SIGTERM: takes no more jobs, lets running ones finish for `ISSUESMITH_SHUTDOWN_GRACE_SECONDS`,
   * then stops them: with Redis they go back to the queue; without it they end as stopped by a shutdown.
   */
  shutdown(): Promise<void>;
}

export interface RuntimeOverrides {
  sandboxes?: SandboxProvider;
  profiles?: ProfileRegistry;
  /** Per-repository job limit; in-process by default. */
  limiter?: RepoLimiter;
  onOutcome?: (job: Job, outcome: WorkerOutcome) => void;
}

export function createRuntime(app: Probot, env: Readonly<Record<string, string | undefined>>, overrides: RuntimeOverrides = {}): Runtime {
  const settings = settingsFromEnv(env);
  if (settings.stateKeySource === 'ephemeral') app.log.warn(EPHEMERAL_STATE_KEY_WARNING);
  const profiles = overrides.profiles ?? operatorProfiles(settings);
  // A web process (ISSUESMITH_ROLE=web) runs no job: it needs no sandbox.
  const works = settings.role !== 'web';
  const started = overrides.sandboxes === undefined && works ? startSandboxes(app, settings, profiles) : { provider: overrides.sandboxes, upkeep: undefined };
  // Filled in below; the gauges ask the queue only when scraped.
  let queueRef: JobQueue | undefined;
  const metrics = new Metrics(() => (queueRef === undefined ? Promise.resolve({ waiting: 0, running: 0 }) : queueRef.stats()));
  const sandboxes = started.provider !== undefined ? metrics.meter(started.provider) : undefined;
  const permissions = new PermissionCache();
  // One settings cache and one refusal limiter for the worker and the answers outside the queue.
  const repoConfigs = new RepoConfigLoader();
  const refusals = new RefusalLimiter();
  const auth = (id?: number): Promise<Octokit> => app.auth(id) as Promise<Octokit>;
  const sessions = sessionStoreFromEnv(env, settings.workDir);
  const workerLog = app.log.child({ name: 'worker' });
  // With Redis, a repository's max_concurrent_jobs holds across every worker.
  const redisLimiter = overrides.limiter === undefined && works ? RedisRepoLimiter.fromSettings(settings) : undefined;
  const limiter = overrides.limiter ?? redisLimiter;
  const workerDeps = {
    auth,
    settings,
    profiles,
    sandboxes,
    sessions,
    permissions,
    repoConfigs,
    refusals,
    identity: new BotIdentityCache(),
    log: workerLog,
    ...(limiter ? { limiter } : {}),
  };
  const processor = jobProcessor(workerDeps, metrics, overrides);
  const notice = issueNotice({ auth, settings, profiles, log: workerLog });
  // Even a crash outside the worker's own reporting is logged through the app's redactor.
  const logRedactor = appRedactor(settings, profiles);
  const queue = createQueue({ app, settings, works, processor, metrics, notice, logRedactor });
  queueRef = queue;
  return runtimeOf({
    app,
    settings,
    profiles,
    sandboxes,
    sandboxUpkeep: started.upkeep,
    sessions,
    queue,
    metrics,
    auth,
    permissions,
    repoConfigs,
    refusals,
    redisLimiter,
    logRedactor,
  });
}

/** The sandbox provider the settings name, with its own upkeep started and the agents' templates checked once. */
function startSandboxes(app: Probot, settings: Settings, profiles: ProfileRegistry): { provider: SandboxProvider | undefined; upkeep: BackgroundTasks | undefined } {
  const budgetMs = sandboxBudgetMs(settings.jobTimeoutMs);
  const provider = sandboxProviders.create(settings.sandbox, {
    env: settings.env,
    workDir: settings.workDir,
    sandboxBudgetMs: budgetMs,
    warn: (message) => app.log.warn(message),
    logger: (name) => app.log.child({ name }),
  });
  // The provider's own upkeep, such as killing the sandboxes that crashed processes left behind.
  const reaper = { maxAgeMs: budgetMs + settings.setupTimeoutMs, pausedMaxAgeMs: settings.pausedSandboxMaxAgeMs, logger: app.log.child({ name: 'reaper' }) };
  const upkeep = provider?.startBackgroundTasks?.(reaper);
  provider?.checkTemplates?.(expectedTemplates(profiles, settings));
  return { provider, upkeep };
}

/** The worker, counted by the metrics, cleaning up after an earlier run of the same job first. */
function jobProcessor(deps: Omit<WorkerDeps, 'onOutcome'>, metrics: Metrics, overrides: RuntimeOverrides): JobProcessor {
  const worker = createWorker({
    ...deps,
    onOutcome: (job, outcome) => {
      metrics.outcome(job, outcome);
      overrides.onOutcome?.(job, outcome);
    },
  });
  return metrics.instrument(cleaningUpEarlierRuns(worker, deps.sandboxes, deps.log));
}

interface QueueParts {
  app: Probot;
  settings: Settings;
  /** False in a web process: a shared queue then takes jobs without running any. */
  works: boolean;
  processor: JobProcessor;
  metrics: Metrics;
  notice: (job: Job, body: string) => Promise<void>;
  logRedactor: Redactor;
}

/** BullMQ on Redis when REDIS_URL is set, else the in-process queue; either tells an issue whose job it gives up. */
function createQueue({ app, settings, works, processor, metrics, notice, logRedactor }: QueueParts): JobQueue {
  const onError = (err: unknown, job: Job): void => app.log.error({ err: logRedactor.redact(String((err as Error)?.stack ?? err)), delivery: job.deliveryId }, 'job crashed');
  if (settings.redisUrl !== undefined) {
    return new BullMqQueue({
      url: settings.redisUrl,
      prefix: settings.redisPrefix,
      ...(works ? { process: processor } : {}),
      concurrency: settings.concurrency,
      leaseMs: settings.jobLeaseMs,
      log: app.log.child({ name: 'queue' }),
      onError,
      onAbandoned: async (job, attempts) => {
        metrics.abandoned(job);
        await notice(job, abandonedComment({ attempts, ref: job.deliveryId }));
      },
    });
  }
  return new MemoryQueue(processor, {
    concurrency: settings.concurrency,
    onError,
    // Without Redis there is nowhere to put a job back: one still waiting at shutdown is lost, and its issue is told.
    onLost: (jobs, signal) => tellLostJobs(jobs, signal, { notice, log: app.log }),
  });
}

/** What createRuntime built, for the answers outside the queue and for closing. */
interface Parts {
  app: Probot;
  settings: Settings;
  profiles: ProfileRegistry;
  sandboxes: SandboxProvider | undefined;
  sandboxUpkeep: BackgroundTasks | undefined;
  sessions: SessionStore;
  queue: JobQueue;
  metrics: Metrics;
  auth: (id?: number) => Promise<Octokit>;
  permissions: PermissionCache;
  repoConfigs: RepoConfigLoader;
  refusals: RefusalLimiter;
  redisLimiter: RedisRepoLimiter | undefined;
  logRedactor: Redactor;
}

/** The runtime around its parts: controls, refusals and acknowledgements are answered in the background. */
function runtimeOf(parts: Parts): Runtime {
  const { app, settings, profiles, sandboxes, sessions, queue, metrics, auth, permissions, repoConfigs, refusals, logRedactor } = parts;
  const log = app.log.child({ name: 'control' });
  const controlDeps: ControlDeps = { auth: (id) => auth(id), settings, profiles, permissions, repoConfigs, refusals, queue, log };
  const background = backgroundTasks(log, logRedactor);
  const onePerPerson = onePerPersonQueue();
  const acknowledge = acknowledgementLines((job, position) => acknowledgeQueued(job, position, controlDeps), background, afterThisTurn, log, logRedactor);
  return {
    settings,
    profiles,
    sandboxes,
    sessions,
    queue,
    metrics,
    control: (request) => background.run(`answer /agent ${request.action}`, () => handleControl(request, controlDeps)),
    refuse: (request, proceed) => background.run('answer an outsider', () => onePerPerson(request, () => answerOutsider(request, controlDeps, proceed))),
    acknowledge,
    settled: async () => {
      await background.settled();
      await queue.drain();
      await background.settled();
    },
    close: () => closeRuntime(parts, background, acknowledge),
    shutdown: () => closeRuntime(parts, background, acknowledge, settings.shutdownGraceMs),
  };
}

/** Resolves after the event loop's current turn, in which Probot sends the webhook's answer. */
function afterThisTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Answers given in the background: a failure is logged, redacted, and closing waits for them. */
interface Background {
  run(what: string, task: () => Promise<void>): void;
  /** Resolves once no task is left, counting those started meanwhile. */
  settled(): Promise<void>;
  /** Resolves when the tasks running now are done. */
  running(): Promise<unknown>;
}

function backgroundTasks(log: Logger, redactor: Redactor): Background {
  const tasks = new Set<Promise<void>>();
  return {
    run: (what, task) => {
      const p = task()
        .catch((err: unknown) => log.error({ err: redactor.redact(String((err as Error)?.stack ?? err)) }, `could not ${what}`))
        .finally(() => tasks.delete(p));
      tasks.add(p);
    },
    settled: async () => {
      while (tasks.size > 0) await Promise.all([...tasks]);
    },
    running: () => Promise.all([...tasks]),
  };
}

// An outsider's requests are answered one after another, so a flood costs one lookup and one reply.
function onePerPersonQueue(): (request: OutsiderRequest, task: () => Promise<void>) => Promise<void> {
  const serial = serialByKey();
  return (request, task) => serial(`${request.installationId}\0${request.requester.login.toLowerCase()}`, task);
}

/** Stops background work and closes what the runtime opened; a shutdown first gives running jobs `graceMs` (see Runtime.shutdown). */
async function closeRuntime({ sandboxUpkeep, queue, sessions, redisLimiter }: Parts, background: Background, acks: AcknowledgementLines, graceMs?: number): Promise<void> {
  sandboxUpkeep?.stop();
  acks.stop();
  if (graceMs !== undefined) await queue.stop(graceMs);
  await background.running();
  await queue.close();
  await sessions.close();
  await redisLimiter?.close();
}
