import type { AgentEvent } from '../agents/profile.js';
import type { JobGitHub } from '../github/job-github.js';
import { Redactor } from '../security/redact.js';
import { renderCheckRun, renderStatusComment, statusMarker, type FinalOutcome, type JobStatus, type Phase, type StatusHead } from '../report/status.js';
import { stepLine } from '../report/step-line.js';
import type { Job } from '../job.js';
import type { Logger } from '../logger.js';
import type { Progress } from './progress.js';
import { Throttle } from './throttle.js';

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
  /** At least this long between two edits of the comment (GitHub's secondary limits allow about one a second per app). */
  minIntervalMs?: number;
  /** The comment is refreshed this often while nothing else happens, for its elapsed time. */
  heartbeatMs?: number;
  now?: () => number;
  /** Lines kept under "Latest steps". */
  steps?: number;
  /**
   * The job's redactor. What the agent says is redacted as it arrives, before any of it is cut to a
   * line or a length: a secret cut in two no longer matches, and its first characters would leak.
   * Default: token shapes only.
   */
  redactor?: Redactor;
}

/** The agent's failure reason is one sentence and its own words: long enough, once redacted. */
const MAX_REASON = 1_000;

export const CHECK_NAME_PREFIX = 'issuesmith / ';
const STOP_ACTION = { label: 'Stop', description: 'Stop the agent; nothing is pushed.', identifier: 'stop' };

/**
 * One status comment per job, edited as the job moves, and the check run on the pull request's head
 * when there is one. Edits are throttled; the final state is always written.
 */
export class JobReporter implements Progress {
  readonly #o: ReporterOptions;
  readonly #redactor: Redactor;
  readonly #now: () => number;
  readonly #head: StatusHead;
  readonly #throttle: Throttle<JobStatus>;
  readonly #startedAt: number;
  #phase: Phase = 'starting';
  #steps: string[] = [];
  #commentId: number | undefined;
  #check: { headSha: string; id?: number } | undefined;
  /** Check runs on an earlier head (a follow-up's start, before its push): they get the final state too. */
  readonly #earlierChecks: Array<{ headSha: string; id?: number }> = [];
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #started = false;
  #finished = false;

