import { z } from 'zod';
import { classifyFailureText } from './failure-reason.js';
import { readJsonLine } from './json-line.js';
import type { AgentEvent, AgentFailureReason, AgentStreamParser } from './profile.js';

// OpenClaw prints one JSON object when the run ends, pretty-printed over many lines. Two shapes:
// `openclaw agent exec --json` prints a flat envelope (../shared/agent-samples/openclaw-agent-exec*.json);
// `openclaw agent --local --json` prints `{ payloads, meta }`, the embedded runner's own result.
const usage = z.looseObject({
  input: z.number().optional(),
  output: z.number().optional(),
  cacheRead: z.number().optional(),
  cacheWrite: z.number().optional(),
  cost: z.looseObject({ total: z.number().optional() }).optional(),
});
const toolSummary = z.looseObject({ calls: z.number().optional(), tools: z.array(z.string()).optional(), failures: z.number().optional() });
const runError = z.looseObject({ message: z.string(), kind: z.string().optional() });
const execEnvelope = z.looseObject({
  ok: z.boolean(),
  status: z.string().optional(),
  final: z.string().optional(),
  usage: usage.optional(),
  costUsd: z.number().optional(),
  toolSummary: toolSummary.optional(),
  sessionId: z.string().optional(),
  error: runError.optional(),
});
const payload = z.looseObject({
  text: z.string().nullish(),
  isError: z.boolean().optional(),
  isReasoning: z.boolean().optional(),
  isCommentary: z.boolean().optional(),
});
const agentEnvelope = z.looseObject({
  payloads: z.array(payload).optional(),
  meta: z.looseObject({
    agentMeta: z.looseObject({ sessionId: z.string().optional(), usage: usage.optional(), costUsd: z.number().optional() }).optional(),
    error: runError.optional(),
    aborted: z.boolean().optional(),
    stopReason: z.string().optional(),
    timeoutPhase: z.unknown().optional(),
    toolSummary: toolSummary.optional(),
    finalAssistantVisibleText: z.string().optional(),
  }),
});

interface Outcome {
  status: 'ok' | 'error' | 'timeout';
  final: string;
  sessionId: string | undefined;
  usage: z.infer<typeof usage> | undefined;
  costUsd: number | undefined;
  toolSummary: z.infer<typeof toolSummary> | undefined;
  error: z.infer<typeof runError> | undefined;
}

// Past this, what was taken for the start of the object was not; it is given back as log text.
const MAX_BUFFERED_CHARS = 8 * 1024 * 1024;

/**
 * A parser for one OpenClaw run: it gathers the lines of the final object until they parse, and
 * passes any other line through as log text. A top-level object starts at the first column.
 */
export function createOpenClawParser(): AgentStreamParser {
  let buffer: string[] = [];
  let size = 0;
  const flush = (): AgentEvent[] => {
    const logs = buffer.filter((l) => l.trim() !== '').map((l): AgentEvent => ({ type: 'log', text: l.trim() }));
    buffer = [];
    size = 0;
    return logs;
  };
  return {
    line(raw) {
      const events: AgentEvent[] = [];
      // A new object at the first column means the buffered lines were not the start of one.
      if (buffer.length > 0 && raw.startsWith('{')) events.push(...flush());
      if (buffer.length === 0) {
        const read = readJsonLine(raw);
        if (read.kind === 'empty') return events;
        if (read.kind === 'json') return [...events, ...parseOpenClawJson(read.value, read.text)];
        if (!raw.trimStart().startsWith('{')) return [...events, { type: 'log', text: read.text }];
      }
      buffer.push(raw);
      size += raw.length + 1;
      // Only a line that closes a brace can complete the object; parsing at each would be quadratic.
      if (raw.trimEnd().endsWith('}')) {
        const read = readJsonLine(buffer.join('\n'));
        if (read.kind === 'json') {
          buffer = [];
          size = 0;
          return [...events, ...parseOpenClawJson(read.value, read.text)];
        }
      }
      if (size > MAX_BUFFERED_CHARS) events.push(...flush());
      return events;
    },
    end: flush,
  };
}

