import { z } from 'zod';
import { classifyFailureText } from './failure-reason.js';
import { parseJsonLine } from './json-line.js';
import type { AgentEvent, AgentFailureReason, AgentStreamParser } from './profile.js';
import { toolDetail } from './tool-detail.js';

// `opencode run --format json` lines (../shared/agent-samples/opencode-run-json*.jsonl). Every line
// carries the session id; only the fields we read are declared.
const tokens = z.looseObject({
  input: z.number().optional(),
  output: z.number().optional(),
  reasoning: z.number().optional(),
  cache: z.looseObject({ read: z.number().optional(), write: z.number().optional() }).optional(),
});
const openCodeError = z.looseObject({
  name: z.string().optional(),
  message: z.string().optional(),
  data: z.looseObject({ message: z.string().optional(), statusCode: z.number().optional() }).optional(),
});
const line = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('step_start'), sessionID: z.string().optional() }),
  z.looseObject({ type: z.literal('text'), sessionID: z.string().optional(), part: z.looseObject({ text: z.string() }) }),
  z.looseObject({ type: z.literal('reasoning'), sessionID: z.string().optional() }),
  z.looseObject({
    type: z.literal('tool_use'),
    sessionID: z.string().optional(),
    part: z.looseObject({
      tool: z.string(),
      state: z.looseObject({ status: z.string().optional(), input: z.unknown().optional(), error: z.string().optional() }).optional(),
    }),
  }),
  z.looseObject({
    type: z.literal('step_finish'),
    sessionID: z.string().optional(),
    part: z.looseObject({ reason: z.string().optional(), tokens: tokens.optional(), cost: z.number().optional() }),
  }),
  z.looseObject({
    type: z.literal('error'),
    sessionID: z.string().optional(),
    error: openCodeError,
  }),
  z.looseObject({ type: z.literal('done'), sessionID: z.string().optional() }),
]);

/**
 * A parser for one `opencode run --format json` run. OpenCode prints no final record of its own: the
 * run has ended well when a step finishes for a reason other than calling tools, and badly on `error`.
 */
export function createOpenCodeParser(): AgentStreamParser {
  let session: string | undefined;
  let lastText = '';
  let failed = false;
  return {
    line(raw) {
      const read = parseJsonLine(raw, line);
      if (!read.ok) return read.events;
      const l = read.data;
      const events: AgentEvent[] = [];
      if (l.sessionID !== undefined && l.sessionID !== session) {
        session = l.sessionID;
        events.push({ type: 'session', id: l.sessionID });
      }
      switch (l.type) {
        case 'step_start':
          // A step is one model request.
          events.push({ type: 'turn' });
          break;
        case 'reasoning':
        case 'done':
          break;
        case 'text':
          if (l.part.text.trim() !== '') {
            lastText = l.part.text;
            events.push({ type: 'text', text: l.part.text });
          }
          break;
        case 'tool_use': {
          const failedTool = l.part.state?.status === 'error' ? ' (failed)' : '';
          events.push({ type: 'tool', name: l.part.tool, detail: `${toolDetail(l.part.tool, l.part.state?.input)}${failedTool}` });
          break;
        }
        case 'step_finish': {
          events.push(...stepUsage(l.part));
          if (l.part.reason !== undefined && l.part.reason !== 'tool-calls' && !failed) {
            events.push({ type: 'result', ok: true, summary: lastText });
          }
          break;
        }
        case 'error': {
          failed = true;
          const { message, reason } = describeError(l.error);
          events.push({ type: 'error', message, reason }, { type: 'result', ok: false, summary: message, reason });
          break;
        }
      }
      return events;
    },
    end: () => [],
  };
}

/** What a finished step used. OpenCode counts cached input and reasoning apart from input and output. */
function stepUsage(part: { tokens?: z.infer<typeof tokens> | undefined; cost?: number | undefined }): AgentEvent[] {
  const t = part.tokens;
  if (t === undefined && part.cost === undefined) return [];
  const usage: AgentEvent = {
    type: 'usage',
    inputTokens: (t?.input ?? 0) + (t?.cache?.read ?? 0) + (t?.cache?.write ?? 0),
    outputTokens: (t?.output ?? 0) + (t?.reasoning ?? 0),
  };
  if (part.cost !== undefined) usage.costUsd = part.cost;
  return [usage];
}

/** One line of `opencode run --format json`, read without the lines before it. */
export function parseOpenCodeLine(raw: string): AgentEvent[] {
  return createOpenCodeParser().line(raw);
}

function describeError(e: z.infer<typeof openCodeError>): { message: string; reason: AgentFailureReason } {
  const message = e.data?.message ?? e.message ?? e.name ?? 'OpenCode reported an error';
  if (e.name === 'ProviderAuthError') return { message, reason: 'auth' };
  return { message, reason: classifyFailureText(`${e.name ?? ''} ${message}`, e.data?.statusCode) };
}
