import { formatStats } from './job-stats.js';
import { fenced, neutralize, quote } from './step-line.js';

// The check run's full transcript of one job: pure text. Every entry is redacted first, whole, and
// only then cut (to a line, a result's first lines, or GitHub's cap): a secret cut in two no longer
// matches the redactor, and its first characters would leak.

/** One thing the transcript shows, in the order it happened. */
export type TranscriptEntry =
  | { kind: 'text'; text: string }
  | { kind: 'tool'; name: string; detail: string }
  | { kind: 'tool-result'; output: string; failed?: boolean }
  | { kind: 'error'; message: string }
  | { kind: 'log'; text: string }
  /** The usage so far: totals, not the step's own. */
  | { kind: 'usage'; inputTokens: number; outputTokens: number; costUsd?: number }
  | { kind: 'result'; ok: boolean; summary: string };

/** GitHub's limit on a check run's `output.text`. */
export const CHECK_TEXT_MAX = 65_535;

/** One entry never takes more than this much of the text, so the beginning and the latest part both fit. */
export const ENTRY_MAX = 16_000;
const LINE_MAX = 500;
const RESULT_LINES = 12;
const RESULT_CHARS = 1_500;
const HEAD_SHARE = 0.3;

export interface TranscriptInput {
  /** The kept entries, oldest first: the beginning, then (after `omitted` dropped ones) the latest. */
  head: readonly TranscriptEntry[];
  /** Entries dropped between `head` and `tail` to bound memory. */
  omitted?: number;
  tail?: readonly TranscriptEntry[];
  /** The job's redactor: applied to every text before anything is cut. */
  redact: (text: string) => string;
  /** The cap of the whole text; GitHub's by default. */
  max?: number;
}

/**
 * The transcript as Markdown for a check run's `output.text`: the agent's messages, each tool call on
 * one line with its result shortened, errors and logs, usage as it grows. Over the cap, the beginning
 * and the latest part are kept, with a line saying what was left out between them.
 */
export function renderTranscript(o: TranscriptInput): string {
  const max = o.max ?? CHECK_TEXT_MAX;
  const title = '## Transcript';
  const render = (es: readonly TranscriptEntry[]): string[] => es.map((e) => renderEntry(redactEntry(e, o.redact))).filter((b) => b !== '');
  const head = render(o.head);
  const tail = render(o.tail ?? []);
  const dropped = o.omitted ?? 0;
  if (head.length + tail.length === 0 && dropped === 0) return `${title}\n\nNothing yet.`;
  const all = [...head, ...tail];
  const whole = [title, ...head, ...(dropped > 0 ? [gapLine(dropped, 0)] : []), ...tail].join('\n\n');
  if (whole.length <= max) return whole;

  // Room for the title, the gap line and the separators; the rest is shared between the beginning and the end.
  const room = max - title.length - 2 - gapLine(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER).length - 4;
  const kept: { first: string[]; last: string[] } = { first: [], last: [] };
  let used = 0;
  let i = 0;
  for (; i < all.length; i += 1) {
    const block = all[i] ?? '';
    if (used + block.length + 2 > room * HEAD_SHARE) break;
    kept.first.push(block);
    used += block.length + 2;
  }
  let j = all.length - 1;
  for (; j >= i; j -= 1) {
    const block = all[j] ?? '';
    if (used + block.length + 2 > room) break;
    kept.last.unshift(block);
    used += block.length + 2;
  }
  const leftOut = all.slice(i, j + 1);
  const chars = leftOut.reduce((n, b) => n + b.length, 0);
  return [title, ...kept.first, gapLine(leftOut.length + dropped, chars), ...kept.last].join('\n\n');
}

function gapLine(entries: number, chars: number): string {
  const what = `${entries.toLocaleString('en-US')} ${entries === 1 ? 'entry' : 'entries'}${chars > 0 ? ` (${chars.toLocaleString('en-US')} characters)` : ''}`;
  return `> :scissors: **${what} left out here**: GitHub keeps 65,535 characters of a check run's text, so the beginning and the latest part are shown.`;
}

/** Every text of an entry through the redactor, before any cut. */
export function redactEntry(e: TranscriptEntry, redact: (text: string) => string): TranscriptEntry {
  switch (e.kind) {
    case 'text':
    case 'log':
      return { ...e, text: redact(e.text) };
    case 'tool':
      return { ...e, name: redact(e.name), detail: redact(e.detail) };
    case 'tool-result':
      return { ...e, output: redact(e.output) };
    case 'error':
      return { ...e, message: redact(e.message) };
    case 'result':
      return { ...e, summary: redact(e.summary) };
    case 'usage':
      return e;
  }
}

