import type { z } from 'zod';
import type { AgentEvent } from './profile.js';

/** One line of an agent's output: nothing, plain text, or a JSON value still to be checked. */
export type JsonLine = { kind: 'empty' } | { kind: 'text'; text: string } | { kind: 'json'; value: unknown; text: string };

export function readJsonLine(raw: string): JsonLine {
  const text = raw.trim();
  if (text === '') return { kind: 'empty' };
  if (!text.startsWith('{') && !text.startsWith('[')) return { kind: 'text', text };
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown, text };
  } catch {
    return { kind: 'text', text };
  }
}

/**
 * One line checked against the agent's line schema. A line that is not JSON, or not of a known shape,
 * is never an error: it comes back as the events to give instead, log text (none for a blank line).
 */
export function parseJsonLine<S extends z.ZodType>(raw: string, schema: S): { ok: true; data: z.infer<S>; text: string } | { ok: false; events: AgentEvent[] } {
  const read = readJsonLine(raw);
  if (read.kind === 'empty') return { ok: false, events: [] };
  if (read.kind === 'text') return { ok: false, events: [{ type: 'log', text: read.text }] };
  const parsed = schema.safeParse(read.value);
  if (!parsed.success) return { ok: false, events: [{ type: 'log', text: read.text }] };
  return { ok: true, data: parsed.data, text: read.text };
}
