import { describe, expect, it } from 'vitest';
import { parseAgentCommand } from '../../src/triggers/grammar.js';

const known = (w: string): boolean => ['claude', 'codex', 'claude-code'].includes(w.toLowerCase());

describe('the /agent grammar', () => {
  it('takes the profile from the first word when it names one', () => {
    expect(parseAgentCommand('/agent codex fix the parser', known)).toEqual({ verb: 'run', profile: 'codex', instructions: 'fix the parser' });
  });

  it('gives all the text to the default profile when the first word is not a profile', () => {
    expect(parseAgentCommand('/agent fix the parser', known)).toEqual({ verb: 'run', instructions: 'fix the parser' });
  });

  it('keeps further lines as instructions', () => {
    expect(parseAgentCommand('/agent claude first\nsecond line\n\nthird', known)).toEqual({ verb: 'run', profile: 'claude', instructions: 'first\nsecond line\n\nthird' });
  });

  it('accepts a bare /agent and a profile with no instructions', () => {
    expect(parseAgentCommand('/agent', known)).toEqual({ verb: 'run', instructions: '' });
    expect(parseAgentCommand('/agent Claude', known)).toEqual({ verb: 'run', profile: 'claude', instructions: '' });
  });

  it('only looks at the first line, after leading whitespace', () => {
    expect(parseAgentCommand('thanks!\n/agent claude do it', known)).toBeUndefined();
    expect(parseAgentCommand('  \r\n/agent claude do it', known)).toEqual({ verb: 'run', profile: 'claude', instructions: 'do it' });
  });

  it('does not mistake a longer word for the command', () => {
    expect(parseAgentCommand('/agents are great', known)).toBeUndefined();
    expect(parseAgentCommand('/agentclaude', known)).toBeUndefined();
  });

  it('knows stop, help and status only as the whole command', () => {
    expect(parseAgentCommand('/agent help', known)).toEqual({ verb: 'help' });
    expect(parseAgentCommand('/agent STOP', known)).toEqual({ verb: 'stop' });
    expect(parseAgentCommand('/agent status', known)).toEqual({ verb: 'status' });
    expect(parseAgentCommand('/agent help me write the docs', known)).toEqual({ verb: 'run', instructions: 'help me write the docs' });
  });

  it('uses the configured command word', () => {
    expect(parseAgentCommand('/bot codex go', known, '/bot')).toEqual({ verb: 'run', profile: 'codex', instructions: 'go' });
    expect(parseAgentCommand('/agent codex go', known, '/bot')).toBeUndefined();
  });

  it('reads key=value options right after the agent, or after the command', () => {
    expect(parseAgentCommand('/agent codex model=gpt-5.5 base=release-2 fix the parser\nmore', known)).toEqual({
      verb: 'run',
      profile: 'codex',
      instructions: 'fix the parser\nmore',
      options: { model: 'gpt-5.5', base: 'release-2' },
    });
    expect(parseAgentCommand('/agent base=dev fix it', known)).toEqual({ verb: 'run', instructions: 'fix it', options: { base: 'dev' } });
    // Only leading words are options: later ones belong to the text.
    expect(parseAgentCommand('/agent codex set x=1 in the config', known)).toEqual({ verb: 'run', profile: 'codex', instructions: 'set x=1 in the config' });
    expect(parseAgentCommand('/agent codex colour=blue', known)).toEqual({ verb: 'run', profile: 'codex', instructions: '', options: { colour: 'blue' } });
  });
});
