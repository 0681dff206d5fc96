import type { AgentEvent } from '../agents/profile.js';
import { Redactor } from '../security/redact.js';
import { renderStatusComment, statusMarker, type FinalOutcome, type JobStatus, type Phase, type StatusHead } from '../report/status.js';
import { stepLine } from '../report/step-line.js';
import { renderTranscript } from '../report/transcript.js';
import type { CheckRunOutput } from '../github/job-github-types.js';
import type { Progress } from './progress.js';
import { redactOutcome, TranscriptRecorder } from './transcript-recorder.js';
import { Throttle } from './throttle.js';
import {
  CHECK_NAME_PREFIX,
  CLOSING,
  commentKey,
  LIVE_EDIT_BACKLOG,
  liveIntervalMs,
  redactEvent,
  STOP_ACTION,
  checkOutput,
  type CheckRun,
  type ReporterOptions,
  type View,
} from './reporter-parts.js';

export type { ReporterOptions, StatusGitHub } from './reporter-parts.js';

/**
 * One status comment per job, edited as the job moves, and its check run with the full transcript: on
 * the commit the agent starts from, and on the pull request's head once there is one. Writes are
 * throttled (5 s apart in a job's first 25 s, then less often as it ages, a minute apart at most) and
 * made only for what a reader would see change (never for the elapsed time alone, and none once the
 * change is being pushed); the final state is always written: the comment first when a check run
 * already holds the transcript it links to, else the check runs first.
 */
export class JobReporter implements Progress {
  readonly #o: ReporterOptions;
  readonly #redactor: Redactor;
  readonly #now: () => number;
  readonly #head: StatusHead;
  readonly #throttle: Throttle<View>;
  readonly #startedAt: number;
  #phase: Phase = 'starting';
  #steps: string[] = [];
  readonly #transcript: TranscriptRecorder;
  #commentId: number | undefined;
  /** The comment as last written, its elapsed time left out. */
  #commentShown: string | undefined;
  #check: CheckRun | undefined;
  /** Check runs on an earlier head (the commit a turn started from, before its push): they get the final state too. */
  readonly #earlierChecks: CheckRun[] = [];
  #started = false;
  #finished = false;
  /** The agent ended: no live edit until the final state (or a fresh run of it). */
  #agentDone = false;

