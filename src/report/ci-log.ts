import type { Redactor } from '../security/redact.js';

/** How much of a CI job's log goes to the agent. */
export interface LogExcerptLimits {
  /** Lines kept before and after the first error. */
  before: number;
  after: number;
  /** The last lines of the log. */
  tail: number;
  /** A kept line longer than this is cut (after redaction). */
  lineChars: number;
  /** The whole excerpt at most (after redaction); the end of the log is what stays. */
  chars: number;
}

export const LOG_EXCERPT_LIMITS: LogExcerptLimits = { before: 10, after: 30, tail: 200, lineChars: 600, chars: 16_000 };

// A raw line is kept at most this long until it is redacted and cut: longer than any secret, so a
// secret starting inside the shown part is always whole when the redactor sees it.
const RAW_LINE = 16_384;

// Colour and cursor codes (CSI), operating system commands (OSC) and other escapes, then whatever
// control characters are left (tabs stay).
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]|\u009b[0-?]*[ -/]*[@-~]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS_TEST = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
// The timestamp GitHub Actions puts before every line: `2026-12-02T10:00:00.1234567Z `.
const TIMESTAMP = /^\uFEFF?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ?/;

/**
 * Where a tool says something failed: GitHub Actions' own error lines, compilers (`error:`,
 * `error[E0308]:`, `error TS2322:`), exceptions (`TypeError:`, `AssertionError:`), npm, test runners (FAIL, FAILED, failing), Python, Go and git.
 */
const ERROR_LINE =
  /^##\[error\]|(?:\berror|\bERROR|Error|Exception)(?:\[[A-Z]*\d+\]| TS\d+)?:|\bnpm ERR!|^\s*(?:FAIL|FAILED|FAILURE)\b|\b\d+ (?:failing|failed)\b|^Traceback \(most recent call last\)|^panic:|^fatal:/;

/** One line of a CI log as the agent sees it: no colour codes, no control characters, no timestamp. */
export function cleanLogLine(line: string): string {
  // Most lines hold no control character at all: the cheaper test first.
  const plain = CONTROLS_TEST.test(line) ? line.replace(ESCAPES, '').replace(CONTROLS, '') : line;
  return plain.replace(TIMESTAMP, '');
}

/**
 * Reads a CI job's log as it streams in, keeping only what the agent needs: the lines around the
 * first error and the last lines, never the whole log, so memory stays small however large it is.
 * `excerpt` redacts the kept lines with the job's redactor before it cuts anything.
 */
export class LogExcerpt {
  readonly #limits: LogExcerptLimits;
  #partial = '';
  #lines = 0;
  #before: string[] = [];
  #error: { at: number; lines: string[] } | undefined;
  #tail: string[] = [];
  #tailStart = 0;

  constructor(limits: LogExcerptLimits = LOG_EXCERPT_LIMITS) {
    this.#limits = limits;
  }

  /** Lines read so far. */
  get lines(): number {
    return this.#lines;
  }

  push(chunk: string): void {
    const text = this.#partial + chunk;
    const parts = text.split('\n');
    this.#partial = (parts.pop() ?? '').slice(0, RAW_LINE);
    for (const p of parts) this.#line(p);
  }

  #line(raw: string): void {
    const line = cleanLogLine(raw.slice(0, RAW_LINE)).trimEnd();
    const n = this.#lines++;
    const { before, after, tail } = this.#limits;
    if (this.#error === undefined && ERROR_LINE.test(line)) this.#error = { at: n, lines: [...this.#before, line] };
    else if (this.#error !== undefined && n - this.#error.at <= after) this.#error.lines.push(line);
    this.#before.push(line);
    if (this.#before.length > before) this.#before.shift();
    this.#tail.push(line);
    // Trimmed in batches: shifting a long array at every line would cost its length each time.
    if (this.#tail.length >= 2 * tail + 64) this.#trimTail();
  }

  #trimTail(): void {
    const extra = this.#tail.length - this.#limits.tail;
    if (extra <= 0) return;
    this.#tail.splice(0, extra);
    this.#tailStart += extra;
  }

  /**
   * The kept lines, redacted, then each cut to its length: the first error's lines (when the tail does
   * not hold them) in at most a third of the size, from their start; then the tail, from its end.
   */
  excerpt(redactor: Redactor, o: { truncated?: boolean } = {}): string {
    if (this.#partial !== '') {
      this.#line(this.#partial);
      this.#partial = '';
    }
    this.#trimTail();
    const { lineChars, chars } = this.#limits;
    const show = (l: string): string => {
      const clean = redactor.redact(l);
      return clean.length > lineChars ? `${clean.slice(0, lineChars)} … (line cut)` : clean;
    };
    let head = '';
    const error = this.#error;
    if (error !== undefined && error.at < this.#tailStart) {
      const first = Math.max(0, error.at - Math.min(this.#limits.before, error.at));
      const lines = error.lines.slice(0, Math.max(0, this.#tailStart - first));
      const gap = this.#tailStart - (first + lines.length);
      head = `[the first error, from line ${first + 1}]\n${lines.map(show).join('\n')}`;
      if (head.length > chars / 3) head = `${head.slice(0, Math.floor(chars / 3))} … (cut)`;
      if (gap > 0) head += `\n[… ${gap} line${gap === 1 ? '' : 's'} left out …]`;
    }
    const notes = [
      this.#tailStart > 0 ? `[the last ${this.#tail.length} lines of ${this.#lines}]` : '',
      o.truncated === true ? '[the log is longer than the app reads: what follows is where it stopped reading]' : '',
    ];
    let tail = this.#tail.map(show).join('\n');
    const room = Math.max(0, chars - head.length);
    if (tail.length > room) tail = `[… cut …] ${tail.slice(tail.length - room)}`;
    return [head, ...notes, tail].filter((b) => b !== '').join('\n');
  }
}
