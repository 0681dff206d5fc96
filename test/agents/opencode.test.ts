import { describe, expect, it } from 'vitest';
import { parseAgentOutput } from '../../src/agents/agent-stream.js';
import { opencode } from '../../src/agents/opencode.js';
import { parseOpenCodeLine } from '../../src/agents/opencode-stream.js';
import type { AgentEvent } from '../../src/agents/profile.js';
import { UserError } from '../../src/errors.js';
import { of, sample } from './harness.js';

const events = (output: string): AgentEvent[] => parseAgentOutput(opencode, output);
const line = (o: object): string => JSON.stringify({ timestamp: 1, sessionID: 'ses_abc', ...o });

describe("OpenCode's run --format json parser", () => {
  it('reads the session once, a turn for each step, the write, the final text, usage and cost of each step from the sample', () => {
    const es = events(sample('opencode-run-json.jsonl'));
    expect(es).toEqual([
      { type: 'session', id: 'ses_df8c1c941ffeTMUjGroOVMF8rO' },
      { type: 'turn' },
      { type: 'tool', name: 'write', detail: 'Edited `/home/user/repo/hello.txt`' },
      { type: 'usage', inputTokens: 17, outputTokens: 6, costUsd: 0.000141 },
      { type: 'turn' },
      { type: 'text', text: 'Done: I created the file.' },
      { type: 'usage', inputTokens: 17, outputTokens: 6, costUsd: 0.000141 },
      { type: 'result', ok: true, summary: 'Done: I created the file.' },
    ]);
  });

  it('reads the 429 sample as rate limited', () => {
    expect(of(events(sample('opencode-run-json-429.jsonl')), 'result')).toEqual([{ type: 'result', ok: false, summary: 'mock forced 429', reason: 'rate_limit' }]);
  });

  it('reads the 401 sample as a rejected key, with its session', () => {
    const es = events(sample('opencode-run-json-401.jsonl'));
    expect(of(es, 'session')[0]?.id).toBe('ses_df8c2ec10ffetzs6IcpI1NDarj');
    expect(of(es, 'error')).toEqual([{ type: 'error', message: 'mock forced 401', reason: 'auth' }]);
    expect(of(es, 'result')).toEqual([{ type: 'result', ok: false, summary: 'mock forced 401', reason: 'auth' }]);
  });

  it('classifies a 429, a provider auth error and an unknown error; counts cache and reasoning tokens', () => {
    const limited = events(line({ type: 'error', error: { name: 'APIError', data: { message: 'Rate limit exceeded', statusCode: 429 } } }));
    expect(of(limited, 'result')[0]).toMatchObject({ reason: 'rate_limit' });
    const auth = events(line({ type: 'error', error: { name: 'ProviderAuthError', data: { providerID: 'anthropic', message: 'No credentials' } } }));
    expect(of(auth, 'result')[0]).toMatchObject({ reason: 'auth', summary: 'No credentials' });
    const unknown = events(line({ type: 'error', error: { name: 'UnknownError', data: { message: 'boom' } } }));
    expect(of(unknown, 'result')[0]).toMatchObject({ reason: 'crash', summary: 'boom' });
    const step = line({ type: 'step_finish', part: { reason: 'tool-calls', tokens: { input: 5, output: 7, reasoning: 3, cache: { read: 100, write: 20 } }, cost: 0.0123 } });
    expect(of(events(step), 'usage')).toEqual([{ type: 'usage', inputTokens: 125, outputTokens: 10, costUsd: 0.0123 }]);
  });

  it('gives no success once an error came, and none before a step ends for a reason other than tools', () => {
    const failedThenStopped = [
      line({ type: 'error', error: { name: 'APIError', data: { message: 'overloaded', statusCode: 529 } } }),
      line({ type: 'step_finish', part: { reason: 'stop' } }),
    ].join('\n');
    expect(of(events(failedThenStopped), 'result')).toEqual([{ type: 'result', ok: false, summary: 'overloaded', reason: 'rate_limit' }]);
    expect(of(events(line({ type: 'step_finish', part: { reason: 'tool-calls' } })), 'result')).toEqual([]);
  });

  it('marks a failed tool call and keeps unknown lines as log text', () => {
    const failed = line({ type: 'tool_use', part: { tool: 'bash', state: { status: 'error', input: { command: 'rm -rf node_modules' }, error: 'rejected' } } });
    expect(of(parseOpenCodeLine(failed), 'tool')).toEqual([{ type: 'tool', name: 'bash', detail: 'Ran `rm -rf node_modules` (failed)' }]);
    expect(parseOpenCodeLine('{"type":"permission_asked","sessionID":"ses_abc"}')).toEqual([{ type: 'log', text: '{"type":"permission_asked","sessionID":"ses_abc"}' }]);
    expect(parseOpenCodeLine('Error: no provider')).toEqual([{ type: 'log', text: 'Error: no provider' }]);
  });
});

describe('the OpenCode profile', () => {
  it('runs opencode run with JSON events and auto-approval in the work dir, the prompt on stdin', () => {
    expect(opencode.command({ promptFile: '/home/user/.issuesmith/prompt.md', workdir: '/home/user/repo' })).toBe(
      'cd /home/user/repo && opencode run --format json --auto --dir /home/user/repo < /home/user/.issuesmith/prompt.md',
    );
  });

  it('continues a session with --session <id>, and takes a provider/model', () => {
    expect(opencode.command({ promptFile: '/p.md', workdir: '/w', resume: 'ses_df8c1c941ffeTMUjGroOVMF8rO', model: 'anthropic/claude-sonnet-4-5' })).toBe(
      'cd /w && opencode run --format json --auto --dir /w --session ses_df8c1c941ffeTMUjGroOVMF8rO --model anthropic/claude-sonnet-4-5 < /p.md',
    );
    expect(() => opencode.command({ promptFile: '/p.md', workdir: '/w', resume: '-c' })).toThrow(UserError);
  });

  it('takes any one of three providers’ keys and reads AGENTS.md', () => {
    expect(opencode.secrets.required).toEqual(['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY']);
    expect(opencode.instructionsFile).toBe('AGENTS.md');
  });
});
