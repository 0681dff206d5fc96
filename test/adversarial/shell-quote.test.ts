import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { shellJoin, shellQuote } from '../../src/security/shell-quote.js';
import { bashEach, hostileText, makeLab, nulFields, runs } from './hostile.js';

// shellQuote is the one function that puts a value into a command string: whatever the value, a real
// bash must see exactly that value, as one word, in every place the app puts one.

const lab = makeLab('quote');
afterAll(() => lab.remove());

const noNul = (s: string): string => s.replaceAll('\0', '');
const value = fc.oneof(
  { weight: 3, arbitrary: hostileText(lab.canary, { maxParts: 10 }).map(noNul) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map(noNul) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }).map(noNul) },
);
let batches = 0;

describe('shellQuote, against a real bash', () => {
  it('round-trips any string without a NUL byte, as an argument and as an assignment, and runs nothing', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 40, maxLength: 50 }), (values) => {
        batches += 1;
        const dir = join(lab.root, 'batch', String(batches));
        // As an argument (`printf %s 'v'`), and as a variable assignment (`X='v'`).
        const commands = values.flatMap((v) => [`printf %s ${shellQuote(v)}`, `X=${shellQuote(v)}; printf %s "$X"`]);
        const results = bashEach(dir, commands);
        expect(lab.pwned(), 'an injected command ran').toBe(false);
        values.forEach((v, i) => {
          for (const r of [results[2 * i], results[2 * i + 1]]) {
            expect(r?.code, JSON.stringify(v)).toBe(0);
            expect(r?.stdout.equals(Buffer.from(v, 'utf8')), `${JSON.stringify(v)} came back as ${JSON.stringify(r?.stdout.toString())}`).toBe(true);
          }
        });
      }),
      runs(3, { batched: true }),
    );
  });

  it('keeps any list of arguments apart, each one word, through shellJoin', () => {
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 6 }), { minLength: 30, maxLength: 40 }), (lists) => {
        batches += 1;
        const results = bashEach(
          join(lab.root, 'batch', String(batches)),
          lists.map((args) => `printf '%s\\0' ${shellJoin(['first', ...args])}`),
        );
        expect(lab.pwned(), 'an injected command ran').toBe(false);
        lists.forEach((args, i) => expect(nulFields(results[i]?.stdout ?? Buffer.alloc(0)), JSON.stringify(args)).toEqual(['first', ...args]));
      }),
      runs(3, { batched: true }),
    );
  });

  it('refuses any string holding a NUL byte rather than cut it short', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(() => shellQuote(`${a}\0${b}`)).toThrow(/NUL byte/);
      }),
      runs(300),
    );
  });
});
