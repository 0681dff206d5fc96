import { OWN_COMMENT_MARKER } from '../access/is-own-comment.js';
import { formatDuration, formatStats, type JobStats } from './job-stats.js';
import type { FileChange } from './file-change.js';
import { fenced, quote } from './step-line.js';

// The status comment and the check run of one job: pure text, redacted by the caller before it leaves.

export type Phase = 'queued' | 'starting' | 'cloning' | 'working' | 'pushing' | 'opening-pr';

const PHASE_TEXT: Record<Phase, string> = {
  queued: 'queued',
  starting: 'starting the sandbox',
  cloning: 'cloning the repository',
  working: 'agent working',
  pushing: 'pushing the change',
  'opening-pr': 'opening the pull request',
};

export interface StatusHead {
  deliveryId: string;
  /** Display name: "Claude Code". */
  agent: string;
  model?: string;
  requester: string;
  /** The comment command, `/agent`. */
  command: string;
  /** 1 for a first run; more when the job was taken up again after a worker stopped. */
  attempt: number;
  /** Turn of the conversation on the pull request (1 for the first run). */
  turn?: number;
  /** Problems worth knowing that did not stop the job (unknown settings, ...). */
  warnings?: string[];
  /** The check run holding the job's full transcript, readable by those with access to the repository. */
  transcriptUrl?: string;
}

export interface LiveStatus extends StatusHead {
  state: 'live';
  phase: Phase;
  /** Place in the queue while waiting. */
  position?: number;
  elapsedMs: number;
  /** The agent's latest steps, oldest first, one line each. */
  steps: string[];
}

/** Which way the commit reached GitHub: GitHub's Git Data API, or host git (with the reason). */
export interface CommitVia {
  path: 'api' | 'host-git';
  why?: string;
}

/** `budget`: the job's budget (turns or cost) that stopped the agent, when one did. */
export type FinalOutcome =
  | {
      kind: 'pull-request';
      url: string;
      updated?: boolean;
      partial?: string;
      budget?: 'turns' | 'cost';
      summary: string;
      files: FileChange[];
      stats: JobStats;
      sandboxId?: string;
      via?: CommitVia;
    }
  | { kind: 'no-changes'; updated?: boolean; summary: string; stats: JobStats; sandboxId?: string }
  | { kind: 'agent-failed'; reason: string; budget?: 'turns' | 'cost'; outputTail: string; stats: JobStats; sandboxId?: string }
  | { kind: 'stopped'; by?: string; beforeStart?: boolean; stats?: JobStats; sandboxId?: string }
  | { kind: 'user-error'; message: string }
  /** An answer that is not a failure (`fix ci` with nothing failing): shown as written. */
  | { kind: 'notice'; message: string }
  | { kind: 'sandbox-error'; message: string }
  | { kind: 'internal-error' };

export interface FinalStatus extends StatusHead {
  state: 'final';
  outcome: FinalOutcome;
}

export type JobStatus = LiveStatus | FinalStatus;

/** Finds the status comment of one delivery again: `<!-- issuesmith:status <delivery> -->`. */
export function statusMarker(deliveryId: string): string {
  return `<!-- issuesmith:status ${deliveryId.replace(/[^A-Za-z0-9._:-]/g, '')} -->`;
}

const MAX_FILES = 30;

export function renderStatusComment(s: JobStatus): string {
  return [OWN_COMMENT_MARKER, statusMarker(s.deliveryId), renderStatusBody(s)].join('\n');
}

/** The status without its markers: the comment's text and the check run's summary. */
export function renderStatusBody(s: JobStatus): string {
  const blocks: string[] = [];
  if (s.attempt > 1) blocks.push(`:recycle: Restarted after the worker running it stopped (attempt ${s.attempt}).`);
  if (s.state === 'live') blocks.push(...liveBlocks(s));
  else blocks.push(...finalBlocks(s));
  const link = transcriptLink(s.transcriptUrl);
  if (s.state === 'final' && link !== undefined) blocks.push(`<sub>${link}</sub>`);
  if (s.warnings !== undefined && s.warnings.length > 0) blocks.push(['Warnings:', ...s.warnings.map((w) => `- ${w}`)].join('\n'));
  return blocks.filter((b) => b !== '').join('\n\n');
}

function agentName(s: StatusHead): string {
  return s.model === undefined ? `**${s.agent}**` : `**${s.agent}** (\`${s.model.replaceAll('`', "'")}\`)`;
}

function liveBlocks(s: LiveStatus): string[] {
  const turn = s.turn !== undefined && s.turn > 1 ? ` (turn ${s.turn})` : '';
  if (s.phase === 'queued') {
    const where = s.position !== undefined ? `position ${s.position}` : 'waiting';
    return [`:clock3: **Queued** (${where}): ${agentName(s)}${turn} starts when the jobs ahead of it finish.`, footer(s)];
  }
  const blocks = [`:hourglass_flowing_sand: ${agentName(s)}${turn} is on it: ${PHASE_TEXT[s.phase]} · ${formatDuration(s.elapsedMs)}`];
  if (s.steps.length > 0) blocks.push(['Latest steps:', ...s.steps.map((l) => `- ${l}`)].join('\n'));
  blocks.push(footer(s));
  return blocks;
}

function footer(s: StatusHead): string {
  const link = transcriptLink(s.transcriptUrl);
  const transcript = link === undefined ? '' : ` · ${link}`;
  return `<sub>Asked by @${s.requester}${transcript} · \`${s.command} stop\` stops it · \`${s.command} status\` shows the queue</sub>`;
}

/** A link to the check run's page, GitHub's own address; anything else (or anything that could end the link early) is left out. */
function transcriptLink(url: string | undefined): string | undefined {
  return url !== undefined && /^https?:\/\/[^\s()<>[\]]+$/.test(url) ? `[Full transcript](${url})` : undefined;
}

