import { shellJoin, shellQuote } from '../security/shell-quote.js';
import { CLI_PINS } from './cli-pins.js';
import { cliArgument } from './cli-argument.js';
import { createOpenClawParser, parseOpenClawLine } from './openclaw-stream.js';
import type { AgentProfile, PinnedCli } from './profile.js';
import { templateName } from './template-name.js';

// OpenClaw wants Node 24.16 or later (its template has it).
const CLI: PinnedCli = CLI_PINS.openclaw;

/**
 * OpenClaw's embedded agent (`openclaw agent --local`): the prompt on stdin (`--message-file /dev/stdin`), one
 * JSON object on stdout when the run ends; exit 1 on an error, 2 on its own time limit. Its sessions
 * live in its state directory (~/.openclaw), which the paused sandbox keeps for a follow-up. It takes
 * no model flag: the model comes from its configuration.
 */
export const openclaw: AgentProfile = {
  name: 'openclaw',
  aliases: ['open-claw', 'clawdbot', 'moltbot'],
  displayName: 'OpenClaw',
  template: templateName('openclaw', CLI),
  cli: CLI,
  secrets: { required: ['ANTHROPIC_API_KEY'], optional: [] },
  env: {},
  instructionsFile: 'AGENTS.md',
  takesModel: false,
  // Its state directory holds the sessions (and the workspace, which we point at the checkout instead).
  sessionState: ({ home }) => [`${home}/.openclaw`],
  command({ promptFile, workdir, resume, timeoutMs }) {
    const args = ['openclaw', 'agent', '--local', '--json'];
    // A run needs a session: a fresh one takes the default agent's, a follow-up names its own.
    if (resume === undefined) args.push('--agent', 'main');
    else args.push('--session-id', cliArgument(resume, 'OpenClaw session id'));
    // Its own limit is ten minutes unless told otherwise; the app's limit is the one that counts.
    if (timeoutMs !== undefined) args.push('--timeout', String(Math.max(1, Math.ceil(timeoutMs / 1000))));
    // Only `agent exec` reads `-` as stdin; `agent --local` takes it for a file named `-` and fails.
    args.push('--message-file', '/dev/stdin');
    // The agent edits its workspace, ~/.openclaw/workspace unless this points it at the checkout.
    return `cd ${shellQuote(workdir)} && OPENCLAW_WORKSPACE_DIR=${shellQuote(workdir)} ${shellJoin(args)} < ${shellQuote(promptFile)}`;
  },
  outputFormat: 'openclaw-json',
  parse: parseOpenClawLine,
  createParser: createOpenClawParser,
};
