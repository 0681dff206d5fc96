import { describe, expect, it } from 'vitest';
import { parseAgentOutput } from '../../src/agents/agent-stream.js';
import { claude } from '../../src/agents/claude.js';
import { parseClaudeStreamLine } from '../../src/agents/claude-stream.js';
import type { AgentEvent } from '../../src/agents/profile.js';
import { of, sample } from './harness.js';

const events = (file: string): AgentEvent[] => parseAgentOutput(claude, sample(file));

describe("Claude Code's stream-json parser", () => {
  it('reads the session, the edit, the final text, usage and cost from the success sample', () => {
    const es = events('claude-stream-json-success.jsonl');
    expect(of(es, 'session')[0]?.id).toBe('11111111-2222-4333-8444-555555555555');
    expect(of(es, 'session')[0]?.model).toMatch(/^claude-/);
    expect(of(es, 'tool')).toEqual([{ type: 'tool', name: 'Write', detail: 'Edited `/home/user/repo/hello.txt`' }]);
    expect(of(es, 'text').map((e) => e.text)).toEqual(['Done: I created the file.']);
    expect(of(es, 'usage')).toEqual([{ type: 'usage', inputTokens: 22, outputTokens: 14, costUsd: 0.00046 }]);
    expect(of(es, 'result')).toEqual([{ type: 'result', ok: true, summary: 'Done: I created the file.' }]);
  });

  it("reads a tool's result from the user message that answers it, and a failed one as failed", () => {
    expect(of(events('claude-stream-json-success.jsonl'), 'tool-result')).toEqual([
      { type: 'tool-result', output: 'File created successfully at: /home/user/repo/hello.txt (file state is current in your context — no need to Read it back)' },
    ]);
    const line = JSON.stringify({
      type: 'user',
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', is_error: true, content: [{ type: 'text', text: 'exit 1' }, { type: 'image' }] }] },
    });
    expect(parseClaudeStreamLine(line)).toEqual([{ type: 'tool-result', output: 'exit 1', failed: true }]);
  });

  it('reads the one-object --output-format json result the same way', () => {
    const es = events('claude-json-result.json');
    expect(of(es, 'session')[0]?.id).toBe('f6bb0f70-c99e-4b9c-8469-bdd4d6c64227');
    expect(of(es, 'result')[0]).toMatchObject({ ok: true, summary: 'Done: I created the file.' });
  });

  it('takes is_error over subtype "success": a 401 is a rejected key', () => {
    const result = of(events('claude-stream-json-401.jsonl'), 'result')[0];
    expect(result).toMatchObject({ ok: false, reason: 'auth', summary: 'Failed to authenticate. API Error: 401 mock forced 401' });
  });

  it('reads a 429, with or without retries before it, as rate limited; retries are logged', () => {
    expect(of(events('claude-stream-json-429.jsonl'), 'result')[0]).toMatchObject({ ok: false, reason: 'rate_limit' });
    const retried = events('claude-stream-json-429-with-retries.jsonl');
    expect(of(retried, 'result')[0]).toMatchObject({ ok: false, reason: 'rate_limit' });
    expect(of(retried, 'log').map((e) => e.text)).toEqual(['API retry 1/2 (status 429)', 'API retry 2/2 (status 429)']);
  });

  it('reads error_max_turns as out of turns, with its error text as the summary', () => {
    const result = of(events('claude-stream-json-max-turns.jsonl'), 'result')[0];
    expect(result).toEqual({ type: 'result', ok: false, summary: 'Reached maximum number of turns (1)', reason: 'max_turns' });
  });

  it('keeps a line that is not JSON, or JSON of an unknown type, as log text', () => {
    expect(parseClaudeStreamLine('Invalid API key · Please run /login')).toEqual([{ type: 'log', text: 'Invalid API key · Please run /login' }]);
    expect(parseClaudeStreamLine('{"type":"stream_event","event":{}}')).toEqual([{ type: 'log', text: '{"type":"stream_event","event":{}}' }]);
    expect(parseClaudeStreamLine('   ')).toEqual([]);
  });
});
