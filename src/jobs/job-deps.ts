import type { RefusalReason } from '../access/authorize.js';
import type { RefusalLimiter } from '../access/refusal-limiter.js';
import type { AgentProfile } from '../agents/profile.js';
import type { ProfileRegistry } from '../agents/registry.js';
import type { RepoSettings } from '../config/repo-settings.js';
import type { Settings } from '../config/settings.js';
import type { JobGitHub } from '../github/job-github.js';
import type { Logger } from '../logger.js';
import type { FileChange } from '../report/file-change.js';
import type { JobStats } from '../report/job-stats.js';
import type { CommitVia } from '../report/status.js';
import type { Redactor } from '../security/redact.js';
import type { SandboxProvider } from '../sandbox/provider.js';
import type { SessionStore } from '../sessions/session-store.js';
import type { Progress } from './progress.js';
import type { AgentRun } from './steps/run-agent.js';

/** Everything a job's flows and steps use, handed in by the worker (tests hand in their own). */
export interface JobDeps {
  github: JobGitHub;
  sandboxes: SandboxProvider | undefined;
  profiles: ProfileRegistry;
  settings: Settings;
  /** The repository's settings (.github/issuesmith.yml); the app's defaults when absent. */
  repo?: RepoSettings;
  redactor: Redactor;
  log: Logger;
  now?: () => number;
  /** Aborted when the job is stopped; `stoppedBy` then says by whom (undefined: a shutdown). */
  signal?: AbortSignal;
  stoppedBy?: () => string | undefined;
  /**
   * Holds `key` for this job alone, across every worker, until the returned release is called; a job
   * stopped while it waits throws JobStopped. Follow-ups take their pull request's key, since one typed
   * on the issue and one typed on the pull request are queued under different keys.
   */
  lock?: (key: string) => Promise<() => void>;
  /** The status comment and check run, or nothing. */
  progress?: Progress;
  /** Where agents' sessions wait between turns; without one, a lost sandbox means a fresh session. */
  sessions?: SessionStore;
  /** Refusal replies, at most one per person and installation in a while; without one, every refusal is answered. */
  refusals?: RefusalLimiter;
}

/** How the agent picked up the conversation: its paused sandbox, its saved session in a new one, or afresh. */
export type Continuation = 'paused' | 'restored' | 'fresh';

/** A follow-up turn: which one, and how the agent picked the conversation up. */
export interface FollowUpInfo {
  turn: number;
  resumed: Continuation;
}

/** How a job ended; the worker turns it into the status comment's final state. */
export type Outcome =
  | { kind: 'refused'; reason: RefusalReason }
  | { kind: 'help' }
  | { kind: 'cleaned' }
  /** Answered without a turn (`fix ci` with nothing failing: `reply`), or, for work the app starts by itself, nothing to do. */
  | { kind: 'answered'; reply?: string }
  | { kind: 'no-changes'; profile: AgentProfile; run: AgentRun; stats: JobStats; sandboxId: string; followUp?: FollowUpInfo }
  | { kind: 'agent-failed'; profile: AgentProfile; run: AgentRun; reason: string; stats: JobStats; sandboxId: string }
  | {
      kind: 'pull-request';
      profile: AgentProfile;
      url: string;
      branch: string;
      /** Why the work is incomplete, when it is. */
      partial?: string;
      run: AgentRun;
      files: FileChange[];
      stats: JobStats;
      sandboxId: string;
      /** A follow-up's new commit on an existing pull request. */
      followUp?: FollowUpInfo;
      /** Which way the commit reached GitHub. */
      via?: CommitVia;
    };
