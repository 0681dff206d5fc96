import type { AgentEvent } from '../agents/profile.js';
import { oneLine } from '../agents/tool-detail.js';

const MAX = 160;

/** One line for the status comment's "latest steps", or undefined for events that are not steps. */
export function stepLine(e: AgentEvent): string | undefined {
  if (e.type === 'tool') return clean(e.detail.trim() === '' ? e.name : e.detail);
  if (e.type === 'error') return clean(`Error: ${oneLine(e.message, 120)}`);
  return undefined;
}

// The detail is already formatted (`Edited \`src/a.ts\``); keep one line, and never let the agent's
// words mention people (`@someone` would notify them) or open HTML.
function clean(s: string): string {
  const first = (s.split('\n')[0] ?? '').trim();
  const short = first.length > MAX ? `${first.slice(0, MAX - 1)}…` : first;
  return neutralize(short);
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
