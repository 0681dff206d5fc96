import type { PinnedCli } from './profile.js';

/**
 * The template a built-in agent expects: `issuesmith-<agent>-<version>` with every run of characters
 * other than letters and digits turned into one dash (`issuesmith-claude-2-1-197`).
 */
export function templateName(agent: string, cli: PinnedCli): string {
  const version = cli.version
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `issuesmith-${agent}-${version}`;
}