  constructor(o: ReporterOptions) {
    this.#o = o;
    this.#redactor = o.redactor ?? new Redactor();
    this.#now = o.now ?? Date.now;
    this.#startedAt = this.#now();
    this.#head = { deliveryId: o.job.deliveryId, agent: o.agent, requester: o.job.requester.login, command: o.command, attempt: o.attempt };
    this.#throttle = new Throttle<JobStatus>(
      (s) => this.#send(s),
      {
        minIntervalMs: o.minIntervalMs ?? 5_000,
        now: this.#now,
        onError: (err) => o.log.warn({ err }, 'could not update the status'),
      },
      (a, b) => renderStatusComment(a) === renderStatusComment(b),
    );
  }

  /** Whether the job got as far as its status comment (a refused request never does). */
  get started(): boolean {
    return this.#started;
  }

  /** How many edits reached GitHub. */
  get sends(): number {
    return this.#throttle.sends;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    // A job that waited in the queue already has its status comment: take it over.
    this.#commentId = await this.#o.github.findComment(statusMarker(this.#o.job.deliveryId), this.#o.job.receivedAt).catch((err: unknown) => {
      this.#o.log.warn({ err }, 'could not look for the queued status comment');
      return undefined;
    });
    this.#publish();
    const every = this.#o.heartbeatMs ?? 15_000;
    this.#heartbeat = setInterval(() => this.#publish(), every);
    this.#heartbeat.unref?.();
  }

  phase(p: Phase): void {
    this.#phase = p;
    this.#publish();
  }

  agent(displayName: string, model?: string): void {
    this.#head.agent = displayName;
    if (model !== undefined) this.#head.model = this.#redact(model);
    else delete this.#head.model;
    this.#publish();
  }

  turn(n: number): void {
    this.#head.turn = n;
    this.#publish();
  }

  warnings(list: string[]): void {
    this.#head.warnings = list.map((w) => this.#redact(w));
    this.#publish();
  }

  sandbox(_id: string): void {
    // Shown in the final report; nothing to redraw now.
  }

  event(e: AgentEvent): void {
    // The model the agent reports it runs, unless one was chosen for the job.
    if (e.type === 'session' && e.model !== undefined && this.#head.model === undefined) {
      this.#head.model = this.#redact(e.model);
      this.#publish();
    }
    const line = stepLine(this.#redactEvent(e));
    if (line === undefined) return;
    this.#steps.push(line);
    const keep = this.#o.steps ?? 5;
    if (this.#steps.length > keep) this.#steps.splice(0, this.#steps.length - keep);
    this.#publish();
  }

  checkRun(headSha: string): void {
    if (this.#check?.headSha === headSha) return;
    if (this.#check !== undefined) this.#earlierChecks.push(this.#check);
    this.#check = { headSha };
    this.#publish();
  }

  /** A job that will not run after all: its "Queued" comment, if the queue posted one, says so. Nothing else is posted. */
  async dismissQueued(message: string): Promise<void> {
    if (this.#started || this.#finished) return;
    const id = await this.#o.github.findComment(statusMarker(this.#o.job.deliveryId), this.#o.job.receivedAt).catch(() => undefined);
    if (id === undefined) return;
    this.#finished = true;
    await this.#o.github
      .updateComment(id, renderStatusComment({ ...this.#head, state: 'final', outcome: { kind: 'user-error', message } }))
      .catch((err: unknown) => this.#o.log.warn({ err }, 'could not update the queued status'));
  }

  /** Writes the job's last word, whatever happened to the throttled edits before it. */
  async finish(outcome: FinalOutcome): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    await this.#throttle.final({ ...this.#head, state: 'final', outcome: this.#redactOutcome(outcome) });
  }

  #redact(text: string): string {
    return this.#redactor.redact(text);
  }

  #redactEvent(e: AgentEvent): AgentEvent {
    if (e.type === 'tool') return { ...e, name: this.#redact(e.name), detail: this.#redact(e.detail) };
    if (e.type === 'error') return { ...e, message: this.#redact(e.message) };
    return e;
  }

  /** Every text of the last word redacted whole, before the rendering cuts any of it. */
  #redactOutcome(o: FinalOutcome): FinalOutcome {
    switch (o.kind) {
      case 'pull-request':
        return {
          ...o,
          summary: this.#redact(o.summary),
          ...(o.partial !== undefined ? { partial: this.#redact(o.partial) } : {}),
          files: o.files.map((f) => ({ ...f, path: this.#redact(f.path) })),
        };
      case 'no-changes':
        return { ...o, summary: this.#redact(o.summary) };
      case 'agent-failed': {
        const reason = this.#redact(o.reason);
        return { ...o, reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason, outputTail: this.#redact(o.outputTail) };
      }
      case 'user-error':
      case 'sandbox-error':
        return { ...o, message: this.#redact(o.message) };
      default:
        return o;
    }
  }

  #publish(): void {
    if (!this.#started || this.#finished) return;
    this.#throttle.update({ ...this.#head, state: 'live', phase: this.#phase, elapsedMs: this.#now() - this.#startedAt, steps: [...this.#steps] });
  }

  async #send(status: JobStatus): Promise<void> {
    const body = renderStatusComment(status);
    if (this.#commentId === undefined) this.#commentId = (await this.#o.github.postComment(body)).id;
    else await this.#o.github.updateComment(this.#commentId, body);
    if (this.#check !== undefined) await this.#sendCheck(status, this.#check);
    // A run left in progress on an earlier head would spin forever: it ends with the job.
    if (status.state === 'final') for (const earlier of this.#earlierChecks) if (earlier.id !== undefined) await this.#sendCheck(status, earlier);
  }

  async #sendCheck(status: JobStatus, check: { headSha: string; id?: number }): Promise<void> {
    const text = renderCheckRun(status);
    const fields = { ...text, ...(text.status === 'in_progress' ? { actions: [STOP_ACTION] } : {}) };
    try {
      if (check.id === undefined) {
        check.id = await this.#o.github.createCheckRun({
          name: `${CHECK_NAME_PREFIX}${status.agent}`,
          headSha: check.headSha,
          externalId: `${this.#o.job.number}:${this.#o.job.deliveryId}`,
          ...fields,
        });
      } else {
        await this.#o.github.updateCheckRun(check.id, fields);
      }
    } catch (err) {
      // A check run is a second view of the same status; the comment stays the record.
      this.#o.log.warn({ err }, 'could not write the check run');
    }
  }
}
