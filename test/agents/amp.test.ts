import { describe, expect, it } from 'vitest';
import { parseAgentOutput } from '../../src/agents/agent-stream.js';
import { amp, parseAmpStreamLine } from '../../src/agents/amp.js';
import { UserError } from '../../src/errors.js';
import { of, sample } from './harness.js';

const T = 'T-5928a90d-d53b-488f-a829-4e36442142ee';

// Amp could not be captured (README of the samples): its --stream-json output is Claude Code's shapes
// with thread ids, so its fixtures are Claude Code's real samples with a thread id, and Amp's own
// failed-result shape.
const ampSample = (file: string): string => sample(file).replaceAll(/"session_id":"[^"]+"/g, `"session_id":"${T}"`);

describe("Amp's stream-json parser", () => {
  it('reads the thread id, the edit, the final text and usage from Claude-shaped output', () => {
    const es = parseAgentOutput(amp, ampSample('claude-stream-json-success.jsonl'));
    expect(new Set(of(es, 'session').map((e) => e.id))).toEqual(new Set([T]));
    expect(of(es, 'tool').map((e) => e.detail)).toEqual(['Edited `/home/user/repo/hello.txt`']);
    expect(of(es, 'usage')[0]).toMatchObject({ inputTokens: 22, outputTokens: 14 });
    expect(of(es, 'result')).toEqual([{ type: 'result', ok: true, summary: 'Done: I created the file.' }]);
  });

  it('classifies the same failures Claude Code reports', () => {
    expect(of(parseAgentOutput(amp, ampSample('claude-stream-json-401.jsonl')), 'result')[0]).toMatchObject({ ok: false, reason: 'auth' });
    expect(of(parseAgentOutput(amp, ampSample('claude-stream-json-429.jsonl')), 'result')[0]).toMatchObject({ ok: false, reason: 'rate_limit' });
  });

  it("reads a failed result's reason from its `error` field", () => {
    const line = JSON.stringify({
      type: 'result',
      subtype: 'error_during_execution',
      is_error: true,
      num_turns: 1,
      error: '429 Too Many Requests: rate limit exceeded',
      session_id: T,
    });
    expect(parseAmpStreamLine(line)).toEqual([
      { type: 'session', id: T },
      { type: 'result', ok: false, summary: '429 Too Many Requests: rate limit exceeded', reason: 'rate_limit' },
    ]);
    const unauthorized = JSON.stringify({ type: 'result', subtype: 'error_during_execution', is_error: true, error: '401 Unauthorized: invalid API key', session_id: T });
    expect(of(parseAmpStreamLine(unauthorized), 'result')[0]).toMatchObject({ reason: 'auth', summary: '401 Unauthorized: invalid API key' });
  });

  // Lines in the shapes @sourcegraph/amp-sdk publishes for `--stream-json` (dist/types.d.ts,
  // StreamMessage): every field its interfaces declare, no more.
  it("reads each message of the Amp SDK's StreamMessage types", () => {
    const lines = [
      { type: 'system', subtype: 'init', session_id: T, cwd: '/home/user/repo', tools: ['Bash', 'edit_file'], mcp_servers: [] },
      {
        type: 'assistant',
        session_id: T,
        parent_tool_use_id: null,
        message: {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          content: [{ type: 'tool_use', id: 'toolu_1', name: 'edit_file', input: { path: '/home/user/repo/hello.txt', old_str: '', new_str: 'hi' } }],
          stop_reason: 'tool_use',
          stop_sequence: null,
          usage: { input_tokens: 10, output_tokens: 5 },
        },
      },
      {
        type: 'user',
        session_id: T,
        parent_tool_use_id: null,
        message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'edited', is_error: false }] },
      },
      { type: 'result', subtype: 'success', session_id: T, is_error: false, result: 'Done.', duration_ms: 900, num_turns: 2, usage: { input_tokens: 30, output_tokens: 9 } },
    ];
    const es = parseAgentOutput(amp, lines.map((l) => JSON.stringify(l)).join('\n'));
    expect(new Set(of(es, 'session').map((e) => e.id))).toEqual(new Set([T]));
    expect(of(es, 'tool')).toEqual([{ type: 'tool', name: 'edit_file', detail: 'edit_file `/home/user/repo/hello.txt`' }]);
    expect(of(es, 'tool-result')).toEqual([{ type: 'tool-result', output: 'edited' }]);
    expect(of(es, 'usage')).toEqual([{ type: 'usage', inputTokens: 30, outputTokens: 9 }]);
    expect(of(es, 'result')).toEqual([{ type: 'result', ok: true, summary: 'Done.' }]);
    const outOfTurns = { type: 'result', subtype: 'error_max_turns', session_id: T, is_error: true, error: 'Reached the turn limit', duration_ms: 1, num_turns: 5 };
    expect(of(parseAmpStreamLine(JSON.stringify(outOfTurns)), 'result')).toEqual([{ type: 'result', ok: false, summary: 'Reached the turn limit', reason: 'max_turns' }]);
  });

  it('keeps a line that is not JSON as log text', () => {
    expect(parseAmpStreamLine('Checking for updates...')).toEqual([{ type: 'log', text: 'Checking for updates...' }]);
  });
});

describe('the Amp profile', () => {
  it('runs amp in execute mode with stream-json in the work dir, the prompt on stdin', () => {
    expect(amp.command({ promptFile: '/home/user/.issuesmith/prompt.md', workdir: '/home/user/repo' })).toBe(
      'cd /home/user/repo && amp --dangerously-allow-all --stream-json -x < /home/user/.issuesmith/prompt.md',
    );
  });

  it('continues a thread with `amp threads continue <id>` and the same flags', () => {
    expect(amp.command({ promptFile: '/p.md', workdir: '/home/user/repo', resume: T })).toBe(
      `cd /home/user/repo && amp threads continue ${T} --dangerously-allow-all --stream-json -x < /p.md`,
    );
    expect(() => amp.command({ promptFile: '/p.md', workdir: '/w', resume: '--help' })).toThrow(UserError);
  });

  it('needs AMP_API_KEY and reads AGENTS.md', () => {
    expect(amp.secrets.required).toEqual(['AMP_API_KEY']);
    expect(amp.instructionsFile).toBe('AGENTS.md');
    expect(amp.template).toBe('issuesmith-amp-0-0-1790142911-g7618fb');
  });
});
