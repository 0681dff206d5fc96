import { z } from 'zod';
import type { AgentEvent, AgentFailureReason } from './profile.js';
import { toolDetail } from './tool-detail.js';

// Claude Code's `--output-format stream-json --verbose` lines (Amp prints the same shapes).
// Only the fields we read are declared; everything else passes through.
const contentBlock = z.union([
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('tool_use'), name: z.string(), input: z.unknown() }),
  z.looseObject({ type: z.string() }),
]);
const usage = z.looseObject({
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  cache_creation_input_tokens: z.number().optional(),
  cache_read_input_tokens: z.number().optional(),
});
const line = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('system'),
    subtype: z.string().optional(),
    session_id: z.string().optional(),
    model: z.string().optional(),
    error_status: z.number().nullish(),
    attempt: z.number().optional(),
    max_retries: z.number().optional(),
  }),
  z.looseObject({
    type: z.literal('assistant'),
    session_id: z.string().optional(),
    message: z.looseObject({ id: z.string().optional(), model: z.string().optional(), content: z.array(contentBlock).default([]) }),
  }),
  z.looseObject({
    type: z.literal('user'),
    message: z.looseObject({ content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).default([]) }).optional(),
  }),
  z.looseObject({
    type: z.literal('result'),
    subtype: z.string().optional(),
    is_error: z.boolean().optional(),
    api_error_status: z.number().nullish(),
    result: z.string().optional(),
    session_id: z.string().optional(),
    total_cost_usd: z.number().optional(),
    usage: usage.optional(),
    errors: z.array(z.string()).optional(),
    terminal_reason: z.string().optional(),
  }),
]);

export function parseClaudeStreamLine(raw: string): AgentEvent[] {
  const text = raw.trim();
  if (text === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [{ type: 'log', text }];
  }
  const parsed = line.safeParse(json);
  if (!parsed.success) return [{ type: 'log', text }];
  const l = parsed.data;
  switch (l.type) {
    case 'system':
      if (l.subtype === 'init' && l.session_id) return [{ type: 'session', id: l.session_id, ...(l.model ? { model: l.model } : {}) }];
      if (l.subtype === 'api_retry') {
        return [{ type: 'log', text: `API retry ${l.attempt ?? '?'}/${l.max_retries ?? '?'} (status ${l.error_status ?? 'unknown'})` }];
      }
      return [];
    case 'assistant': {
      // One model response is printed as one line per content block, all with the message's id; an
      // API error comes as a `<synthetic>` message no model wrote.
      const events: AgentEvent[] = [];
      if (l.message.model !== '<synthetic>') events.push(l.message.id !== undefined ? { type: 'turn', id: l.message.id } : { type: 'turn' });
      for (const block of l.message.content) {
        if (block.type === 'text' && 'text' in block && typeof block.text === 'string') {
          events.push({ type: 'text', text: block.text });
        } else if (block.type === 'tool_use' && 'name' in block && typeof block.name === 'string') {
          events.push({ type: 'tool', name: block.name, detail: toolDetail(block.name, block.input) });
        }
      }
      return events;
    }
    case 'user':
      return toolResults(l.message?.content);
    case 'result': {
      const events: AgentEvent[] = [];
      if (l.session_id) events.push({ type: 'session', id: l.session_id });
      const u = l.usage;
      if (u) {
        const usageEvent: AgentEvent = {
          type: 'usage',
          inputTokens: (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0),
          outputTokens: u.output_tokens ?? 0,
        };
        if (l.total_cost_usd !== undefined) usageEvent.costUsd = l.total_cost_usd;
        events.push(usageEvent);
      }
      // An API error arrives as subtype "success" with is_error: true; is_error is the truth.
      const ok = l.is_error !== true && (l.subtype === undefined || l.subtype === 'success');
      const summary = l.result ?? l.errors?.join('; ') ?? '';
      const result: AgentEvent = { type: 'result', ok, summary };
      if (!ok) result.reason = classifyClaudeFailure(l.subtype, l.api_error_status ?? undefined, summary);
      events.push(result);
      return events;
    }
  }
}

// A tool's answer comes back in the next user message: text, or a list of text blocks.
const toolResult = z.looseObject({
  type: z.literal('tool_result'),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]).optional(),
  is_error: z.boolean().optional(),
});

function toolResults(content: string | Array<{ type: string }> | undefined): AgentEvent[] {
  if (!Array.isArray(content)) return [];
  const events: AgentEvent[] = [];
  for (const block of content) {
    const r = toolResult.safeParse(block);
    if (!r.success) continue;
    const c = r.data.content;
    const output = typeof c === 'string' ? c : (c ?? []).flatMap((b) => (b.type === 'text' && b.text !== undefined ? [b.text] : [])).join('\n');
    events.push({ type: 'tool-result', output, ...(r.data.is_error === true ? { failed: true } : {}) });
  }
  return events;
}

function classifyClaudeFailure(subtype: string | undefined, status: number | undefined, text: string): AgentFailureReason {
  if (subtype === 'error_max_turns') return 'max_turns';
  if (subtype === 'error_max_budget_usd') return 'max_cost';
  if (status === 401 || status === 403 || /authenticat|invalid api key|x-api-key/i.test(text)) return 'auth';
  if (status === 429 || status === 529 || /rate limit|overloaded|\(429\)/i.test(text)) return 'rate_limit';
  return 'crash';
}
