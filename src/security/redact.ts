const REDACTED = '[REDACTED]';

// Token shapes worth hiding even when we did not mint them: GitHub (ghs_, ghp_, gho_, ghu_, ghr_,
// github_pat_) of any length, Anthropic and OpenAI keys. A shape glued to the text before it (`xghp_…`,
// a token after a random byte in a binary file) is still one: only the short GitHub form and OpenAI's
// generic `sk-` need a word boundary before them, or ordinary words would match (`weighs_more_…`, `task-…`).
const TOKEN_SHAPES = /(?:\bgh[pousr]_[A-Za-z0-9_]{16,}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{20,}|sk-ant-[A-Za-z0-9_-]{10,}|\bsk-[A-Za-z0-9_-]{20,})/g;

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

  /**
   * Whether the text holds one of the secret values (configured secrets, minted tokens) in any of the
   * forms a file could carry it: plain, base64 (standard or URL-safe, at any byte offset) or URL-encoded.
   */
  holdsSecretValue(text: string): boolean {
    for (const v of this.#values) {
      if (text.includes(v)) return true;
      for (const form of encodedForms(v)) if (text.includes(form)) return true;
    }
    return false;
  }

  /** The token-shaped strings in a text (GitHub, Anthropic, OpenAI keys), whoever minted them. */
  tokenShapes(text: string): string[] {
    return [...text.matchAll(TOKEN_SHAPES)].map((m) => m[0]);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is removed whole.
    for (const v of [...this.#values].sort((a, b) => b.length - a.length)) out = out.split(v).join(REDACTED);
    return out.replace(TOKEN_SHAPES, REDACTED);
  }
}

/** The forms a value takes once encoded: URL-encoding, and the stable middle of its base64 at each of the three byte alignments. */
function encodedForms(value: string): string[] {
  const forms = new Set<string>();
  const url = encodeURIComponent(value);
  if (url !== value) forms.add(url);
  const bytes = Buffer.from(value, 'utf8');
  for (let shift = 0; shift < 3; shift++) {
    const b64 = Buffer.concat([Buffer.alloc(shift), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    // Characters that also depend on the bytes before or after the value are dropped.
    const start = shift === 0 ? 0 : 4;
    const end = (shift + bytes.length) % 3 === 0 ? b64.length : b64.length - 1;
    const core = b64.slice(start, end);
    if (core.length < 12) continue;
    forms.add(core);
    forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms];
}
