import { describe, expect, it } from 'vitest';
import { agentStream, parseAgentOutput } from '../../src/agents/agent-stream.js';
import { claude } from '../../src/agents/claude.js';
import { codex } from '../../src/agents/codex.js';
import type { AgentEvent, AgentProfile } from '../../src/agents/profile.js';
import { sample } from './harness.js';

describe('reading a run’s output', () => {
  it('gives the same events however the output is cut into chunks, CRLF or not', () => {
    const output = sample('codex-exec-json-apply-patch.jsonl');
    const whole = parseAgentOutput(codex, output);
    for (const size of [1, 3, 64]) {
      const stream = agentStream(codex);
      const es: AgentEvent[] = [];
      const crlf = output.replaceAll('\n', '\r\n');
      for (let i = 0; i < crlf.length; i += size) es.push(...stream.write(crlf.slice(i, i + size)));
      es.push(...stream.end());
      expect(es).toEqual(whole);
    }
  });

  it('reads a last line without a newline when the run ends', () => {
    const stream = agentStream(claude);
    const last = sample('claude-json-result.json').trimEnd();
    expect(stream.write(last)).toEqual([]);
    expect(stream.end().map((e) => e.type)).toEqual(['session', 'usage', 'result']);
  });

  it('gives each run a fresh parser: a summary never leaks from one run into the next', () => {
    parseAgentOutput(codex, '{"type":"item.completed","item":{"type":"agent_message","text":"first run"}}\n');
    expect(parseAgentOutput(codex, '{"type":"turn.completed"}\n')).toEqual([{ type: 'result', ok: true, summary: '' }]);
  });

  it('keeps a line a broken parser threw on as log text instead of ending the run', () => {
    const broken: AgentProfile = {
      ...claude,
      parse: (l) => {
        if (l.includes('boom')) throw new Error('parser bug');
        return [{ type: 'text', text: l }];
      },
    };
    expect(parseAgentOutput(broken, 'a\nboom\nb\n')).toEqual([
      { type: 'text', text: 'a' },
      { type: 'log', text: 'boom' },
      { type: 'text', text: 'b' },
    ]);
  });
});
