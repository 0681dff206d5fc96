import type { CiEvidence, FailingCheck } from '../agents/ci-prompt.js';
import { LOG_EXCERPT_LIMITS, LogExcerpt } from '../report/ci-log.js';
import type { Redactor } from '../security/redact.js';
import type { CheckRunInfo, CiGitHub } from './ci-github.js';

/**
 * Conclusions that mean the code (or its build) failed: what an agent can fix. `cancelled` (a newer
 * push, a person, or a sibling's fail-fast), `action_required` (someone must approve), `stale` and
 * `skipped` are not failures of the code; `success` and `neutral` passed.
 */
export const FAILING = new Set(['failure', 'timed_out', 'startup_failure']);
const PASSED = new Set(['success', 'neutral', 'skipped']);

/** The check runs of a commit, sorted for `fix ci`; the app's own runs are never among them. */
export interface HeadChecks {
  failing: CheckRunInfo[];
  passed: string[];
  running: string[];
  /** Completed neither passed nor failed (cancelled, action_required, stale), with their conclusion. */
  other: Array<{ name: string; conclusion: string }>;
}

export function sortChecks(runs: CheckRunInfo[], ownApp: string): HeadChecks {
  const out: HeadChecks = { failing: [], passed: [], running: [], other: [] };
  for (const r of runs) {
    if (r.app === ownApp) continue;
    if (r.status !== 'completed') out.running.push(r.name);
    else if (FAILING.has(r.conclusion ?? '')) out.failing.push(r);
    else if (PASSED.has(r.conclusion ?? '')) out.passed.push(r.name);
    else out.other.push({ name: r.name, conclusion: r.conclusion ?? 'unknown' });
  }
  return out;
}

const MAX_CHECKS = 6;
const MAX_ANNOTATIONS = 20;
const FIELD_CHARS = 3_000;
const ANNOTATION_CHARS = 400;
// All the logs together: each check's share of it, between these bounds.
const LOG_BUDGET = 48_000;
const LOG_MIN = 4_000;
const LOG_MAX_BYTES = 64 * 1024 * 1024;
const LOG_TIMEOUT_MS = 60_000;

/**
 * What the agent is given of the failing checks: for each (the first six), its name and conclusion,
 * its output's title, summary and text, its annotations, and for a GitHub Actions job the lines around
 * the log's first error and its last lines. Every text is redacted with the job's redactor before it is
 * cut to its size. A log or annotations that cannot be read leave a note, not a failure.
 */
export async function gatherCiEvidence(ci: CiGitHub, headSha: string, failing: CheckRunInfo[], redactor: Redactor): Promise<CiEvidence> {
  const chosen = failing.slice(0, MAX_CHECKS);
  const logChars = Math.min(LOG_EXCERPT_LIMITS.chars, Math.max(LOG_MIN, Math.floor(LOG_BUDGET / Math.max(1, chosen.length))));
  const checks = await Promise.all(chosen.map((r) => evidenceOf(ci, r, redactor, logChars)));
  return { headSha, checks, moreChecks: failing.length - chosen.length };
}

async function evidenceOf(ci: CiGitHub, r: CheckRunInfo, redactor: Redactor, logChars: number): Promise<FailingCheck> {
  const cut = (text: string, max: number): string => {
    const clean = redactor.redact(text);
    return clean.length > max ? `${clean.slice(0, max)} … (cut)` : clean;
  };
  const [annotations, log] = await Promise.all([
    r.annotationsCount > 0 ? ci.annotations(r.id, MAX_ANNOTATIONS).catch(() => []) : Promise.resolve([]),
    r.app === 'github-actions' ? actionsLog(ci, r.id, redactor, logChars) : Promise.resolve(undefined),
  ]);
  return {
    name: cut(r.name, 200),
    conclusion: r.conclusion ?? '',
    app: cut(r.app, 100),
    title: cut(r.title, 300),
    summary: cut(r.summary, FIELD_CHARS),
    text: cut(r.text, FIELD_CHARS),
    annotations: annotations.map((a) => ({ path: cut(a.path, 300), line: a.line, level: a.level, message: cut(a.message, ANNOTATION_CHARS) })),
    moreAnnotations: Math.max(0, r.annotationsCount - annotations.length),
    ...(log ?? {}),
  };
}

/** An Actions job's log excerpt (the check run id is the job id), or why there is none. */
async function actionsLog(ci: CiGitHub, jobId: number, redactor: Redactor, chars: number): Promise<{ log: string } | { logMissing: string }> {
  const excerpt = new LogExcerpt({ ...LOG_EXCERPT_LIMITS, chars });
  try {
    const { truncated } = await ci.jobLog(jobId, (text) => excerpt.push(text), { maxBytes: LOG_MAX_BYTES, timeoutMs: LOG_TIMEOUT_MS });
    return { log: excerpt.excerpt(redactor, { truncated }) };
  } catch (err) {
    const status = (err as { status?: number }).status;
    const why =
      status === 410 || status === 404 ? 'GitHub no longer has it' : status === 403 ? "the app may not read this repository's Actions logs" : 'it could not be downloaded';
    return { logMissing: why };
  }
}
