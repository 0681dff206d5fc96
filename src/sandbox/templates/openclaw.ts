import type { TemplateBuilder } from 'e2b';
import { agentTemplate, type TemplateCli } from './agent-template.js';

/** The model OpenClaw's embedded agent uses: its CLI takes no model flag, so it comes from the config. */
export const OPENCLAW_MODEL = 'anthropic/claude-sonnet-4-6';

/**
 * OpenClaw, which wants Node 24.16 or later. Its provider settings: the Anthropic provider, keyed by
 * ANTHROPIC_API_KEY from the environment, and the default agent's model in ~/.openclaw/openclaw.json.
 */
export function openclawTemplate(cli: TemplateCli): TemplateBuilder {
  // skipBootstrap: without it OpenClaw seeds AGENTS.md, SOUL.md, IDENTITY.md and USER.md into its
  // workspace, which is the checkout, and they would end up in the pull request (seen in `npm run test:agents`).
  const config = { agents: { defaults: { model: { primary: OPENCLAW_MODEL }, skipBootstrap: true } } };
  return agentTemplate({
    nodeImage: '24-bookworm-slim',
    minNode: '24.16.0',
    cli,
    bin: 'openclaw',
    homeFiles: { '.openclaw/openclaw.json': [JSON.stringify(config)] },
  });
}
