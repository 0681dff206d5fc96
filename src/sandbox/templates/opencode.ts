import type { TemplateBuilder } from 'e2b';
import { agentTemplate, type TemplateCli } from './agent-template.js';

/** OpenCode, without its self-update (a sandbox lives for one job). */
export function opencodeTemplate(cli: TemplateCli): TemplateBuilder {
  return agentTemplate({
    nodeImage: '22-bookworm-slim',
    minNode: '22.0.0',
    cli,
    bin: 'opencode',
    envs: { OPENCODE_DISABLE_AUTOUPDATE: '1' },
  });
}
