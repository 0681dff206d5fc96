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
