const REDACTED = '[REDACTED]';

// Token shapes worth hiding even when we did not mint them: GitHub (ghs_, ghp_, gho_, ghu_, ghr_,
// github_pat_) of any length, Anthropic and OpenAI keys.
const TOKEN_SHAPES = /\b(?:gh[pousr]_[A-Za-z0-9_]{16,}|github_pat_[A-Za-z0-9_]{20,}|sk-ant-[A-Za-z0-9_-]{10,}|sk-[A-Za-z0-9_-]{20,})/g;

/**
 * Removes every known secret value and common token shapes from text that leaves the app. Holds the
 * values of configured secrets and of the tokens minted for a job; `add` is called as tokens are minted.
 */
export class Redactor {
  readonly #values = new Set<string>();

  constructor(values: Iterable<string | undefined> = []) {
    for (const v of values) this.add(v);
  }

  add(value: string | undefined): void {
    // Very short values would blank out ordinary words; nothing we guard is that short.
    if (value === undefined || value.length < 8) return;
    this.#values.add(value);
    // Keys pasted into env vars sometimes arrive with their PEM lines; hide each long line too.
    for (const part of value.split(/\r?\n/)) if (part.length >= 16 && part !== value) this.#values.add(part);
  }

  /** Whether the text holds any secret value or token shape this redactor would remove. */
  matches(text: string): boolean {
    for (const v of this.#values) if (text.includes(v)) return true;
    TOKEN_SHAPES.lastIndex = 0;
    return TOKEN_SHAPES.test(text);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is removed whole.
    for (const v of [...this.#values].sort((a, b) => b.length - a.length)) out = out.split(v).join(REDACTED);
    return out.replace(TOKEN_SHAPES, REDACTED);
  }
}
