import type { Probot } from 'probot';
import { ProfileRegistry } from './agents/registry.js';
import { settingsFromEnv, type Settings } from './config/settings.js';
import { BotIdentityCache } from './github/bot-identity.js';
import type { Octokit } from './github/octokit.js';
import { PermissionCache } from './github/permission.js';
import { MemoryQueue } from './jobs/memory-queue.js';
import type { Outcome } from './jobs/pipeline.js';
import type { Job } from './jobs/job.js';
import type { JobQueue } from './jobs/queue.js';
import { createWorker } from './jobs/worker.js';
import { LocalSandboxProvider } from './sandbox/local.js';
import type { SandboxProvider } from './sandbox/provider.js';

/** Everything the handlers and the worker share, built once from the environment. */
export interface Runtime {
  settings: Settings;
  profiles: ProfileRegistry;
  sandboxes: SandboxProvider | undefined;
  queue: JobQueue;
}

export interface RuntimeOverrides {
  sandboxes?: SandboxProvider;
  profiles?: ProfileRegistry;
  onOutcome?: (job: Job, outcome: Outcome | { kind: 'user-error' | 'error' }) => void;
}

export function createRuntime(app: Probot, env: Readonly<Record<string, string | undefined>>, overrides: RuntimeOverrides = {}): Runtime {
  const settings = settingsFromEnv(env);
  const profiles = overrides.profiles ?? new ProfileRegistry();
  const sandboxes = overrides.sandboxes ?? sandboxProvider(settings, app);
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
  return { settings, profiles, sandboxes, queue };
}

function sandboxProvider(settings: Settings, app: Probot): SandboxProvider | undefined {
  if (settings.sandbox === 'local') {
    app.log.warn('ISSUESMITH_SANDBOX=local: agents run on this host, in temporary directories, without isolation. Use it for development only.');
    return new LocalSandboxProvider();
  }
  if (settings.sandbox === 'e2b') {
    app.log.error('The E2B sandbox provider is not available in this build; jobs will be refused until a sandbox is configured.');
    return undefined;
  }
  app.log.warn('No sandbox is configured (set E2B_API_KEY): jobs will be refused with a message until one is.');
  return undefined;
}