  constructor(o: ReporterOptions) {
    this.#o = o;
    this.#redactor = o.redactor ?? new Redactor();
    this.#transcript = new TranscriptRecorder(this.#redactor);
    this.#now = o.now ?? Date.now;
    this.#startedAt = this.#now();
    this.#head = { deliveryId: o.job.deliveryId, agent: o.agent, requester: o.job.requester.login, command: o.command, attempt: o.attempt };
    this.#throttle = new Throttle<View>(
      (v) => this.#send(v),
      {
        minIntervalMs: () => liveIntervalMs(o.minIntervalMs ?? 5_000, this.#now() - this.#startedAt),
        gatherMs: o.gatherMs ?? 500,
        now: this.#now,
        onError: (err) => o.log.warn({ err }, 'could not update the status'),
        ...(o.writesWaiting !== undefined ? { defer: () => !this.#checkToCreate() && this.#busy() } : {}),
      },
      (a, b) => a.transcript === b.transcript && a.checkHead === b.checkHead && commentKey(a.status) === commentKey(b.status),
    );
  }

  /** Whether the job got as far as its status comment (a refused request never does). */
  get started(): boolean {
    return this.#started;
  }

  /** How many throttled updates were written (each the comment, the check runs, or both, whichever changed). */
  get sends(): number {
    return this.#throttle.sends;
  }

  /** How many times a live edit waited for the installation's other writes. */
  get deferrals(): number {
    return this.#throttle.deferrals;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#commentId = await this.#queuedComment();
    this.#publish();
  }

  /** A job that waited in the queue already has its status comment: it is taken over. */
  #queuedComment(): Promise<number | undefined> {
    return this.#o.github.findComment(statusMarker(this.#o.job.deliveryId), this.#o.job.receivedAt).catch((err: unknown) => {
      this.#o.log.warn({ err }, 'could not look for the queued status comment');
      return undefined;
    });
  }

  phase(p: Phase): void {
    this.#phase = p;
    if (p === 'working') this.#agentDone = false;
    // The pull request and the final state come next: a live edit waiting now would only delay them.
    if (CLOSING.has(p)) this.#throttle.dropPending();
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

  warn(text: string): void {
    this.warnings([...(this.#head.warnings ?? []), text]);
  }

  /** Shown in the final report; nothing to redraw now. */
  sandbox(_id: string): void {}

  event(e: AgentEvent): void {
    // The model the agent reports it runs, unless one was chosen for the job.
    if (e.type === 'session' && e.model !== undefined && this.#head.model === undefined) {
      this.#head.model = this.#redact(e.model);
      this.#publish();
    }
    const entry = this.#transcript.record(e);
    const line = stepLine(redactEvent(e, this.#redactor));
    if (line !== undefined) {
      this.#steps.push(line);
      const keep = this.#o.steps ?? 5;
      if (this.#steps.length > keep) this.#steps.splice(0, this.#steps.length - keep);
    }
    if (entry !== undefined || line !== undefined) this.#publish();
  }

  agentEnded(): void {
    this.#agentDone = true;
    this.#throttle.dropPending();
  }

  checkRun(headSha: string, o: { onBase?: boolean } = {}): void {
    if (this.#check?.headSha === headSha) return;
    if (this.#check !== undefined) this.#earlierChecks.push(this.#check);
    this.#check = { headSha, ...(o.onBase === true ? { onBase: true } : {}) };
    this.#publish();
  }

  /** A job that will not run after all: its "Queued" comment, if the queue posted one, says so. Nothing else is posted. */
  async dismissQueued(message: string): Promise<void> {
    if (this.#started || this.#finished) return;
    const id = await this.#queuedComment();
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
    // A request found wrong before its status started (its agent, its pull request) still ends its queued comment.
    if (!this.#started) this.#commentId ??= await this.#queuedComment();
    await this.#throttle.final(this.#view({ ...this.#head, state: 'final', outcome: redactOutcome(outcome, this.#redactor) }));
  }

  #view(status: JobStatus): View {
    return { status, transcript: this.#transcript.buffer.version, checkHead: this.#check?.headSha };
  }

  #transcriptText(): string {
    const b = this.#transcript.buffer;
    return renderTranscript({ head: b.head, omitted: b.omitted, tail: b.tail, redact: (t) => this.#redact(t) });
  }

  #redact(text: string): string {
    return this.#redactor.redact(text);
  }

  #publish(): void {
    const live = this.#live();
    if (live !== undefined) this.#throttle.update(this.#view(live));
  }

  /** What a live write shows now; undefined once live writes are over. */
  #live(): JobStatus | undefined {
    if (!this.#started || this.#finished || this.#agentDone || CLOSING.has(this.#phase)) return undefined;
    return { ...this.#head, state: 'live', phase: this.#phase, elapsedMs: this.#now() - this.#startedAt, steps: [...this.#steps] };
  }

  /** A live status as it is by now (a write waited for its slot); a final one as it was given. */
  #latest(status: JobStatus): JobStatus {
    return status.state === 'live' ? (this.#live() ?? status) : status;
  }

  async #send(view: View): Promise<void> {
    const { status } = view;
    // The final state is the job's record and a reader's answer: when a check run already holds the
    // transcript, the comment goes first, linking to it, and the check runs trail (each write takes
    // a slot of the installation's one a second). Otherwise check runs first: the comment links to
    // the transcript, which must exist by then.
    if (status.state === 'final' && this.#transcriptUrl() !== undefined) {
      await this.#sendComment(status);
      await this.#sendChecks(status);
      return;
    }
    await this.#sendChecks(status);
    // A live write that went ahead of a busy installation only to make the check run stops there (the
    // comment's first write, what the person waits for, goes all the same).
    if (status.state === 'live' && this.#commentShown !== undefined && this.#busy()) return;
    // The job as it is now: the check run's write took a slot of the installation's, a second or more.
    await this.#sendComment(this.#latest(status));
  }

  #busy(): boolean {
    return this.#o.writesWaiting !== undefined && this.#o.writesWaiting() > LIVE_EDIT_BACKLOG;
  }

  async #sendChecks(status: JobStatus): Promise<void> {
    if (this.#check !== undefined) await this.#sendCheck(status, this.#check);
    // A run left in progress on an earlier head would spin forever: it ends with the job. One never
    // created (the job ended before its first live write) stays uncreated.
    if (status.state === 'final') for (const earlier of this.#earlierChecks) if (earlier.id !== undefined) await this.#sendCheck(status, earlier);
  }

  /** A check run not made yet never waits: it carries the transcript and the Stop button. */
  #checkToCreate(): boolean {
    return this.#check !== undefined && this.#check.id === undefined && this.#check.failed !== true;
  }

  /** The page of a check run holding the transcript, the current head's first. */
  #transcriptUrl(): string | undefined {
    return [this.#check, ...this.#earlierChecks].find((c) => c?.url !== undefined)?.url;
  }

  async #sendComment(status: JobStatus): Promise<void> {
    const url = this.#transcriptUrl();
    const shown = { ...status, ...(url !== undefined ? { transcriptUrl: url } : {}) };
    const key = commentKey(shown);
    if (key === this.#commentShown) return;
    const body = renderStatusComment(shown);
    if (this.#commentId === undefined) this.#commentId = (await this.#o.github.postComment(body)).id;
    else await this.#o.github.updateComment(this.#commentId, body);
    this.#commentShown = key;
  }

  async #sendCheck(status: JobStatus, check: CheckRun): Promise<void> {
    const asked = checkOutput(status, check, this.#transcriptText());
    if (check.id !== undefined && asked.shown === check.shown) return;
    if (check.failed === true && status.state === 'live') return;
    // The output goes as it is when GitHub's pacing lets the write out: what the agent did meanwhile
    // rides along instead of calling for another write.
    let sent = asked.shown;
    const now = (): CheckRunOutput => {
      const o = checkOutput(this.#latest(status), check, this.#transcriptText());
      sent = o.shown;
      return { title: o.fields.title, summary: o.fields.summary, text: o.text };
    };
    const { fields: summary } = asked;
    const fields = { ...summary, text: asked.text, now, ...(summary.status === 'in_progress' ? { actions: [STOP_ACTION] } : {}) };
    try {
      if (check.id === undefined) {
        const created = await this.#o.github.createCheckRun({
          name: `${CHECK_NAME_PREFIX}${status.agent}`,
          headSha: check.headSha,
          externalId: `${this.#o.job.number}:${this.#o.job.deliveryId}`,
          ...fields,
        });
        check.id = created.id;
        if (created.url !== undefined) check.url = created.url;
      } else {
        await this.#o.github.updateCheckRun(check.id, fields);
      }
      check.shown = sent;
    } catch (err) {
      // A check run is a second view of the same status; the comment stays the record.
      if (check.id === undefined) check.failed = true;
      this.#o.log.warn({ err }, 'could not write the check run');
    }
  }
}
