import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildFollowUpPrompt, buildFreshFollowUpPrompt, buildPrompt } from '../../src/agents/prompt.js';
import { builtInProfiles } from '../../src/agents/registry.js';
import { cleanUntrustedText } from '../../src/security/untrusted-text.js';
import { hostileText, hugeText, runs } from './hostile.js';

// The prompt is built from strangers' text (issue title and body, comments, review comments, the pull
// request). What a reader of the issue cannot see (HTML comments, invisible characters) must not reach
// the agent, however it is smuggled; and none of the text reaches a command line.

const CANARY = '/tmp/issuesmith-prompt-canary';
// The characters the cleaner promises to remove: zero-width, bidi controls, word joiners, BOM, soft hyphen, tags.
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\u061C\u180E\u00AD]|[\u{E0000}-\u{E007F}]/u;
const SECRET = 'HIDDEN-INSTRUCTION-91c4';

/** Text with hidden parts: HTML comments (some nested, some broken up by invisible characters) holding SECRET. */
const smuggled = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: hostileText(CANARY, { maxParts: 6 }) },
      { weight: 2, arbitrary: fc.constant(`<!-- ${SECRET} -->`) },
      // The pieces of a comment opener, to be put together (or broken up) in every order.
      { weight: 4, arbitrary: fc.constantFrom('<!--', '-->', '<!-', '<!', '--', '-', '<', '!', '>', 'x', ' ', '\r', '\r\n', '\u200B', '\u2066', '\u{E0041}', '\uFEFF', '\u00AD') },
    ),
    { maxLength: 16 },
  )
  .map((parts) => parts.join(''));
const untrusted = fc.oneof({ weight: 8, arbitrary: smuggled }, { weight: 1, arbitrary: hugeText(CANARY, 30_000) });

describe('cleaning untrusted text', () => {
  it('leaves no HTML comment opener, no invisible character and no carriage return, however they are pieced together', () => {
    fc.assert(
      fc.property(untrusted, (text) => {
        const clean = cleanUntrustedText(text);
        expect(clean.includes('<!--'), JSON.stringify(clean.slice(0, 300))).toBe(false);
        expect(INVISIBLE.test(clean), JSON.stringify(clean.slice(0, 300))).toBe(false);
        expect(clean.includes('\r')).toBe(false);
      }),
      runs(300),
    );
  });

  it('is done in one pass: cleaning cleaned text changes nothing', () => {
    fc.assert(
      fc.property(untrusted, (text) => {
        const clean = cleanUntrustedText(text);
        expect(cleanUntrustedText(clean)).toBe(clean);
      }),
      runs(300),
    );
  });

  it('never passes on what an HTML comment hid', () => {
    fc.assert(
      fc.property(smuggled, smuggled, (before, after) => {
        fc.pre(!before.includes(SECRET) && !after.includes(SECRET));
        expect(cleanUntrustedText(`${before}<!--${SECRET}-->${after}`)).not.toContain(SECRET);
      }),
      runs(300),
    );
  });
});

describe('prompts built from hostile issues and comments', () => {
  const issue = fc.record({ title: untrusted, body: untrusted, instructions: untrusted, repositoryInstructions: untrusted, requester: fc.constantFrom('octocat', 'a-b') });

  it('carry no hidden text, HTML comment or invisible character, in every kind of prompt', () => {
    fc.assert(
      fc.property(issue, untrusted, untrusted, (i, pullBody, note) => {
        const prompts = [
          buildPrompt({ owner: 'o', repo: 'r', number: 1, ...i }),
          buildFollowUpPrompt({
            owner: 'o',
            repo: 'r',
            pull: 2,
            branch: 'issuesmith/1-x',
            instructions: i.instructions,
            requester: i.requester,
            notes: [{ path: note, line: 3, diffHunk: note, body: note, login: 'octocat' }],
          }),
          buildFreshFollowUpPrompt({
            owner: 'o',
            repo: 'r',
            pull: 2,
            branch: 'issuesmith/1-x',
            instructions: i.instructions,
            requester: i.requester,
            notes: [{ path: note, line: null, diffHunk: note, body: note, login: 'octocat' }],
            issue: { number: 1, title: i.title, body: i.body },
            pullTitle: i.title,
            pullBody,
            earlier: [{ login: 'octocat', text: note }],
            files: [note],
          }),
        ];
        for (const p of prompts) {
          expect(p).not.toContain(SECRET);
          expect(p.includes('<!--'), JSON.stringify(p.slice(0, 300))).toBe(false);
          expect(INVISIBLE.test(p)).toBe(false);
          expect(p.includes('\r')).toBe(false);
        }
      }),
      runs(200),
    );
  });

  it("never reach a command line: every agent gets only the prompt file's path", () => {
    fc.assert(
      fc.property(fc.constantFrom(...builtInProfiles), issue, (profile, i) => {
        const prompt = buildPrompt({
          owner: 'o',
          repo: 'r',
          number: 1,
          ...i,
          title: `TITLE-MARK ${i.title}`,
          body: `BODY-MARK ${i.body}`,
          instructions: `ASK-MARK ${i.instructions}`,
        });
        expect(prompt).toContain('TITLE-MARK');
        const command = profile.command({ promptFile: '/tmp/job/prompt.md', workdir: '/tmp/job/repo' });
        for (const mark of ['TITLE-MARK', 'BODY-MARK', 'ASK-MARK']) expect(command).not.toContain(mark);
        expect(command).toMatch(/< \/tmp\/job\/prompt\.md$/);
      }),
      runs(100),
    );
  });
});

describe('regressions the properties found', () => {
  it('removes a comment opener pieced together by removing another comment or an invisible character', () => {
    expect(cleanUntrustedText('<!-<!-- a -->- b -->c')).toBe('c');
    expect(cleanUntrustedText('<!\u2066-- do this -->c')).toBe('c');
    expect(cleanUntrustedText('<\u200B!-- and this')).toBe('');
  });

  it('still hides what GitHub hides when an invisible character sits in a closer', () => {
    // GitHub's comment runs to the first real `-->`, after b: the agent must not see the middle either.
    expect(cleanUntrustedText(`x<!-- a --\u200B> ${SECRET} <!-- b -->y`)).toBe('xy');
  });
});
