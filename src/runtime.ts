import type { Probot } from 'probot';
import { ProfileRegistry } from './agents/registry.js';
import { settingsFromEnv, type Settings } from './config/settings.js';
import { BotIdentityCache } from './github/bot-identity.js';
import type { Octokit } from './github/octokit.js';
import { PermissionCache } from './github/permission.js';
import { MemoryQueue } from './jobs/memory-queue.js';
import { sandboxBudgetMs } from './jobs/pipeline.js';
import type { Job } from './jobs/job.js';
import type { JobQueue } from './jobs/queue.js';
import { createWorker, type WorkerOutcome } from './jobs/worker.js';
import { LocalSandboxProvider } from './sandbox/local.js';
import { E2BSandboxProvider, e2bProviderOptionsFromEnv } from './sandbox/e2b.js';
import { startReaper, type Reaper } from './sandbox/e2b-reaper.js';
import type { SandboxProvider } from './sandbox/provider.js';

/** Everything the handlers and the worker share, built once from the environment. */
export interface Runtime {
  settings: Settings;
  profiles: ProfileRegistry;
  sandboxes: SandboxProvider | undefined;
  queue: JobQueue;
  /** Stops taking jobs, waits for running ones and stops background work. */
  close(): Promise<void>;
}

export interface RuntimeOverrides {
  sandboxes?: SandboxProvider;
  profiles?: ProfileRegistry;
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
      reaper = startReaper({ maxAgeMs: sandboxBudgetMs(settings.jobTimeoutMs), liveIds: () => live.liveSandboxIds(), logger: app.log.child({ name: 'reaper' }) });
    }
  }
  const worker = createWorker({
    auth: (id?: number) => app.auth(id) as Promise<Octokit>,
    settings,
    profiles,
    sandboxes,
    permissions: new PermissionCache(),
    identity: new BotIdentityCache(),
    log: app.log.child({ name: 'worker' }),
    ...(overrides.onOutcome ? { onOutcome: overrides.onOutcome } : {}),
  });
  const queue = new MemoryQueue(worker, {
    concurrency: settings.concurrency,
    onError: (err, job) => app.log.error({ err, delivery: job.deliveryId }, 'job crashed'),
  });
  return {
    settings,
    profiles,
    sandboxes,
    queue,
    close: async () => {
      reaper?.stop();
      await queue.close();
    },
  };
}

function sandboxProvider(settings: Settings, app: Probot): SandboxProvider | undefined {
  if (settings.sandbox === 'local') {
    app.log.warn('ISSUESMITH_SANDBOX=local: agents run on this host, in temporary directories, without isolation. Use it for development only.');
    return new LocalSandboxProvider();
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
