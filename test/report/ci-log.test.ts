import { describe, expect, it } from 'vitest';
import { cleanLogLine, LogExcerpt } from '../../src/report/ci-log.js';
import { Redactor } from '../../src/security/redact.js';

const limits = { before: 2, after: 2, tail: 3, lineChars: 40, chars: 2_000 };

describe('the CI log excerpt', () => {
  it('strips colour codes, other escapes, control characters and the Actions timestamp', () => {
    expect(cleanLogLine('\uFEFF2026-12-02T10:00:00.1234567Z \u001b[31;1mError:\u001b[0m bad\u0007 \u001b]0;title\u0007x')).toBe('Error: bad x');
  });

  it('keeps the lines around the first error and the last lines, across chunk boundaries, and says what it left out', () => {
    const log = new LogExcerpt(limits);
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    lines[10] = 'error: first problem';
    lines[20] = 'error: second problem';
    const text = lines.join('\n');
    log.push(text.slice(0, 37));
    log.push(text.slice(37));
    expect(log.excerpt(new Redactor()).split('\n')).toEqual([
      '[the first error, from line 9]',
      'line 8',
      'line 9',
      'error: first problem',
      'line 11',
      'line 12',
      '[… 14 lines left out …]',
      '[the last 3 lines of 30]',
      'line 27',
      'line 28',
      'line 29',
    ]);
  });

  it('redacts a line before it cuts it, so no part of a secret is shown', () => {
    const secret = 'a-secret-value-of-the-app-0123456789';
    const log = new LogExcerpt(limits);
    log.push(`${'x'.repeat(30)}${secret}${'y'.repeat(30)}\n`);
    const shown = log.excerpt(new Redactor([secret]));
    expect(shown).toBe(`${'x'.repeat(30)}[REDACTED] … (line cut)`);
    expect(shown).not.toContain('a-secret');
  });

  it('keeps the end when the excerpt is over its size', () => {
    const log = new LogExcerpt({ ...limits, tail: 100, lineChars: 1_000, chars: 50 });
    log.push(Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n'));
    const shown = log.excerpt(new Redactor());
    expect(shown.endsWith('line 99')).toBe(true);
    expect(shown).not.toContain('line 1\n');
  });
});
