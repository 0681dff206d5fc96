import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { builtInProfiles } from '../../src/agents/registry.js';
import { commitMessage } from '../../src/jobs/steps/push-change.js';
import { makeJob } from '../helpers/jobs.js';
import { bashEach, hostileText, hugeText, makeLab, runs } from './hostile.js';

// The commit message carries an issue title and a requester's login, both from outside. Git (and
// GitHub, which reads Co-authored-by from the commit) must find exactly one trailer in it: the app's
// own Co-authored-by for the requester, whatever the title and login hold.

const lab = makeLab('commit');
afterAll(() => lab.remove());
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const TRAILERS = [
  '\nCo-authored-by: evil <evil@example.com>',
  '\nSigned-off-by: evil <evil@example.com>',
  '\n\nCo-authored-by: evil <evil@example.com>\n',
  '\r\nReviewed-by: x',
  '\u2028Fixes: #1',
  '\n\n\n',
];

const text = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(hostileText(lab.canary, { maxParts: 6 }), fc.constantFrom(...TRAILERS), hostileText(lab.canary, { maxParts: 3 })).map((p) => p.join('')) },
  { weight: 2, arbitrary: hostileText(lab.canary) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 120 }) },
  { weight: 1, arbitrary: hugeText(lab.canary, 10_000) },
);
const login = fc.oneof({ weight: 2, arbitrary: fc.constantFrom('octocat', 'a-b', 'dependabot[bot]') }, { weight: 3, arbitrary: text.filter((s) => s !== '') });
let batches = 0;

describe('the commit message', () => {
  it('has exactly one trailer, git says: the Co-authored-by of the requester, whatever the title and login', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ title: text, login, id: fc.integer({ min: 1, max: 2 ** 31 }), profile: fc.constantFrom(...builtInProfiles) }), { minLength: 40, maxLength: 60 }),
        (items) => {
          batches += 1;
          const dir = join(lab.root, 'batch', String(batches));
          mkdirSync(dir, { recursive: true });
          const messages = items.map((it, i) => {
            const job = makeJob({ number: 12, issue: { title: it.title, body: '' }, requester: { login: it.login, id: it.id } });
            const message = commitMessage(job, it.profile, 'users.noreply.github.com');
            writeFileSync(join(dir, `message-${i}`), message);
            return message;
          });
          const results = bashEach(
            join(dir, 'git'),
            messages.map((_, i) => `git interpret-trailers --parse <${join(dir, `message-${i}`)}`),
            { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: '/nonexistent' },
          );
          items.forEach((it, i) => {
            const message = messages[i] ?? '';
            const what = JSON.stringify({ title: it.title.slice(0, 200), login: it.login.slice(0, 200), message: message.slice(0, 400) });
            expect(results[i]?.code, what).toBe(0);
            const trailers = (results[i]?.stdout.toString() ?? '').split('\n').filter((l) => l !== '');
            expect(trailers, what).toHaveLength(1);
            expect(trailers[0], what).toMatch(new RegExp(`^Co-authored-by: [^\\s<>]+ <${it.id}\\+[^\\s<>@]+@users\\.noreply\\.github\\.com>$`));
            // Subject, blank, body, blank, trailer: no line more, no line less.
            expect(message.split('\n'), what).toHaveLength(5);
            expect(LONE_SURROGATE.test(message), `a character cut in half: ${what}`).toBe(false);
          });
        },
      ),
      runs(3, { batched: true }),
    );
  });

  it('keeps an ordinary login and title as they are', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$/), fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ]{0,50}[A-Za-z0-9]$/), (name, title) => {
        const message = commitMessage(
          makeJob({ number: 3, issue: { title, body: '' }, requester: { login: name, id: 7 } }),
          builtInProfiles[0] ?? (undefined as never),
          'users.noreply.github.com',
        );
        expect(message.split('\n')[0]).toBe(`${title.replace(/\s+/g, ' ')} (#3)`);
        expect(message.split('\n')[4]).toBe(`Co-authored-by: ${name} <7+${name}@users.noreply.github.com>`);
      }),
      runs(200),
    );
  });
});

describe('regressions the properties found', () => {
  const claude = builtInProfiles.find((p) => p.name === 'claude') ?? (undefined as never);
  const message = (title: string, login = 'octocat'): string =>
    commitMessage(makeJob({ number: 9, issue: { title, body: '' }, requester: { login, id: 5 } }), claude, 'users.noreply.github.com');

  it('a login cannot add a trailer of its own', () => {
    expect(message('Fix it', 'octocat\nSigned-off-by: evil <e@x>').split('\n')).toEqual([
      'Fix it (#9)',
      '',
      "Made by Claude Code for #9, at @octocatSigned-off-byevilex's request.",
      '',
      'Co-authored-by: octocatSigned-off-byevilex <5+octocatSigned-off-byevilex@users.noreply.github.com>',
    ]);
  });

  it('a NUL or another control character in the title does not cut the message short for git', () => {
    expect(message('Fix\0 the\x1b[31m parser').split('\n')[0]).toBe('Fix the [31m parser (#9)');
  });

  it('a long title is cut between characters, not inside an emoji', () => {
    expect(message(`${'a'.repeat(59)}🚀🚀`).split('\n')[0]).toBe(`${'a'.repeat(59)}🚀 (#9)`);
  });
});
