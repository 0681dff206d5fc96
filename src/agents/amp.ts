import { z } from 'zod';
import { shellJoin, shellQuote } from '../security/shell-quote.js';
import { parseClaudeStreamLine } from './claude-stream.js';
import { CLI_PINS } from './cli-pins.js';
import { cliArgument } from './cli-argument.js';
import { classifyFailureText } from './failure-reason.js';
import { readJsonLine } from './json-line.js';
import type { AgentEvent, AgentProfile, PinnedCli } from './profile.js';
import { templateName } from './template-name.js';

const FLAGS = ['--dangerously-allow-all', '--stream-json', '-x'];

// Amp's versions are builds of its service's CLI; a newer one is published every few hours.
const CLI: PinnedCli = CLI_PINS.amp;

/**
 * Sourcegraph's Amp, in execute mode: the prompt on stdin, Claude Code's stream-json shapes on
 * stdout, thread ids `T-<uuid>` as the session id. Without AMP_API_KEY it opens an interactive login
 * and waits forever, so the pipeline must never start it without the key. Amp takes no model flag.
 */
export const amp: AgentProfile = {
  name: 'amp',
  aliases: ['ampcode', 'amp-code'],
  displayName: 'Amp',
  template: templateName('amp', CLI),
  cli: CLI,
  secrets: { required: ['AMP_API_KEY'], optional: ['AMP_URL'] },
  // An update check in a sandbox that lives for one job is wasted time.
  env: { AMP_SKIP_UPDATE_CHECK: '1' },
  instructionsFile: 'AGENTS.md',
  takesModel: false,
  // Threads live on Amp's service: `amp threads continue` works from any sandbox.
  sessionState: () => [],
  command({ promptFile, workdir, resume }) {
    const args = resume === undefined ? ['amp', ...FLAGS] : ['amp', 'threads', 'continue', cliArgument(resume, 'Amp thread id'), ...FLAGS];
    return `cd ${shellQuote(workdir)} && ${shellJoin(args)} < ${shellQuote(promptFile)}`;
  },
  parse: parseAmpStreamLine,
};

// Amp's failed results carry their reason in `error`, where Claude Code's carry `result` or `errors`.
const ampError = z.looseObject({ type: z.literal('result'), error: z.string() });

export function parseAmpStreamLine(raw: string): AgentEvent[] {
  const events = parseClaudeStreamLine(raw);
  if (!events.some((e) => e.type === 'result' && !e.ok && e.summary === '')) return events;
  const read = readJsonLine(raw);
  const parsed = read.kind === 'json' ? ampError.safeParse(read.value) : undefined;
  if (!parsed?.success) return events;
  const message = parsed.data.error;
  return events.map((e) =>
    e.type === 'result' && !e.ok && e.summary === '' ? { ...e, summary: message, reason: e.reason === 'max_turns' ? e.reason : classifyFailureText(message) } : e,
  );
}
