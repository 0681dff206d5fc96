import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellJoin, shellQuote } from '../../src/security/shell-quote.js';

describe('shell quoting', () => {
  const hostile = ["it's", '$(touch /tmp/pwned)', '`id`', 'a b\tc\nd', '"double"', '\\', '*', '~', '!', '-n', '', 'ü日本', "'; rm -rf / #"];

  it.each(hostile)('passes %j to a program byte for byte', (arg) => {
    const out = execFileSync('bash', ['-c', `printf '%s' ${shellQuote(arg)}`], { encoding: 'utf8' });
    expect(out).toBe(arg);
  });

  it('joins several arguments, each its own word', () => {
    const out = execFileSync('bash', ['-c', `for a in ${shellJoin(['a b', "c'd", '$HOME'])}; do echo "[$a]"; done`], { encoding: 'utf8' });
    expect(out).toBe("[a b]\n[c'd]\n[$HOME]\n");
  });

  it('refuses a NUL byte, which no shell argument can hold', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});
