import type { AgentEvent } from '../agents/profile.js';
import { renderStatusComment, type JobStatus, type Phase } from '../report/status.js';
import type { Redactor } from '../security/redact.js';

/** What one throttled write shows: the status, and how far the transcript had grown. */
export interface View {
  status: JobStatus;
  transcript: number;
  checkHead: string | undefined;
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

/** An agent's event with what it says redacted, before it is cut to a step line. */
export function redactEvent(e: AgentEvent, redactor: Redactor): AgentEvent {
  if (e.type === 'tool') return { ...e, name: redactor.redact(e.name), detail: redactor.redact(e.detail) };
  if (e.type === 'error') return { ...e, message: redactor.redact(e.message) };
  return e;
}
