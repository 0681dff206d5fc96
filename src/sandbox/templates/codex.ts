import type { TemplateBuilder } from 'e2b';
import { agentTemplate, TEMPLATE_HOME, type TemplateCli } from './agent-template.js';

/**
 * Codex. Its home (CODEX_HOME) is ~/.codex with a config.toml: no update check, and the place for
 * `openai_base_url` when Codex must talk to another endpoint (it reads no base URL variable).
 */
export function codexTemplate(cli: TemplateCli): TemplateBuilder {
  return agentTemplate({
    nodeImage: '22-bookworm-slim',
    minNode: '22.0.0',
    cli,
    bin: 'codex',
    envs: { CODEX_HOME: `${TEMPLATE_HOME}/.codex` },
    homeFiles: {
      '.codex/config.toml': [
        '# Written by issuesmith: Codex runs headless, one job a sandbox.',
        'check_for_update_on_startup = false',
        '# To use another endpoint than api.openai.com (keyless sandboxes then need its host):',
        '# openai_base_url = "https://gateway.example.com/v1"',
      ],
    },
  });
}
