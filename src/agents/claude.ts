import { shellJoin, shellQuote } from '../security/shell-quote.js';
import { parseClaudeStreamLine } from './claude-stream.js';
import { CLI_PINS } from './cli-pins.js';
import { cliArgument } from './cli-argument.js';
import type { AgentProfile, PinnedCli } from './profile.js';
import { templateName } from './template-name.js';

// 2.1.197 is the last Claude Code that runs on Node 20 (the development machines' Node; 2.1.198 and later want Node 22).
const CLI: PinnedCli = CLI_PINS.claude;

/** Claude Code, headless: the prompt on stdin, one JSON object a line on stdout. */
export const claude: AgentProfile = {
  name: 'claude',
  aliases: ['claude-code', 'claudecode', 'anthropic'],
  displayName: 'Claude Code',
  template: templateName('claude', CLI),
  cli: CLI,
  secrets: { required: ['ANTHROPIC_API_KEY'], optional: ['ANTHROPIC_BASE_URL'] },
  // Claude Code refuses --dangerously-skip-permissions as root unless it is told it is in a sandbox.
  env: { IS_SANDBOX: '1' },
  instructionsFile: 'CLAUDE.md',
  // Claude Code finds a session only under the project directory named after the absolute cwd.
  sessionState: ({ home, workdir }) => [`${home}/.claude/projects/${claudeProjectSlug(workdir)}`],
  // Both print-mode flags end the run with a result of subtype error_max_turns / error_max_budget_usd.
  budgetFlags: ['turns', 'cost'],
  command({ promptFile, workdir, resume, model, budget }) {
    const args = ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions'];
    // `--resume` takes an optional value: a session id starting with a dash would be read as a flag.
    if (resume !== undefined) args.push('--resume', cliArgument(resume, 'Claude Code session id'));
    if (model !== undefined) args.push('--model', cliArgument(model, 'model name'));
    if (budget?.maxTurns !== undefined) args.push('--max-turns', String(budget.maxTurns));
    if (budget?.maxCostUsd !== undefined) args.push('--max-budget-usd', String(budget.maxCostUsd));
    // A resumed session is only found from the same absolute directory, so always cd there.
    return `cd ${shellQuote(workdir)} && ${shellJoin(args)} < ${shellQuote(promptFile)}`;
  },
  outputFormat: 'claude-stream-json',
  parse: parseClaudeStreamLine,
};

/** Claude Code's name for a project's directory under ~/.claude/projects: the cwd, every other character a dash. */
export function claudeProjectSlug(cwd: string): string {
  return cwd.replace(/[^a-zA-Z0-9]/g, '-');
}
