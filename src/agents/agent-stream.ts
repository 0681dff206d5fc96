import type { AgentEvent, AgentProfile, AgentStreamParser } from './profile.js';

/** One run's standard output, fed in chunks as they arrive, read into events. */
export interface AgentStream {
  /** A chunk of output, cut anywhere; events of the lines it completes. */
  write(chunk: string): AgentEvent[];
  /** The process has exited: events of the last, unterminated line and of anything buffered. */
  end(): AgentEvent[];
}

/** Reads a run's output with the profile's own parser, one fresh parser a run. Never throws. */
export function agentStream(profile: AgentProfile): AgentStream {
  const parser: AgentStreamParser = profile.createParser?.() ?? { line: (l) => profile.parse(l), end: () => [] };
  let pending = '';
  const line = (l: string): AgentEvent[] => guarded(() => parser.line(l.endsWith('\r') ? l.slice(0, -1) : l), l);
  return {
    write(chunk) {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      return lines.flatMap(line);
    },
    end() {
      const last = pending === '' ? [] : line(pending);
      pending = '';
      return [...last, ...guarded(() => parser.end(), '')];
    },
  };
}

/** All of a finished run's output at once. */
export function parseAgentOutput(profile: AgentProfile, stdout: string): AgentEvent[] {
  const stream = agentStream(profile);
  return [...stream.write(stdout), ...stream.end()];
}

// A parser bug must not end a run that is otherwise fine: what it could not read is kept as log text.
function guarded(parse: () => AgentEvent[], text: string): AgentEvent[] {
  try {
    return parse();
  } catch {
    return text.trim() === '' ? [] : [{ type: 'log', text: text.trim() }];
  }
}
