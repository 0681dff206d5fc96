import type { TemplateBuilder } from 'e2b';
import { agentTemplate, type TemplateCli } from './agent-template.js';

/** Amp. Its CLI talks only to Amp's service; the profile skips its update check. */
export function ampTemplate(cli: TemplateCli): TemplateBuilder {
  return agentTemplate({ nodeImage: '22-bookworm-slim', minNode: '22.0.0', cli, bin: 'amp', envs: { AMP_SKIP_UPDATE_CHECK: '1' } });
}
