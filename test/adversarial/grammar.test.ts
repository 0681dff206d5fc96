import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProfileRegistry } from '../../src/agents/registry.js';
import { UserError } from '../../src/errors.js';
import { parseAgentCommand } from '../../src/triggers/grammar.js';
import { hostileText, hugeText, runs } from './hostile.js';

// The `/agent` grammar is the first thing a stranger's comment meets. Whatever the comment, it parses
// without throwing, and what it hands on (a profile, options) has the shape the worker expects.

const CANARY = '/tmp/issuesmith-grammar-canary';
const registry = new ProfileRegistry();
const isProfile = (w: string): boolean => registry.get(w) !== undefined;
const word = hostileText(CANARY, { maxParts: 3, nul: true });
const body = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.constantFrom('/agent', '/AGENT', ' \r\n/agent', '/agent\t', '/agentx', 'please /agent'),
        fc.array(fc.oneof(word, fc.constantFrom(...registry.names(), 'model=', 'base=', '=', 'stop', 'help', 'status')), { maxLength: 8 }),
        fc.array(word, { maxLength: 3 }),
      )
      .map(([cmd, words, rest]) => `${cmd} ${words.join(' ')}\n${rest.join('\n')}`),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
  { weight: 1, arbitrary: hugeText(CANARY, 50_000).map((t) => `/agent ${t}`) },
);

describe('the /agent grammar, on hostile comments', () => {
  it('never throws, and hands on only a known profile and options with a plain name and a value without whitespace', () => {
    fc.assert(
      fc.property(body, (b) => {
        const c = parseAgentCommand(b, isProfile);
        if (c?.verb !== 'run') return;
        if (c.profile !== undefined) {
          expect(isProfile(c.profile)).toBe(true);
          expect(c.profile).toBe(c.profile.toLowerCase());
        }
        for (const [k, v] of Object.entries(c.options ?? {})) {
          expect(k).toMatch(/^[a-z][a-z0-9_-]{0,30}$/);
          expect(v).toMatch(/^\S+$/);
        }
      }),
      runs(300),
    );
  });

  it('hands on model= and base= values exactly as typed, whatever they hold', () => {
    const value = word.map((w) => w.replace(/\s/g, '')).filter((w) => w !== '');
    fc.assert(
      fc.property(fc.constantFrom(...registry.names()), value, value, (profile, model, base) => {
        const c = parseAgentCommand(`/agent ${profile} model=${model} base=${base} fix it`, isProfile);
        expect(c).toEqual({ verb: 'run', profile, instructions: 'fix it', options: { model, base } });
      }),
      runs(300),
    );
  });

  it('answers an unknown agent name with a UserError on one short line', () => {
    fc.assert(
      fc.property(fc.oneof(word, hugeText(CANARY, 5_000)), (name) => {
        fc.pre(!isProfile(name));
        let error: unknown;
        try {
          registry.require(name);
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(UserError);
        const message = (error as Error).message;
        expect(message).not.toMatch(/\n/);
        expect(message.length).toBeLessThan(300);
      }),
      runs(300),
    );
  });
});