/** One line of OpenClaw's output; the final object is only read here when printed on one line. */
export function parseOpenClawLine(raw: string): AgentEvent[] {
  const parser = createOpenClawParser();
  return [...parser.line(raw), ...parser.end()];
}

function parseOpenClawJson(value: unknown, text: string): AgentEvent[] {
  const outcome = readOutcome(value);
  if (outcome === undefined) return [{ type: 'log', text }];
  const events: AgentEvent[] = [];
  if (outcome.sessionId) events.push({ type: 'session', id: outcome.sessionId });
  if (outcome.final.trim() !== '') events.push({ type: 'text', text: outcome.final });
  // OpenClaw reports which tools ran, not what each call did.
  for (const tool of new Set(outcome.toolSummary?.tools ?? [])) events.push({ type: 'tool', name: tool, detail: `Used \`${tool}\`` });
  const failures = outcome.toolSummary?.failures ?? 0;
  if (failures > 0) events.push({ type: 'log', text: `${failures} tool call(s) failed` });
  const u = outcome.usage;
  const costUsd = outcome.costUsd ?? u?.cost?.total;
  if (u !== undefined || costUsd !== undefined) {
    const e: AgentEvent = { type: 'usage', inputTokens: (u?.input ?? 0) + (u?.cacheRead ?? 0) + (u?.cacheWrite ?? 0), outputTokens: u?.output ?? 0 };
    if (costUsd !== undefined) e.costUsd = costUsd;
    events.push(e);
  }
  if (outcome.status === 'ok') {
    events.push({ type: 'result', ok: true, summary: outcome.final });
  } else {
    const message = outcome.error?.message ?? (outcome.status === 'timeout' ? 'OpenClaw ran out of time' : 'OpenClaw failed');
    events.push({ type: 'result', ok: false, summary: message, reason: failureReason(outcome) });
  }
  return events;
}

function failureReason(o: Outcome): AgentFailureReason {
  if (o.status === 'timeout' || o.error?.kind === 'timeout') return 'timeout';
  return classifyFailureText(`${o.error?.kind ?? ''} ${o.error?.message ?? ''}`);
}

function readOutcome(value: unknown): Outcome | undefined {
  const exec = execEnvelope.safeParse(value);
  if (exec.success) {
    const e = exec.data;
    const status = e.status === 'timeout' ? 'timeout' : e.ok && (e.status === undefined || e.status === 'ok') ? 'ok' : 'error';
    return { status, final: e.final ?? '', sessionId: e.sessionId, usage: e.usage, costUsd: e.costUsd, toolSummary: e.toolSummary, error: e.error };
  }
  const agent = agentEnvelope.safeParse(value);
  if (!agent.success) return undefined;
  // The same reading `agent exec` gives its own result (openclaw src/commands/agent-exec-result.ts).
  const { payloads = [], meta } = agent.data;
  const errorPayload = payloads.find((p) => p.isError === true);
  const timeout = meta.stopReason === 'timeout' || meta.timeoutPhase !== undefined;
  const failed = meta.aborted === true || meta.error !== undefined || meta.stopReason === 'error' || errorPayload !== undefined;
  const spoken = payloads
    .filter((p) => p.isError !== true && p.isReasoning !== true && p.isCommentary !== true && typeof p.text === 'string' && p.text.trim() !== '')
    .map((p) => (p.text ?? '').trimEnd())
    .join('\n');
  const final = spoken || (errorPayload === undefined ? (meta.finalAssistantVisibleText ?? '') : '');
  const errorText = meta.error?.message ?? errorPayload?.text ?? (meta.aborted ? 'Agent run aborted' : undefined);
  return {
    status: timeout ? 'timeout' : failed ? 'error' : 'ok',
    final,
    sessionId: meta.agentMeta?.sessionId,
    usage: meta.agentMeta?.usage,
    costUsd: meta.agentMeta?.costUsd,
    toolSummary: meta.toolSummary,
    error: errorText === undefined ? undefined : { message: errorText, kind: meta.error?.kind },
  };
}