function finalBlocks(s: FinalStatus): string[] {
  const o = s.outcome;
  // A follow-up's status says which turn on the pull request it was.
  const name = `${agentName(s)}${s.turn !== undefined && s.turn > 1 ? ` (turn ${s.turn})` : ''}`;
  switch (o.kind) {
    case 'pull-request': {
      const head =
        o.partial !== undefined
          ? `:warning: ${name} did not finish: ${o.partial} Its partial work is in a draft pull request: ${o.url}`
          : o.updated === true
            ? `:rocket: ${name} pushed a new commit to the pull request: ${o.url}`
            : `:rocket: ${name} opened a pull request: ${o.url}`;
      return [head, quote(o.summary), filesBlock(o.files), viaLine(o.via), statsLine(o.stats, o.sandboxId)];
    }
    case 'no-changes':
      return [
        `:speech_balloon: ${name} finished without changing any file, so ${o.updated === true ? 'nothing was pushed' : 'there is no pull request'}.`,
        quote(o.summary),
        statsLine(o.stats, o.sandboxId),
      ];
    case 'agent-failed':
      return [`:x: ${o.reason} It changed no file, so nothing was pushed.`, details('Last lines of the agent output', o.outputTail), statsLine(o.stats, o.sandboxId)];
    case 'stopped': {
      const head =
        o.by === undefined
          ? ':stop_sign: Stopped because the app was shutting down. Nothing was pushed: ask again to retry.'
          : `:stop_sign: Stopped by @${o.by}${o.beforeStart === true ? ' before it started' : ''}. Nothing was pushed.`;
      return [head, o.stats === undefined ? '' : statsLine(o.stats, o.sandboxId)];
    }
    case 'user-error':
      return [`:warning: ${o.message}`];
    case 'notice':
      return [o.message];
    case 'sandbox-error':
      return [`:x: The sandbox failed: ${o.message.replace(/\.$/, '')}. Nothing was pushed. Comment again to retry (reference \`${s.deliveryId}\`).`];
    case 'internal-error':
      return [`:x: Something went wrong on our side and the work was not done. Nothing was pushed. The app's logs have the details (reference \`${s.deliveryId}\`).`];
  }
}

/** One line on how the commit was made: the report says which path a change took. */
function viaLine(via: CommitVia | undefined): string {
  if (via === undefined) return '';
  if (via.path === 'api') return "<sub>Committed through GitHub's API: signed by GitHub (Verified), no clone on the app's host.</sub>";
  return `<sub>Pushed with git from the app's host${via.why === undefined ? '' : `: ${via.why}`}.</sub>`;
}

function statsLine(stats: JobStats, sandboxId: string | undefined): string {
  const sandbox = sandboxId === undefined ? '' : ` · sandbox \`${sandboxId}\``;
  return `<sub>${formatStats(stats)}${sandbox}</sub>`;
}

function filesBlock(files: FileChange[]): string {
  if (files.length === 0) return '';
  const added = files.reduce((n, f) => n + f.added, 0);
  const removed = files.reduce((n, f) => n + f.removed, 0);
  const lines = files.slice(0, MAX_FILES).map((f) => `- \`${f.path.replaceAll('`', "'")}\` ${f.binary ? '(binary)' : `+${f.added} −${f.removed}`}`);
  if (files.length > MAX_FILES) lines.push(`- … and ${files.length - MAX_FILES} more`);
  const count = files.length === 1 ? '1 file' : `${files.length} files`;
  return [`**${count} changed** (+${added} −${removed}):`, ...lines].join('\n');
}

export function details(summary: string, text: string): string {
  const t = text.trim();
  if (t === '') return '';
  // Shown as typed inside the fence; the raw text still never holds an HTML comment of the agent's.
  return `<details><summary>${summary}</summary>\n\n${fenced(t)}\n</details>`;
}

export type CheckConclusion = 'success' | 'failure' | 'cancelled' | 'neutral';

export interface CheckRunText {
  status: 'in_progress' | 'completed';
  conclusion?: CheckConclusion;
  title: string;
  summary: string;
}

const BUDGET_NAME = { turns: 'turn budget', cost: 'cost budget' } as const;

/** The check run `issuesmith / <agent>` for the same status. */
export function renderCheckRun(s: JobStatus): CheckRunText {
  // The check run is the transcript: no link to itself.
  const summary = renderStatusBody({ ...s, transcriptUrl: undefined }).slice(0, 60_000);
  if (s.state === 'live') return { status: 'in_progress', title: `${s.agent}: ${PHASE_TEXT[s.phase]}`, summary };
  const o = s.outcome;
  const [conclusion, title]: [CheckConclusion, string] =
    o.kind === 'pull-request'
      ? o.partial !== undefined
        ? ['failure', `${s.agent} ${o.budget !== undefined ? `ran out of its ${BUDGET_NAME[o.budget]}` : 'did not finish'}; partial work pushed`]
        : ['success', `${s.agent} ${o.updated === true ? 'pushed a new commit' : 'opened a pull request'}`]
      : o.kind === 'no-changes' || o.kind === 'notice'
        ? ['neutral', o.kind === 'notice' ? `${s.agent}: nothing to do` : `${s.agent} changed no file`]
        : o.kind === 'stopped'
          ? ['cancelled', o.by === undefined ? 'Stopped by a shutdown' : `Stopped by @${o.by}`]
          : o.kind === 'agent-failed' && o.budget !== undefined
            ? ['failure', `${s.agent} ran out of its ${BUDGET_NAME[o.budget]}`]
            : ['failure', `${s.agent} failed`];
  return { status: 'completed', conclusion, title, summary };
}
