import { describe, expect, it } from 'vitest';
import { agentStream, parseAgentOutput } from '../../src/agents/agent-stream.js';
import { openclaw } from '../../src/agents/openclaw.js';
import { parseOpenClawLine } from '../../src/agents/openclaw-stream.js';
import type { AgentEvent } from '../../src/agents/profile.js';
import { UserError } from '../../src/errors.js';
import { of, sample } from './harness.js';

const events = (output: string): AgentEvent[] => parseAgentOutput(openclaw, output);

// What `openclaw agent --local --json` prints: the embedded runner's result, pretty-printed
// (openclaw src/commands/agent/delivery.ts, buildOutboundResultEnvelope).
const agentResult = (o: object): string => `${JSON.stringify(o, null, 2)}\n`;
const meta = {
  durationMs: 812,
  agentMeta: {
    sessionId: 'cd88b907-061a-47f7-ba1c-3119be59ca14',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    usage: { input: 30, output: 12, cacheRead: 4, cacheWrite: 0, total: 46 },
    costUsd: 0.0021,
  },
};

describe("OpenClaw's --json parser", () => {
  it('reads the pretty-printed exec sample, fed line by line: session, final text, tools, usage, cost', () => {
    expect(events(sample('openclaw-agent-exec.json'))).toEqual([
      { type: 'session', id: 'cd88b907-061a-47f7-ba1c-3119be59ca14' },
      { type: 'text', text: 'Done: I created the file.' },
      { type: 'tool', name: 'write', detail: 'Used `write`' },
      { type: 'usage', inputTokens: 34, outputTokens: 12, costUsd: 0 },
      { type: 'result', ok: true, summary: 'Done: I created the file.' },
    ]);
  });

  it('reads the captured `agent --local --json` sample: session, final text, tools, usage, cost', () => {
    expect(events(sample('openclaw-agent-local.json'))).toEqual([
      { type: 'session', id: 'f0b466aa-bf14-4b6d-b179-e2709cdccd1e' },
      { type: 'text', text: 'Done: I created the file.' },
      { type: 'tool', name: 'write', detail: 'Used `write`' },
      { type: 'usage', inputTokens: 22, outputTokens: 14, costUsd: 0.000276 },
      { type: 'result', ok: true, summary: 'Done: I created the file.' },
    ]);
  });

  it('reads the captured `agent --local` failures, printed as a CLI error, as a rejected key and a rate limit', () => {
    expect(of(events(sample('openclaw-agent-local-401.json')), 'result')).toEqual([
      {
        type: 'result',
        ok: false,
        reason: 'auth',
        summary: '⚠️ conformance/mock-model request failed (authentication failed, HTTP 401). Re-authenticate the provider and try again.',
      },
    ]);
    expect(of(events(sample('openclaw-agent-local-429.json')), 'result')).toEqual([
      { type: 'result', ok: false, reason: 'rate_limit', summary: '⚠️ API rate limit reached. Please try again later.' },
    ]);
  });

  it('reads the 401 exec sample as a rejected key', () => {
    const es = events(sample('openclaw-agent-exec-401.json'));
    expect(of(es, 'session')[0]?.id).toBe('9c8f5778-5e86-4008-ae97-d0f31624e56f');
    expect(of(es, 'result')).toEqual([
      {
        type: 'result',
        ok: false,
        reason: 'auth',
        summary: '⚠️ mock/mock-model request failed (authentication failed, HTTP 401). Re-authenticate the provider and try again.',
      },
    ]);
  });

  it('reads the object even when it arrives in chunks cut mid-line, after a log line', () => {
    const output = `[plugins] loaded 3 plugins\n${sample('openclaw-agent-exec.json')}`;
    const stream = agentStream(openclaw);
    const es: AgentEvent[] = [];
    for (let i = 0; i < output.length; i += 7) es.push(...stream.write(output.slice(i, i + 7)));
    es.push(...stream.end());
    expect(es[0]).toEqual({ type: 'log', text: '[plugins] loaded 3 plugins' });
    expect(of(es, 'result')).toEqual([{ type: 'result', ok: true, summary: 'Done: I created the file.' }]);
  });

  it('reads the `{ payloads, meta }` result of `agent --local --json`', () => {
    const ok = events(
      agentResult({
        payloads: [{ text: 'Fixed the typo.', mediaUrl: null }],
        meta: { ...meta, toolSummary: { calls: 2, tools: ['read', 'edit'], failures: 0 }, stopReason: 'stop' },
      }),
    );
    expect(ok).toEqual([
      { type: 'session', id: 'cd88b907-061a-47f7-ba1c-3119be59ca14' },
      { type: 'text', text: 'Fixed the typo.' },
      { type: 'tool', name: 'read', detail: 'Used `read`' },
      { type: 'tool', name: 'edit', detail: 'Used `edit`' },
      { type: 'usage', inputTokens: 34, outputTokens: 12, costUsd: 0.0021 },
      { type: 'result', ok: true, summary: 'Fixed the typo.' },
    ]);
    const limited = events(
      agentResult({ payloads: [{ text: '⚠️ anthropic/claude request failed (rate limited, HTTP 429).', isError: true }], meta: { ...meta, stopReason: 'error' } }),
    );
    expect(of(limited, 'text')).toEqual([]);
    expect(of(limited, 'result')[0]).toMatchObject({ ok: false, reason: 'rate_limit' });
    const timedOut = events(agentResult({ payloads: [], meta: { ...meta, stopReason: 'timeout' } }));
    expect(of(timedOut, 'result')[0]).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('reads status "timeout" of the exec envelope as timed out', () => {
    const es = events(agentResult({ ok: false, status: 'timeout', final: '', payloads: [], sessionId: 's', error: { message: 'Agent run timed out', kind: 'timeout' } }));
    expect(of(es, 'result')).toEqual([{ type: 'result', ok: false, summary: 'Agent run timed out', reason: 'timeout' }]);
  });

  it('gives back an object that never closes as log text at the end, and never throws', () => {
    const cut = sample('openclaw-agent-exec.json').split('\n').slice(0, 6).join('\n');
    const es = events(cut);
    expect(of(es, 'result')).toEqual([]);
    expect(of(es, 'log').map((e) => e.text)).toEqual(['{', '"ok": true,', '"status": "ok",', '"final": "Done: I created the file.",', '"payloads": [', '{']);
  });

  it('starts over when a new object begins at the first column', () => {
    const output = `{ not json\n${sample('openclaw-agent-exec-401.json')}`;
    const es = events(output);
    expect(es[0]).toEqual({ type: 'log', text: '{ not json' });
    expect(of(es, 'result')[0]).toMatchObject({ ok: false, reason: 'auth' });
  });

  it('reads a one-line object with the stateless parse, and anything else as log text', () => {
    expect(of(parseOpenClawLine(JSON.stringify(JSON.parse(sample('openclaw-agent-exec.json')))), 'result')).toHaveLength(1);
    expect(parseOpenClawLine('{"something":"else"}')).toEqual([{ type: 'log', text: '{"something":"else"}' }]);
    expect(parseOpenClawLine('Error: No API key found for provider "anthropic".')).toEqual([{ type: 'log', text: 'Error: No API key found for provider "anthropic".' }]);
  });
});

describe('the OpenClaw profile', () => {
  it('runs the embedded agent in its main session, pointed at the work dir, the prompt on stdin', () => {
    expect(openclaw.command({ promptFile: '/home/user/.issuesmith/prompt.md', workdir: '/home/user/repo' })).toBe(
      'cd /home/user/repo && OPENCLAW_WORKSPACE_DIR=/home/user/repo openclaw agent --local --json --agent main --message-file /dev/stdin < /home/user/.issuesmith/prompt.md',
    );
  });

  it('resumes with --session-id, and passes the run’s time limit in seconds', () => {
    expect(openclaw.command({ promptFile: '/p.md', workdir: '/w', resume: 'cd88b907-061a-47f7-ba1c-3119be59ca14', timeoutMs: 1_800_000 })).toBe(
      'cd /w && OPENCLAW_WORKSPACE_DIR=/w openclaw agent --local --json --session-id cd88b907-061a-47f7-ba1c-3119be59ca14 --timeout 1800 --message-file /dev/stdin < /p.md',
    );
    expect(() => openclaw.command({ promptFile: '/p.md', workdir: '/w', resume: '--to' })).toThrow(UserError);
  });

  it('needs ANTHROPIC_API_KEY and reads AGENTS.md', () => {
    expect(openclaw.secrets.required).toEqual(['ANTHROPIC_API_KEY']);
    expect(openclaw.instructionsFile).toBe('AGENTS.md');
  });
});