/** One entry as Markdown; its text must already be redacted. */
export function renderEntry(e: TranscriptEntry): string {
  switch (e.kind) {
    case 'text':
      return quote(cutText(e.text, ENTRY_MAX));
    case 'tool':
      return `:wrench: ${line(e.detail.trim() === '' ? e.name : e.detail)}`;
    case 'tool-result': {
      const out = shorten(e.output);
      const label = e.failed === true ? ':x: Tool failed' : 'Tool result';
      return out === '' ? `<sub>${label}: no output</sub>` : `<sub>${label}:</sub>\n\n${fenced(out)}`;
    }
    case 'error':
      return `:x: **Error:** ${neutralize(cutText(e.message, ENTRY_MAX).replace(/\s*\n\s*/g, ' '))}`;
    case 'log':
      return `<sub>Log:</sub> ${line(e.text)}`;
    case 'usage':
      return `<sub>Usage so far: ${formatStats({ durationMs: 0, ...e }).replace(/^0s · /, '')}</sub>`;
    case 'result': {
      const head = e.ok ? ':checkered_flag: **The agent finished.**' : ':x: **The agent ended with a failure.**';
      return e.summary.trim() === '' ? head : `${head}\n\n${quote(cutText(e.summary, ENTRY_MAX))}`;
    }
  }
}

/** One line, neutralized, at most LINE_MAX characters; a code span cut open is closed again. */
function line(text: string): string {
  const first = (text.split('\n')[0] ?? '').trim();
  if (first.length <= LINE_MAX) return neutralize(first);
  const short = `${first.slice(0, LINE_MAX - 1)}…`;
  return neutralize((short.match(/`/g) ?? []).length % 2 === 1 ? `${short}\`` : short);
}

/** A tool's output, shortened to its first lines. */
function shorten(output: string): string {
  const trimmed = output.replace(/\s+$/, '');
  const lines = trimmed.split('\n');
  const first = lines.slice(0, RESULT_LINES).join('\n');
  if (first.length > RESULT_CHARS) return cutText(trimmed, RESULT_CHARS);
  const more = lines.length - RESULT_LINES;
  return more > 0 ? `${first}\n… (${more.toLocaleString('en-US')} more lines)` : first;
}

/** At most `max` characters and a note of the rest; never between the two halves of a surrogate pair. */
function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1] ?? '') ? max - 1 : max;
  return `${text.slice(0, end)}\n… (${(text.length - end).toLocaleString('en-US')} more characters)`;
}

/** The size of an entry's texts, to bound what the reporter keeps. */
function entrySize(e: TranscriptEntry): number {
  switch (e.kind) {
    case 'text':
    case 'log':
      return e.text.length;
    case 'tool':
      return e.name.length + e.detail.length;
    case 'tool-result':
      return e.output.length;
    case 'error':
      return e.message.length;
    case 'result':
      return e.summary.length;
    case 'usage':
      return 40;
  }
}

/**
 * A job's transcript in bounded memory: the first entries up to `headChars`, then a ring of the latest
 * up to `tailChars`, counting what fell out between them. Entries must come in redacted: an entry
 * longer than GitHub could show is cut here (and in `renderTranscript`), to what the text keeps.
 */
export class TranscriptBuffer {
  readonly head: TranscriptEntry[] = [];
  readonly tail: TranscriptEntry[] = [];
  omitted = 0;
  /** Grows with every entry: the reporter's cue that the text changed. */
  version = 0;
  #headSize = 0;
  #tailSize = 0;
  #headFull = false;

  constructor(
    private readonly headChars = 24_000,
    private readonly tailChars = 64_000,
  ) {}

  push(entry: TranscriptEntry): void {
    const e = capEntry(entry);
    const size = entrySize(e) + 16;
    this.version += 1;
    if (!this.#headFull && this.#headSize + size <= this.headChars) {
      this.head.push(e);
      this.#headSize += size;
      return;
    }
    this.#headFull = true;
    this.tail.push(e);
    this.#tailSize += size;
    while (this.tail.length > 1 && this.#tailSize > this.tailChars) {
      const dropped = this.tail.shift();
      if (dropped !== undefined) this.#tailSize -= entrySize(dropped) + 16;
      this.omitted += 1;
    }
  }
}

function capEntry(e: TranscriptEntry): TranscriptEntry {
  const cap = (t: string): string => cutText(t, ENTRY_MAX);
  switch (e.kind) {
    case 'text':
    case 'log':
      return { ...e, text: cap(e.text) };
    case 'tool':
      return { ...e, name: cap(e.name), detail: cap(e.detail) };
    case 'tool-result':
      return { ...e, output: cap(e.output) };
    case 'error':
      return { ...e, message: cap(e.message) };
    case 'result':
      return { ...e, summary: cap(e.summary) };
    case 'usage':
      return e;
  }
}
