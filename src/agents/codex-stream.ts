import { z } from 'zod';
import { classifyFailureText } from './failure-reason.js';
import { parseJsonLine } from './json-line.js';
import type { AgentEvent, AgentStreamParser } from './profile.js';
import { oneLine, toolDetail } from './tool-detail.js';

// `codex exec --json` lines (../shared/agent-samples/codex-exec-json-*.jsonl). Only the fields we
// read are declared; everything else passes through.
const item = z.looseObject({ type: z.string() });
const line = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('thread.started'), thread_id: z.string() }),
  z.looseObject({ type: z.literal('turn.started') }),
  z.looseObject({ type: z.literal('item.started'), item }),
  z.looseObject({ type: z.literal('item.updated'), item }),
  z.looseObject({ type: z.literal('item.completed'), item }),
  z.looseObject({
    type: z.literal('turn.completed'),
    usage: z.looseObject({ input_tokens: z.number().optional(), output_tokens: z.number().optional() }).optional(),
  }),
  z.looseObject({ type: z.literal('turn.failed'), error: z.looseObject({ message: z.string() }).optional() }),
  z.looseObject({ type: z.literal('error'), message: z.string() }),
]);
const completedItem = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('agent_message'), text: z.string() }),
  z.looseObject({
    type: z.literal('command_execution'),
    command: z.string(),
    aggregated_output: z.string().optional(),
    exit_code: z.number().nullish(),
    status: z.string().optional(),
  }),
  z.looseObject({ type: z.literal('file_change'), changes: z.array(z.looseObject({ path: z.string(), kind: z.string().optional() })) }),
  z.looseObject({ type: z.literal('mcp_tool_call'), server: z.string(), tool: z.string(), arguments: z.unknown().optional() }),
  z.looseObject({ type: z.literal('web_search'), query: z.string() }),
  // Non-fatal: config and deprecation warnings, model reroutes. A failed turn comes as `turn.failed`.
  z.looseObject({ type: z.literal('error'), message: z.string() }),
  z.looseObject({ type: z.enum(['reasoning', 'todo_list', 'collab_tool_call']) }),
]);

/** A parser for one `codex exec --json` run; the result's summary is the last agent message. */
export function createCodexParser(): AgentStreamParser {
  let lastText = '';
  return {
    line(raw) {
      const read = parseJsonLine(raw, line);
      if (!read.ok) return read.events;
      const l = read.data;
      switch (l.type) {
        case 'thread.started':
          return [{ type: 'session', id: l.thread_id }];
        case 'turn.started':
        case 'item.started':
        case 'item.updated':
          // Items are reported once, completed: a started command has no exit code yet.
          return [];
        case 'item.completed': {
          // Codex marks no model request in its stream: each tool call it made counts as one turn.
          const events = itemEvents(l.item, read.text);
          if (events.some((e) => e.type === 'tool')) events.unshift({ type: 'turn' });
          for (const e of events) if (e.type === 'text') lastText = e.text;
          return events;
        }
        case 'turn.completed': {
          const events: AgentEvent[] = [];
          // input_tokens already counts the cached ones; Codex reports no cost.
          if (l.usage) events.push({ type: 'usage', inputTokens: l.usage.input_tokens ?? 0, outputTokens: l.usage.output_tokens ?? 0 });
          events.push({ type: 'result', ok: true, summary: lastText });
          return events;
        }
        case 'turn.failed': {
          const message = l.error?.message ?? 'turn failed';
          return [{ type: 'result', ok: false, summary: message, reason: classifyFailureText(message) }];
        }
        case 'error':
          return [{ type: 'error', message: l.message, reason: classifyFailureText(l.message) }];
      }
    },
    end: () => [],
  };
}

/** One line of `codex exec --json`, read without the lines before it. */
export function parseCodexLine(raw: string): AgentEvent[] {
  return createCodexParser().line(raw);
}

function itemEvents(raw: unknown, text: string): AgentEvent[] {
  const parsed = completedItem.safeParse(raw);
  if (!parsed.success) return [{ type: 'log', text }];
  const i = parsed.data;
  switch (i.type) {
    case 'agent_message':
      return [{ type: 'text', text: i.text }];
    case 'command_execution': {
      const failed = typeof i.exit_code === 'number' && i.exit_code !== 0 ? ` (exit ${i.exit_code})` : '';
      const call: AgentEvent = { type: 'tool', name: 'shell', detail: `${toolDetail('shell', { command: unwrapShell(i.command) })}${failed}` };
      // What the command printed, for the transcript.
      if (i.aggregated_output === undefined) return [call];
      return [call, { type: 'tool-result', output: i.aggregated_output, ...(failed !== '' ? { failed: true } : {}) }];
    }
    case 'file_change':
      return [{ type: 'tool', name: 'apply_patch', detail: changesDetail(i.changes) }];
    case 'mcp_tool_call':
      return [{ type: 'tool', name: `${i.server}.${i.tool}`, detail: toolDetail(i.tool, i.arguments) }];
    case 'web_search':
      return [{ type: 'tool', name: 'web_search', detail: `Searched the web for \`${oneLine(i.query)}\`` }];
    case 'error':
      return [{ type: 'log', text: i.message }];
    default:
      return [];
  }
}

/**
 * Codex runs commands as `/bin/bash -lc '<command>'`, or with double quotes when the command holds a
 * single quote (as Codex 0.171 prints it); the command is what a reader wants to see.
 */
function unwrapShell(command: string): string {
  const single = /^(?:\/(?:usr\/)?bin\/)?(?:ba|z)?sh -l?c '((?:[^']|'\\'')*)'$/s.exec(command);
  if (single?.[1] !== undefined) return single[1].replaceAll(`'\\''`, `'`);
  const double = /^(?:\/(?:usr\/)?bin\/)?(?:ba|z)?sh -l?c "((?:[^"\\]|\\.)*)"$/s.exec(command);
  if (double?.[1] !== undefined) return double[1].replace(/\\([\\"$`])/g, '$1');
  return command;
}

function changesDetail(changes: readonly { path: string; kind?: string | undefined }[]): string {
  const first = changes[0];
  if (first === undefined) return 'Changed no files';
  const verb = changes.length > 1 ? 'Changed' : first.kind === 'add' ? 'Created' : first.kind === 'delete' ? 'Deleted' : 'Edited';
  const more = changes.length > 1 ? ` and ${changes.length - 1} more` : '';
  return `${verb} \`${oneLine(first.path)}\`${more}`;
}
