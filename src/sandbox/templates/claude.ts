import type { TemplateBuilder } from 'e2b';
import { agentTemplate, type TemplateCli } from './agent-template.js';

/**
 * Claude Code. Node 22: the pinned 2.1.197 runs on Node 18 and later, and 2.1.198 and later want 22, so
 * moving the pin needs no other change here.
 */
export function claudeTemplate(cli: TemplateCli): TemplateBuilder {
  return agentTemplate({
    nodeImage: '22-bookworm-slim',
    minNode: '22.0.0',
    cli,
    bin: 'claude',
    // A sandbox lives for one job: no self-update, no telemetry or other traffic the job does not need.
    envs: { DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
  });
}
