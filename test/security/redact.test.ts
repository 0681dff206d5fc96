import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/security/redact.js';

describe('redaction', () => {
  it('removes configured values wherever they appear', () => {
    const r = new Redactor(['super-secret-value-1234', undefined, '']);
    expect(r.redact('key=super-secret-value-1234; again super-secret-value-1234')).toBe('key=[REDACTED]; again [REDACTED]');
  });

  it('removes tokens added later, of any length', () => {
    const r = new Redactor();
    const long = `ghs_${'A'.repeat(120)}`;
    r.add(long);
    expect(r.redact(`token ${long} end`)).toBe('token [REDACTED] end');
  });

  it('removes the common token shapes it was never told about', () => {
    const r = new Redactor();
    const text = `ghp_${'a'.repeat(36)} github_pat_${'b'.repeat(60)} sk-ant-api03-${'c'.repeat(40)} sk-proj-${'d'.repeat(40)}`;
    expect(r.redact(text)).toBe('[REDACTED] [REDACTED] [REDACTED] [REDACTED]');
  });

  it('removes each line of a multi-line key', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAvTestLineOne\nMIIEowIBAAKCAQEAvTestLineTwo\n-----END RSA PRIVATE KEY-----';
    const r = new Redactor([pem]);
    expect(r.redact('line: MIIEowIBAAKCAQEAvTestLineTwo')).toBe('line: [REDACTED]');
  });

  it('leaves ordinary words alone', () => {
    const r = new Redactor(['short']);
    expect(r.redact('a short sentence with sk- and ghs_ mentioned')).toBe('a short sentence with sk- and ghs_ mentioned');
    // Words that hold a shape's beginning inside them are not tokens.
    const code = 'if (box.weighs_more_than_the_limit_of_this_crate) run_task-scheduler-with-a-long-name-here();';
    expect(r.redact(code)).toBe(code);
    expect(r.tokenShapes(code)).toEqual([]);
  });

  it('finds a token glued to the text before it, as after a random byte in a binary file', () => {
    const r = new Redactor();
    const ghp = `ghp_${'k'.repeat(36)}`;
    for (const before of ['x', '7', '_', 'é', '\u0000']) expect(r.tokenShapes(`${before}${ghp}`), `after ${JSON.stringify(before)}`).toEqual([ghp]);
    expect(r.redact(`abcsk-ant-api03-${'c'.repeat(40)} xgithub_pat_${'b'.repeat(60)}`)).toBe('abc[REDACTED] x[REDACTED]');
  });
});

describe('secret values in the forms a file could carry them', () => {
  it('finds a value plain, base64 at any byte offset (standard and URL-safe) and URL-encoded', () => {
    const value = 'sk-test+value/with?odd=chars-0123456789';
    const r = new Redactor([value]);
    expect(r.holdsSecretValue(`x ${value} y`)).toBe(true);
    for (const prefix of ['', 'a', 'ab', 'abc']) {
      const b64 = Buffer.from(`${prefix}${value}tail`).toString('base64');
      expect(r.holdsSecretValue(`data: ${b64}`)).toBe(true);
      expect(r.holdsSecretValue(b64.replace(/\+/g, '-').replace(/\//g, '_'))).toBe(true);
    }
    expect(r.holdsSecretValue(`?k=${encodeURIComponent(value)}`)).toBe(true);
    expect(r.holdsSecretValue('an ordinary file')).toBe(false);
  });
});
