import type { TemplateBuilder } from 'e2b';
import type { TemplateCli } from './agent-template.js';
import { ampTemplate } from './amp.js';
import { claudeTemplate } from './claude.js';
import { codexTemplate } from './codex.js';
import { openclawTemplate } from './openclaw.js';
import { opencodeTemplate } from './opencode.js';

/** The template definition of each built-in agent, by the agent's name; the pin comes from its profile. */
export const agentTemplates: Readonly<Record<string, (cli: TemplateCli) => TemplateBuilder>> = {
  claude: claudeTemplate,
  codex: codexTemplate,
  amp: ampTemplate,
  opencode: opencodeTemplate,
  openclaw: openclawTemplate,
};

/** What a sandbox made from an agent template gets: an agent, its tools and a repository's tests at once. */
export const TEMPLATE_RESOURCES = { cpuCount: 2, memoryMB: 4096 } as const;
