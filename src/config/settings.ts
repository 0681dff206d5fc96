import { tmpdir } from 'node:os';
import { z } from 'zod';
import type { Budget } from '../agents/profile.js';
import { ProfileRegistry } from '../agents/registry.js';
import { sandboxProviders } from '../sandbox/registry.js';
import { imageLimitsFromEnv, type ImageLimits } from './image-limits.js';
import { stateKeyFromEnv, type StateKeySource } from './state-key.js';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));

// App-wide settings, read once from the environment. Repository settings come from
// .github/issuesmith.yml; agent keys are read by name from `env` when a job needs them.
const schema = z.object({
  ISSUESMITH_SANDBOX: z.enum(sandboxProviders.names()).optional(),
  ISSUESMITH_DEFAULT_AGENT: z.string().min(1).default('claude'),
  ISSUESMITH_PERMISSION: z.enum(['write', 'maintain', 'admin']).default('write'),
  ISSUESMITH_LABEL_PREFIX: z.string().min(1).default('agent'),
  ISSUESMITH_COMMAND: z
    .string()
    .regex(/^\/\S+$/, 'a slash and a word, like /agent')
    .default('/agent'),
  ISSUESMITH_JOB_TIMEOUT_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(30),
  ISSUESMITH_SETUP_TIMEOUT_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(30),
  ISSUESMITH_SETUP_STEP_TIMEOUT_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(20),
  ISSUESMITH_MAX_TURNS: z.coerce.number().int().positive().optional(),
  ISSUESMITH_MAX_COST_USD: z.coerce.number().positive().optional(),
  ISSUESMITH_CONCURRENCY: z.coerce.number().int().positive().max(1024).default(2),
  ISSUESMITH_WORK_DIR: z.string().min(1).default(tmpdir()),
  ISSUESMITH_DRAFT_PR: bool.default(true),
  ISSUESMITH_PAUSED_SANDBOX_DAYS: z.coerce.number().positive().max(365).default(7),
  ISSUESMITH_CUSTOM_AGENT_SECRETS: z
    .string()
    .regex(/^\s*[A-Za-z_][A-Za-z0-9_]*(\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*\s*$/, 'variable names separated by commas')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
    .optional(),
  ISSUESMITH_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . -')
    .default('issuesmith'),
  ISSUESMITH_ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  ISSUESMITH_SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(20),
  ISSUESMITH_JOB_LEASE_SECONDS: z.coerce.number().min(1).max(600).default(30),
  ISSUESMITH_MAX_PATCH_MB: z.coerce.number().positive().max(1024).default(20),
  ISSUESMITH_MAX_FILE_MB: z.coerce.number().positive().max(1024).default(10),
  ISSUESMITH_API_COMMIT_MAX_FILES: z.coerce.number().int().min(0).max(100_000).default(300),
  ISSUESMITH_API_COMMIT_MAX_MB: z.coerce.number().min(0).max(1024).default(25),
  ISSUESMITH_STATE_KEY: z.string().min(32, 'at least 32 characters, e.g. the output of `openssl rand -hex 32`').optional(),
  ISSUESMITH_TEMPLATES: z
    .string()
    .regex(/^\s*[\w-]+\s*=\s*[A-Za-z0-9][\w.:/-]{0,99}\s*(?:,\s*[\w-]+\s*=\s*[A-Za-z0-9][\w.:/-]{0,99}\s*)*$/, 'agent=template pairs separated by commas, like claude=my-claude')
    .optional(),
  // Read by the E2B provider (sandbox/e2b.ts); checked here, where the agents' names are known.
  ISSUESMITH_E2B_KEYLESS: bool.default(true),
  ISSUESMITH_E2B_KEYLESS_EXCEPT: z
    .string()
    .regex(/^\s*[\w-]+(?:\s*,\s*[\w-]+)*\s*$/, "agents' names separated by commas, like amp,codex")
    .optional(),
});

export interface Settings {
  /** A name in the sandbox registry (sandbox/registry.ts); undefined when none is configured. */
  sandbox: string | undefined;
  defaultAgent: string;
  permission: 'write' | 'maintain' | 'admin';
  labelPrefix: string;
  command: string;
  jobTimeoutMs: number;
  /**
   * What one job's agent run may use (ISSUESMITH_MAX_TURNS, ISSUESMITH_MAX_COST_USD): the operator's
   * default and ceiling. A repository may lower it, never raise it; empty: no limit but the time limit.
   */
  budget: Budget;
  /** All of a repository's setup commands together may take at most this long (the sandbox lives that much longer). */
  setupTimeoutMs: number;
  /** One setup command may take at most this long, whatever the repository asks. */
  setupStepTimeoutMs: number;
  concurrency: number;
  workDir: string;
  draftPullRequests: boolean;
  /**
   * Variables of this environment that repositories' custom agents may ask for (`secrets:`), besides
   * the built-in agents' keys. Never the app's own secrets.
   */
  customAgentSecrets: string[];
  /** A paused sandbox older than this (since it was made) is killed; a later turn restores the saved session instead. */
  pausedSandboxMaxAgeMs: number;
  /** `all` serves webhooks and runs jobs; `web` only enqueues; `worker` only runs jobs. */
  role: 'all' | 'web' | 'worker';
  /** Jobs live in Redis (BullMQ) when set; in this process otherwise. */
  redisUrl: string | undefined;
  /** Namespace of the app's keys in Redis. */
  redisPrefix: string;
  /** On SIGTERM, how long running jobs may go on before they are interrupted and put back. */
  shutdownGraceMs: number;
  /** How long a dead worker's job stays locked before another worker takes it up. */
  jobLeaseMs: number;
  /** The largest patch an agent may hand back (read out of the sandbox at most this far), in bytes. */
  maxPatchBytes: number;
  /** The largest one file of a change may be, in bytes. */
  maxFileBytes: number;
  /** The request's images the app downloads for the agent (ISSUESMITH_IMAGES_*). */
  images: ImageLimits;
  /**
   * A change is committed through GitHub's Git Data API (Verified, no clone on the host) up to this
   * many changed paths and this many bytes of new content; a larger one goes through host git.
   */
  apiCommitMaxFiles: number;
  apiCommitMaxBytes: number;
  /**
   * Signs the state markers of pull request bodies: only a marker with this key's signature, for the
   * same installation and repository, is ever read (see github/state-marker.ts).
   */
  stateKey: Uint8Array;
  /** Where `stateKey` came from; `ephemeral` (no key configured) is this process's own, lost on restart. */
  stateKeySource: StateKeySource;
  /** The operator's templates for built-in agents (ISSUESMITH_TEMPLATES), by agent name, instead of the shipped ones. */
  agentTemplates: Record<string, string>;
  /** The whole environment, for agent keys looked up by name and for the redactor. */
  env: Readonly<Record<string, string | undefined>>;
}

/** Names of variables whose values must never be shown, besides the agents' own keys. */
export const APP_SECRET_NAMES = ['PRIVATE_KEY', 'ISSUESMITH_STATE_KEY', 'WEBHOOK_SECRET', ...sandboxProviders.secretNames(), 'GITHUB_TOKEN', 'REDIS_URL'];

export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>): Settings {
  const relevant = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in schema.shape && v !== undefined && v !== ''));
  const parsed = schema.safeParse(relevant);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid environment: ${problems}`);
  }
  const s = parsed.data;
  if (s.ISSUESMITH_ROLE !== 'all' && s.REDIS_URL === undefined) {
    throw new Error(
      `invalid environment: ISSUESMITH_ROLE=${s.ISSUESMITH_ROLE} needs REDIS_URL, the Redis its web and worker processes share (set it, or leave ISSUESMITH_ROLE unset to run both roles in this process)`,
    );
  }
  const sandbox = s.ISSUESMITH_SANDBOX ?? sandboxProviders.selectedBy(env);
  const agentTemplates = agentPairs(s.ISSUESMITH_TEMPLATES, 'ISSUESMITH_TEMPLATES');
  agentNames(s.ISSUESMITH_E2B_KEYLESS_EXCEPT, 'ISSUESMITH_E2B_KEYLESS_EXCEPT');
  const state = stateKeyFromEnv(env);
  return {
    sandbox,
    defaultAgent: s.ISSUESMITH_DEFAULT_AGENT,
    permission: s.ISSUESMITH_PERMISSION,
    labelPrefix: s.ISSUESMITH_LABEL_PREFIX,
    command: s.ISSUESMITH_COMMAND,
    jobTimeoutMs: s.ISSUESMITH_JOB_TIMEOUT_MINUTES * 60_000,
    budget: {
      ...(s.ISSUESMITH_MAX_TURNS !== undefined ? { maxTurns: s.ISSUESMITH_MAX_TURNS } : {}),
      ...(s.ISSUESMITH_MAX_COST_USD !== undefined ? { maxCostUsd: s.ISSUESMITH_MAX_COST_USD } : {}),
    },
    setupTimeoutMs: s.ISSUESMITH_SETUP_TIMEOUT_MINUTES * 60_000,
    setupStepTimeoutMs: Math.min(s.ISSUESMITH_SETUP_STEP_TIMEOUT_MINUTES, s.ISSUESMITH_SETUP_TIMEOUT_MINUTES) * 60_000,
    concurrency: s.ISSUESMITH_CONCURRENCY,
    workDir: s.ISSUESMITH_WORK_DIR,
    draftPullRequests: s.ISSUESMITH_DRAFT_PR,
    customAgentSecrets: (s.ISSUESMITH_CUSTOM_AGENT_SECRETS ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '' && !APP_SECRET_NAMES.includes(n)),
    pausedSandboxMaxAgeMs: s.ISSUESMITH_PAUSED_SANDBOX_DAYS * 24 * 3600_000,
    role: s.ISSUESMITH_ROLE,
    redisUrl: s.REDIS_URL,
    redisPrefix: s.ISSUESMITH_REDIS_PREFIX,
    shutdownGraceMs: s.ISSUESMITH_SHUTDOWN_GRACE_SECONDS * 1000,
    jobLeaseMs: s.ISSUESMITH_JOB_LEASE_SECONDS * 1000,
    maxPatchBytes: Math.round(s.ISSUESMITH_MAX_PATCH_MB * 1024 * 1024),
    maxFileBytes: Math.round(s.ISSUESMITH_MAX_FILE_MB * 1024 * 1024),
    images: imageLimitsFromEnv(env),
    apiCommitMaxFiles: s.ISSUESMITH_API_COMMIT_MAX_FILES,
    apiCommitMaxBytes: Math.round(s.ISSUESMITH_API_COMMIT_MAX_MB * 1024 * 1024),
    stateKey: state.key,
    stateKeySource: state.source,
    agentTemplates,
    env,
  };
}

/** `claude=my-claude,codex=other` as template names by built-in agent's name. */
function agentPairs(value: string | undefined, variable: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (value ?? '').split(',').filter((p) => p.trim() !== '')) {
    const [agent = '', template = ''] = pair.split('=').map((x) => x.trim());
    out[builtInAgent(agent, variable)] = template;
  }
  return out;
}

/** A list of built-in agents' names, each checked. */
function agentNames(value: string | undefined, variable: string): string[] {
  return (value ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '')
    .map((n) => builtInAgent(n, variable));
}

function builtInAgent(name: string, variable: string): string {
  const registry = new ProfileRegistry();
  if (registry.get(name)?.name !== name) throw new Error(`invalid environment: ${variable}: \`${name}\` is not the name of a built-in agent (${registry.names().join(', ')})`);
  return name;
}
