/** What follows `/agent` on a comment's first line, and the lines after it. */
export type AgentCommand =
  | { verb: 'run'; profile?: string; instructions: string; options?: Record<string, string>; /** `fix ci`: the failing checks go to the agent. */ fixCi?: true }
  | { verb: 'stop' }
  | { verb: 'help' }
  | { verb: 'status' };

const VERBS = new Set(['stop', 'help', 'status']);

/**
 * Parses a comment that may be an `/agent` command. Only the first line can hold the command;
 * further lines belong to the instructions. The first word picks a profile when it names a known
 * one; otherwise the whole text goes to the default profile. Returns undefined for other comments.
 */
export function parseAgentCommand(body: string, isProfile: (word: string) => boolean, command = '/agent'): AgentCommand | undefined {
  const text = body.replace(/\r\n?/g, '\n').replace(/^\s+/, '');
  if (!text.toLowerCase().startsWith(command.toLowerCase())) return undefined;
  const after = text.slice(command.length);
  // `/agentx` is another word, not our command.
  if (after !== '' && !/^\s/.test(after)) return undefined;
  const newline = after.indexOf('\n');
  const firstLine = (newline === -1 ? after : after.slice(0, newline)).trim();
  const rest = newline === -1 ? '' : after.slice(newline + 1);
  const [first = '', ...words] = firstLine.split(/\s+/).filter((w) => w !== '');
  if (VERBS.has(first.toLowerCase()) && words.length === 0 && rest.trim() === '') {
    return { verb: first.toLowerCase() as 'stop' | 'help' | 'status' };
  }
  if (first !== '' && isProfile(first)) {
    const { options, remaining } = leadingOptions(words);
    return withOptions({ verb: 'run', profile: first.toLowerCase(), ...task(remaining, rest) }, options);
  }
  const { options, remaining } = leadingOptions(first === '' ? [] : [first, ...words]);
  return withOptions({ verb: 'run', ...task(remaining, rest) }, options);
}

/** `fix ci` as the request's first words asks for the failing checks; whatever follows is more instructions. */
function task(words: string[], rest: string): { instructions: string; fixCi?: true } {
  if (words[0]?.toLowerCase() === 'fix' && /^ci[.:,!]?$/i.test(words[1] ?? '')) return { instructions: joinInstructions(words.slice(2).join(' '), rest), fixCi: true };
  return { instructions: joinInstructions(words.join(' '), rest) };
}

const OPTION = /^([a-z][a-z0-9_-]{0,30})=(\S+)$/;

/**
 * `key=value` words right after the agent's name (or the command) are options of the request, as
 * typed: the worker checks them against what the repository allows. The first other word ends them.
 */
function leadingOptions(words: string[]): { options: Record<string, string>; remaining: string[] } {
  const options: Record<string, string> = {};
  let i = 0;
  for (; i < words.length; i += 1) {
    const m = OPTION.exec(words[i] ?? '');
    if (!m?.[1] || m[2] === undefined) break;
    options[m[1]] = m[2];
  }
  return { options, remaining: words.slice(i) };
}

function withOptions(c: Extract<AgentCommand, { verb: 'run' }>, options: Record<string, string>): AgentCommand {
  return Object.keys(options).length > 0 ? { ...c, options } : c;
}

function joinInstructions(line: string, rest: string): string {
  return [line, rest.trim()].filter((s) => s !== '').join('\n');
}
