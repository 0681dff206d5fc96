import { shellJoin, shellQuote } from '../security/shell-quote.js';
import { CLI_PINS } from './cli-pins.js';
import { cliArgument } from './cli-argument.js';
import { createOpenCodeParser, parseOpenCodeLine } from './opencode-stream.js';
import type { AgentProfile, PinnedCli } from './profile.js';
import { templateName } from './template-name.js';

const CLI: PinnedCli = CLI_PINS.opencode;

/**
 * OpenCode, headless (`opencode run`): it reads the prompt from stdin whenever stdin is not a terminal
 * (an open, never-closed stdin hangs it, hence the redirect), and prints JSON events with --format json.
 */
export const opencode: AgentProfile = {
  name: 'opencode',
  aliases: ['open-code', 'opencode-ai'],
  displayName: 'OpenCode',
  template: templateName('opencode', CLI),
  cli: CLI,
  // Any one provider's key will do; a model from another provider needs `--model provider/model`.
  secrets: { required: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY'], optional: [] },
  env: { OPENCODE_DISABLE_AUTOUPDATE: '1' },
  instructionsFile: 'AGENTS.md',
  // One SQLite database in WAL mode: without its -wal file the latest session may be missing.
  sessionState: ({ home }) => ['', '-wal', '-shm'].map((suffix) => `${home}/.local/share/opencode/opencode.db${suffix}`),
  command({ promptFile, workdir, resume, model }) {
    // --auto approves the permission requests a headless run would otherwise reject.
    const args = ['opencode', 'run', '--format', 'json', '--auto', '--dir', workdir];
    if (resume !== undefined) args.push('--session', cliArgument(resume, 'OpenCode session id'));
    if (model !== undefined) args.push('--model', cliArgument(model, 'model name'));
    return `cd ${shellQuote(workdir)} && ${shellJoin(args)} < ${shellQuote(promptFile)}`;
  },
  outputFormat: 'opencode-json',
  parse: parseOpenCodeLine,
  createParser: createOpenCodeParser,
};
