import { builtInProfiles } from './registry.js';
import type { AgentEvent, AgentStreamParser } from './profile.js';

export interface OutputFormat {
  parse: (line: string) => AgentEvent[];
  create?: () => AgentStreamParser;
}

const TEXT_SUMMARY_LINES = 30;
const TEXT_SUMMARY_CHARS = 4000;

/**
 * The last lines that fit in `max` characters, whole: the summary is redacted later, and a line cut
 * inside a secret would keep a part the redactor no longer recognises.
 */
function lastWholeLines(lines: readonly string[], max: number): string {
  const kept: string[] = [];
  let size = 0;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i] ?? '';
    if (size + line.length + 1 > max) {
      if (kept.length === 0) kept.push('(the last line was too long to quote)');
      break;
    }
    kept.unshift(line);
    size += line.length + 1;
  }
  return kept.join('\n').trim();
}

/** Plain text output: every line is log text, and the last lines are the summary. Success is the exit code. */
export function createTextParser(): AgentStreamParser {
  const lines: string[] = [];
  return {
    line(line) {
      const text = line.trimEnd();
      if (text.trim() === '') return [];
      lines.push(text);
      if (lines.length > TEXT_SUMMARY_LINES) lines.shift();
      return [{ type: 'log', text }];
    },
    end() {
      return [{ type: 'result', ok: true, summary: lastWholeLines(lines, TEXT_SUMMARY_CHARS) }];
    },
  };
}

/**
 * The stream formats a custom agent's `output` may name: plain text, and each built-in agent's own
 * (derived from the registry, so a new agent's format is there with its registry line).
 */
export const OUTPUT_FORMATS: ReadonlyMap<string, OutputFormat> = new Map<string, OutputFormat>([
  ['text', { parse: (line) => (line.trim() === '' ? [] : [{ type: 'log', text: line.trim() }]), create: createTextParser }],
  ...builtInProfiles.flatMap((p): Array<[string, OutputFormat]> =>
    p.outputFormat === undefined ? [] : [[p.outputFormat, { parse: p.parse, ...(p.createParser ? { create: () => (p.createParser as () => AgentStreamParser)() } : {}) }]],
  ),
]);

export const AGENT_OUTPUTS = [...OUTPUT_FORMATS.keys()] as [string, ...string[]];
