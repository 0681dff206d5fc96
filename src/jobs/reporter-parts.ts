import type { AgentEvent } from '../agents/profile.js';
import { renderCheckRun, renderStatusComment, type JobStatus, type Phase } from '../report/status.js';
import type { Redactor } from '../security/redact.js';
import type { JobGitHub } from '../github/job-github.js';
import type { Job } from '../job.js';
import type { Logger } from '../logger.js';

/** What one throttled write shows: the status, and how far the transcript had grown. */
export interface View {
  status: JobStatus;
  transcript: number;
  checkHead: string | undefined;
}

/** Live edits give way while more of the installation's writes than this are waiting (footprint bench, ten installations: 0 and 1 both finish 100 jobs; 0 gives way soonest). */
export const LIVE_EDIT_BACKLOG = 0;

export const CHECK_NAME_PREFIX = 'issuesmith / ';
export const STOP_ACTION = { label: 'Stop', description: 'Stop the agent; nothing is pushed.', identifier: 'stop' };

/**
 * The least time between two live writes of a job `elapsedMs` old: `baseMs` (5 s) for its first 25 s,
 * then a fifth of its age, at most 12 times `baseMs` (a minute). A reader of a long job loses little
 * when its view is a little older, and each write takes a second of the installation's budget: a
 * chatty agent working 5 minutes gets 18 live updates instead of 60 (30 minutes: 43, not 360), each
 * a check-run edit, a comment edit, or both.
 */
export function liveIntervalMs(baseMs: number, elapsedMs: number): number {
  return Math.max(baseMs, Math.min(12 * baseMs, elapsedMs / 5));
}

/** Phases after which the next writes are the pull request and the final state: nothing cosmetic goes before them. */
export const CLOSING: ReadonlySet<Phase> = new Set(['pushing', 'opening-pr']);

/** A check run of the job's, as the reporter keeps it. */
export interface CheckRun {
  headSha: string;
  id?: number;
  url?: string;
  /** What it last showed, to leave it alone when nothing changed. */
  shown?: string;
  /** Its creation failed: tried again only with the final state, not at every live write. */
  failed?: boolean;
  /** On the base branch's commit: a failure there ends neutral, so the app never marks the branch red. */
  onBase?: boolean;
}

export function withoutElapsed(s: JobStatus): JobStatus {
  return s.state === 'live' ? { ...s, elapsedMs: 0 } : s;
}

/** The comment as a reader would see it change: its elapsed time left out. */
export function commentKey(s: JobStatus): string {
  return renderStatusComment(withoutElapsed(s));
}

/** A check run's fields for a status, its transcript text, and what a reader sees of them (`shown`, to skip a write that changes nothing). */
export interface CheckOutput {
  fields: ReturnType<typeof renderCheckRun>;
  text: string;
  shown: string;
}

/** A failure on the base branch's commit (a first run's start) shows as neutral, never as a red X on it. */
export function checkOutput(status: JobStatus, check: Pick<CheckRun, 'onBase'>, text: string): CheckOutput {
  const rendered = renderCheckRun(status);
  const fields = check.onBase === true && rendered.conclusion === 'failure' ? { ...rendered, conclusion: 'neutral' as const } : rendered;
  // The summary's elapsed time alone is no reason to write.
  return { fields, text, shown: JSON.stringify({ ...renderCheckRun(withoutElapsed(status)), text }) };
}

/** An agent's event with what it says redacted, before it is cut to a step line. */
export function redactEvent(e: AgentEvent, redactor: Redactor): AgentEvent {
  if (e.type === 'tool') return { ...e, name: redactor.redact(e.name), detail: redactor.redact(e.detail) };
  if (e.type === 'error') return { ...e, message: redactor.redact(e.message) };
  return e;
}

export type StatusGitHub = Pick<JobGitHub, 'postComment' | 'updateComment' | 'findComment' | 'createCheckRun' | 'updateCheckRun'>;

export interface ReporterOptions {
  github: StatusGitHub;
  job: Job;
  /** The comment command, `/agent`. */
  command: string;
  attempt: number;
  /** Display name of the agent asked for; the pipeline corrects it once the profile is known. */
  agent: string;
  log: Logger;
  /** At least this long between two live writes while the job is young (default 5 s); the gap grows with its age (liveIntervalMs). */
  minIntervalMs?: number;
  now?: () => number;
  /** Lines kept under "Latest steps". */
  steps?: number;
  /** A live edit waits this long after what called for it (default 500 ms): an agent's last lines then its exit make none. */
  gatherMs?: number;
  /**
   * The job's redactor. What the agent says is redacted as it arrives, before any of it is cut to a
   * line or a length: a secret cut in two no longer matches, and its first characters would leak.
   * Default: token shapes only.
   */
  redactor?: Redactor;
  /**
   * How many of the installation's GitHub writes are waiting for their slot or on their way. Live
   * edits after the first wait until none is: at about one write a second per installation, they
   * would otherwise push back the commits, pull requests and final states of its jobs (this one's
   * and the installation's others). The first write, a check run's creation (the transcript and the
   * Stop button) and the final state never wait.
   */
  writesWaiting?: () => number;
}
