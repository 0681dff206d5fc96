import { UserError } from '../errors.js';
import { shellQuote } from '../security/shell-quote.js';
import { cliArgument } from './cli-argument.js';
import { OUTPUT_FORMATS } from './output-formats.js';
import type { AgentProfile, CommandInput } from './profile.js';

export interface CustomAgentDefinition {
  command: string;
  resume_command?: string | undefined;
  /** One of OUTPUT_FORMATS' names (checked by the settings' schema). */
  output: string;
  template?: string | undefined;
  secrets?: string[] | undefined;
  instructions_file?: string | undefined;
  env?: Record<string, string> | undefined;
}

/** The sandbox provider's general-purpose template, for a custom agent that names none. */
export const CUSTOM_AGENT_TEMPLATE = 'base';

/**
 * An agent a repository defines in .github/issuesmith.yml. Its command is a template: `{workdir}`,
 * `{prompt_file}`, `{model}` and (for `resume_command`) `{session}` become quoted values; it runs in the
 * checkout with the prompt on stdin, and the prompt itself never enters the command.
 */
export function customAgentProfile(name: string, def: CustomAgentDefinition): AgentProfile {
  const parser = OUTPUT_FORMATS.get(def.output);
  if (parser === undefined) throw new UserError(`The agent \`${name}\` names an unknown output format \`${def.output}\`.`);
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
    ...(parser.create ? { createParser: parser.create } : {}),
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
