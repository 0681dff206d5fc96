import { describe, expect, it } from 'vitest';
import { parseAgentCommand } from '../../src/triggers/grammar.js';
import { intentFromComment } from '../../src/triggers/comment-intent.js';
import { pullCommentPayload } from '../helpers/payloads.js';

const known = (w: string): boolean => ['claude', 'codex'].includes(w.toLowerCase());

describe('the fix ci grammar', () => {
  it('reads `fix ci` as the failing checks, with or without an agent, options and more instructions', () => {
    expect(parseAgentCommand('/agent fix ci', known)).toEqual({ verb: 'run', instructions: '', fixCi: true });
    expect(parseAgentCommand('/agent Fix CI.', known)).toEqual({ verb: 'run', instructions: '', fixCi: true });
    expect(parseAgentCommand('/agent codex fix ci and keep the API\nno new dependencies', known)).toEqual({
      verb: 'run',
      profile: 'codex',
      instructions: 'and keep the API\nno new dependencies',
      fixCi: true,
    });
    expect(parseAgentCommand('/agent codex model=gpt-5.5 fix ci', known)).toEqual({ verb: 'run', profile: 'codex', instructions: '', options: { model: 'gpt-5.5' }, fixCi: true });
  });

  it('leaves other requests that merely mention CI alone', () => {
    expect(parseAgentCommand('/agent fix the ci config', known)).toEqual({ verb: 'run', instructions: 'fix the ci config' });
    expect(parseAgentCommand('/agent please fix ci', known)).toEqual({ verb: 'run', instructions: 'please fix ci' });
    expect(parseAgentCommand('/agent fix\nci', known)).toEqual({ verb: 'run', instructions: 'fix\nci' });
  });

  it('makes `/agent fix ci` on a pull request a follow-up that asks for the checks', () => {
    const intent = intentFromComment(pullCommentPayload('/agent claude fix ci', { number: 77 }), 'd-1', {
      defaultProfile: 'claude',
      isProfile: known,
      labelPrefix: 'agent',
      command: '/agent',
    });
    expect(intent).toMatchObject({ kind: 'continue', job: { fixCi: true, profile: 'claude', profileNamed: true, instructions: '', pull: { number: 77 } } });
  });
});
