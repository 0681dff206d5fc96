import { shellJoin, shellQuote } from '../security/shell-quote.js';
import { CLI_PINS } from './cli-pins.js';
import { cliArgument } from './cli-argument.js';
import { createCodexParser, parseCodexLine } from './codex-stream.js';
import type { AgentProfile, PinnedCli } from './profile.js';
import { templateName } from './template-name.js';

const CLI: PinnedCli = CLI_PINS.codex;

/** OpenAI's Codex CLI, headless (`codex exec`): the prompt on stdin (`-`), JSON events on stdout. */
export const codex: AgentProfile = {
  name: 'codex',
  aliases: ['openai', 'codex-cli', 'openai-codex'],
  displayName: 'Codex',
  template: templateName('codex', CLI),
  cli: CLI,
  // `codex exec` reads CODEX_API_KEY; OPENAI_API_KEY alone is not used by it, so it is not sent.
  // Codex no longer reads OPENAI_BASE_URL (its endpoint is `openai_base_url` in ~/.codex/config.toml,
  // the template's business): sent, it would only point a keyless sandbox's key at a host Codex never calls.
  secrets: { required: ['CODEX_API_KEY'], optional: [] },
  env: {},
  instructionsFile: 'AGENTS.md',
  // Only the rollouts: the rest of CODEX_HOME (config, logs) holds absolute paths and caches.
  sessionState: ({ home }) => [`${home}/.codex/sessions`],
  command({ promptFile, workdir, resume, model }) {
    // The sandbox is the isolation: Codex's own workspace sandbox (--full-auto) would cut commands
    // such as `npm install` off the network.
    const args = ['codex', 'exec', '--json', '--dangerously-bypass-approvals-and-sandbox', '--skip-git-repo-check'];
    if (model !== undefined) args.push('--model', cliArgument(model, 'model name'));
    // `exec resume` takes no -C: it runs in the current directory, hence the cd.
    if (resume === undefined) args.push('-C', workdir, '-');
    else args.push('resume', cliArgument(resume, 'Codex session id'), '-');
    return `cd ${shellQuote(workdir)} && ${shellJoin(args)} < ${shellQuote(promptFile)}`;
  },
  outputFormat: 'codex-json',
  parse: parseCodexLine,
  createParser: createCodexParser,
};
