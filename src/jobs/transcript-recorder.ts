import type { AgentEvent } from '../agents/profile.js';
import type { FinalOutcome } from '../report/status.js';
import { TranscriptBuffer, type TranscriptEntry } from '../report/transcript.js';
import type { Redactor } from '../security/redact.js';

const MAX_REASON = 1_000;

/** The job's transcript as it grows: each event redacted whole, then kept (head and latest part) for the check run. */
export class TranscriptRecorder {
  readonly buffer = new TranscriptBuffer();
  readonly #usage = { inputTokens: 0, outputTokens: 0, costUsd: undefined as number | undefined };
  #lastText = '';

  constructor(private readonly redactor: Redactor) {}

  /** The transcript's entry for an event, redacted whole before anything cuts it; usage as totals so far. */
  record(e: AgentEvent): TranscriptEntry | undefined {
    const entry = this.#entry(e);
    if (entry !== undefined) this.buffer.push(entry);
    return entry;
  }

  #entry(e: AgentEvent): TranscriptEntry | undefined {
    switch (e.type) {
      case 'session':
      case 'turn':
        return undefined;
      case 'text':
        this.#lastText = e.text;
        return { kind: 'text', text: this.redactor.redact(e.text) };
      case 'tool':
        return { kind: 'tool', name: this.redactor.redact(e.name), detail: this.redactor.redact(e.detail) };
      case 'tool-result':
        return { kind: 'tool-result', output: this.redactor.redact(e.output), ...(e.failed === true ? { failed: true } : {}) };
      case 'error':
        return { kind: 'error', message: this.redactor.redact(e.message) };
      case 'log':
        return { kind: 'log', text: this.redactor.redact(e.text) };
      case 'usage': {
        const u = this.#usage;
        u.inputTokens += e.inputTokens;
        u.outputTokens += e.outputTokens;
        if (e.costUsd !== undefined) u.costUsd = (u.costUsd ?? 0) + e.costUsd;
        return { kind: 'usage', inputTokens: u.inputTokens, outputTokens: u.outputTokens, ...(u.costUsd !== undefined ? { costUsd: u.costUsd } : {}) };
      }
      case 'result':
        // The summary is most often the agent's last message, already in the transcript.
        return { kind: 'result', ok: e.ok, summary: e.summary.trim() === this.#lastText.trim() ? '' : this.redactor.redact(e.summary) };
    }
  }
}

/** Every text of the last word redacted whole, before the rendering cuts any of it. */
export function redactOutcome(o: FinalOutcome, redactor: Redactor): FinalOutcome {
  switch (o.kind) {
    case 'pull-request':
      return {
        ...o,
        summary: redactor.redact(o.summary),
        ...(o.partial !== undefined ? { partial: redactor.redact(o.partial) } : {}),
        files: o.files.map((f) => ({ ...f, path: redactor.redact(f.path) })),
      };
    case 'no-changes':
      return { ...o, summary: redactor.redact(o.summary) };
    case 'agent-failed': {
      const reason = redactor.redact(o.reason);
      return { ...o, reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason, outputTail: redactor.redact(o.outputTail) };
    }
    case 'user-error':
    case 'sandbox-error':
      return { ...o, message: redactor.redact(o.message) };
    default:
      return o;
  }
}
