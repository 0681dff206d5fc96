import type { AgentOutput } from '../config/repo-config.js';
import { UserError } from '../errors.js';
import { shellQuote } from '../security/shell-quote.js';
import { parseClaudeStreamLine } from './claude-stream.js';
import { cliArgument } from './cli-argument.js';
import { createCodexParser, parseCodexLine } from './codex-stream.js';
import { createOpenClawParser, parseOpenClawLine } from './openclaw-stream.js';
import { createOpenCodeParser, parseOpenCodeLine } from './opencode-stream.js';
import type { AgentEvent, AgentProfile, AgentStreamParser, CommandInput } from './profile.js';

export interface CustomAgentDefinition {
  command: string;
  resume_command?: string | undefined;
  output: AgentOutput;
  template?: string | undefined;
  secrets?: string[] | undefined;
  instructions_file?: string | undefined;
  env?: Record<string, string> | undefined;
}

/** E2B's general-purpose template, for a custom agent that names none. */
export const CUSTOM_AGENT_TEMPLATE = 'base';

/**
 * An agent a repository defines in .github/issuesmith.yml. Its command is a template: `{workdir}`,
 * `{prompt_file}`, `{model}` and (for `resume_command`) `{session}` become quoted values; it runs in the
 * checkout with the prompt on stdin, and the prompt itself never enters the command.
 */
export function customAgentProfile(name: string, def: CustomAgentDefinition): AgentProfile {
  const parser = OUTPUT_PARSERS[def.output];
  return {
    name,
    aliases: [],
    displayName: name,
    template: def.template ?? CUSTOM_AGENT_TEMPLATE,
    // Alternatives, as for the built-in agents: the ones set are forwarded, at least one must be.
    secrets: { required: [...(def.secrets ?? [])], optional: [] },
    env: { ...(def.env ?? {}) },
    instructionsFile: def.instructions_file ?? 'AGENTS.md',
    takesModel: def.command.includes('{model}'),
    // Where a custom agent keeps its conversations is unknown: a follow-up in a new sandbox resumes by
    // id through `resume_command`, and runs afresh when the agent cannot.
    sessionState: () => [],
    command: (input) => customCommand(name, def, input),
    parse: parser.parse,
    createParser: parser.create,
  };
}

function customCommand(name: string, def: CustomAgentDefinition, input: CommandInput): string {
  const template = input.resume !== undefined && def.resume_command !== undefined ? def.resume_command : def.command;
  const values: Record<string, () => string> = {
    workdir: () => input.workdir,
    prompt_file: () => input.promptFile,
    model: () => {
      if (input.model === undefined) throw new UserError(`The agent \`${name}\` needs a model: set \`agents.${name}.model\` or add \`model=<name>\` to the command.`);
      return cliArgument(input.model, 'model name');
    },
    session: () => cliArgument(input.resume ?? '', `${name} session id`),
  };
  const filled = template.replace(/\{(workdir|prompt_file|model|session)\}/g, (_, key: string) => shellQuote(values[key]?.() ?? ''));
  // A group, so the whole command line reads the prompt; the newline ends a trailing `#` comment.
  return `cd ${shellQuote(input.workdir)} && { ${filled}\n} < ${shellQuote(input.promptFile)}`;
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

const OUTPUT_PARSERS: Record<AgentOutput, { parse: (line: string) => AgentEvent[]; create?: () => AgentStreamParser }> = {
  text: { parse: (line) => (line.trim() === '' ? [] : [{ type: 'log', text: line.trim() }]), create: createTextParser },
  'claude-stream-json': { parse: parseClaudeStreamLine },
  'codex-json': { parse: parseCodexLine, create: createCodexParser },
  'opencode-json': { parse: parseOpenCodeLine, create: createOpenCodeParser },
  'openclaw-json': { parse: parseOpenClawLine, create: createOpenClawParser },
};
