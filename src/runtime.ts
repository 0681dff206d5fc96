import type { Probot } from 'probot';
import { ProfileRegistry } from './agents/registry.js';
import { settingsFromEnv, type Settings } from './config/settings.js';
import { BotIdentityCache } from './github/bot-identity.js';
import type { Octokit } from './github/octokit.js';
import { PermissionCache } from './github/permission.js';
import { acknowledgeQueued, appRedactor, handleControl, type ControlDeps } from './jobs/control.js';
import { MemoryQueue } from './jobs/memory-queue.js';
import { sandboxBudgetMs } from './jobs/pipeline.js';
import type { Job } from './jobs/job.js';
import type { JobQueue } from './jobs/queue.js';
import type { RepoLimiter } from './jobs/repo-limiter.js';
import { createWorker, type WorkerOutcome } from './jobs/worker.js';
import { LocalSandboxProvider } from './sandbox/local.js';
import { E2BSandboxProvider, e2bProviderOptionsFromEnv } from './sandbox/e2b.js';
import { startReaper, type Reaper } from './sandbox/e2b-reaper.js';
import type { SandboxProvider } from './sandbox/provider.js';
import type { ControlRequest } from './triggers/intent.js';
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
  /** Tells a job that has to wait that it is queued, in the background. */
  acknowledge(job: Job, position: number): void;
  /** Resolves when no job and no background answer is left. */
  settled(): Promise<void>;
  /** Stops taking jobs, waits for running ones and stops background work. */
  close(): Promise<void>;
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
  const profiles = overrides.profiles ?? new ProfileRegistry();
  let reaper: Reaper | undefined;
  let sandboxes = overrides.sandboxes;
  if (sandboxes === undefined) {
    sandboxes = sandboxProvider(settings, app);
    if (sandboxes instanceof E2BSandboxProvider) {
      const live = sandboxes;
      // Sandboxes of jobs that died with a crashed process are found by their metadata and killed.
      // Paused sandboxes wait for follow-ups; past their age the saved session takes over.
      reaper = startReaper({ maxAgeMs: sandboxBudgetMs(settings.jobTimeoutMs), pausedMaxAgeMs: settings.pausedSandboxMaxAgeMs, liveIds: () => live.liveSandboxIds(), logger: app.log.child({ name: 'reaper' }) });
    }
  }
  const permissions = new PermissionCache();
  const auth = (id?: number): Promise<Octokit> => app.auth(id) as Promise<Octokit>;
  const sessions = sessionStoreFromEnv(env, settings.workDir);
  const worker = createWorker({
    auth,
    settings,
    profiles,
    sandboxes,
    sessions,
    permissions,
    identity: new BotIdentityCache(),
    log: app.log.child({ name: 'worker' }),
    ...(overrides.limiter ? { limiter: overrides.limiter } : {}),
    ...(overrides.onOutcome ? { onOutcome: overrides.onOutcome } : {}),
  });
  const queue = new MemoryQueue(worker, {
    concurrency: settings.concurrency,
    onError: (err, job) => app.log.error({ err, delivery: job.deliveryId }, 'job crashed'),
  });
  const log = app.log.child({ name: 'control' });
  const controlDeps: ControlDeps = { auth: (id) => auth(id), settings, profiles, permissions, queue, log };
  const tasks = new Set<Promise<void>>();
  const background = (what: string, task: () => Promise<void>): void => {
    const redactor = appRedactor(settings, profiles);
    const p = task()
      .catch((err: unknown) => log.error({ err: redactor.redact(String((err as Error)?.stack ?? err)) }, `could not ${what}`))
      .finally(() => tasks.delete(p));
    tasks.add(p);
  };
  const settled = async (): Promise<void> => {
    while (tasks.size > 0) await Promise.all([...tasks]);
    await queue.drain();
    while (tasks.size > 0) await Promise.all([...tasks]);
  };
  return {
    settings,
    profiles,
    sandboxes,
    sessions,
    queue,
    control: (request) => background(`answer /agent ${request.action}`, () => handleControl(request, controlDeps)),
    acknowledge: (job, position) => background('acknowledge a queued job', () => acknowledgeQueued(job, position, controlDeps)),
    settled,
    close: async () => {
      reaper?.stop();
      await Promise.all([...tasks]);
      await queue.close();
      await sessions.close();
    },
  };
}

function sandboxProvider(settings: Settings, app: Probot): SandboxProvider | undefined {
  if (settings.sandbox === 'local') {
    app.log.warn('ISSUESMITH_SANDBOX=local: agents run on this host, in temporary directories, without isolation. Use it for development only.');
    // Under the work directory: sandboxes paused for a follow-up stay there until their pull request closes.
    return new LocalSandboxProvider({ root: settings.workDir });
  }
  if (settings.sandbox === 'e2b') {
    return new E2BSandboxProvider({
      logger: app.log.child({ name: 'e2b' }),
      resumeTimeoutMs: sandboxBudgetMs(settings.jobTimeoutMs),
      ...e2bProviderOptionsFromEnv(settings.env),
    });
  }
  app.log.warn('No sandbox is configured (set E2B_API_KEY): jobs will be refused with a message until one is.');
  return undefined;
}
