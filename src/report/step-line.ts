import type { AgentEvent } from '../agents/profile.js';
import { oneLine } from '../agents/tool-detail.js';

const MAX = 160;

/**
 * One line for the status comment's "latest steps", or undefined for events that are not steps. The
 * line is cut to a length, so the event must already be redacted (the reporter does it): a secret
 * cut in two no longer matches the redactor, and its first characters would leave the app.
 */
export function stepLine(e: AgentEvent): string | undefined {
  if (e.type === 'tool') return clean(e.detail.trim() === '' ? e.name : e.detail);
  if (e.type === 'error') return clean(`Error: ${oneLine(e.message, 120)}`);
  return undefined;
}

// The detail is already formatted (`Edited \`src/a.ts\``); keep one line, and never let the agent's
// words mention people (`@someone` would notify them) or open HTML.
function clean(s: string): string {
  const first = (s.split('\n')[0] ?? '').trim();
  return neutralize(first.length > MAX ? cut(first) : first);
}

// A code span cut open is closed again, so the rest of the line is not taken for code (where
// `neutralize` leaves mentions alone).
function cut(line: string): string {
  const short = `${line.slice(0, MAX - 2)}…`;
  return (short.match(/`/g) ?? []).length % 2 === 1 ? `${short}\`` : short;
}

/**
 * The agent's words, made harmless in Markdown: no `@someone` that notifies, no HTML. Inside code
 * spans nothing is a mention and entities would show as typed, so there a `<` that could open a tag
 * or a comment gets a zero-width space after it instead: it reads the same, and the text never holds
 * `<!--` (a code span is no hiding place for a fake state marker), whichever way the backticks pair up.
 */
export function neutralize(text: string): string {
  return text
    .split('`')
    .map((part, i) => (i % 2 === 0 ? part.replace(/@(?=[A-Za-z0-9])/g, '&#64;').replace(/</g, '&lt;') : breakTags(part)))
    .join('`');
}

/** `<` before anything that could start HTML (`<!--`, `<img`, `</x`, `<?`) gets a zero-width space. */
export function breakTags(text: string): string {
  return text.replace(/<(?=[!/?A-Za-z])/g, '<\u200B');
}

/** The agent's own words as a Markdown quote, unable to mention anyone or open HTML. */
export function quote(text: string): string {
  const t = text.trim();
  return t === ''
    ? ''
    : t
        .split('\n')
        .map((l) => `> ${neutralize(l)}`)
        .join('\n');
}

/** Text shown as typed in a code block: a fence longer than any run of backticks inside keeps it from breaking out. */
export function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}\n${breakTags(text)}\n${fence}`;
}
