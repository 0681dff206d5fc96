import { OWN_COMMENT_MARKER } from '../triggers/is-own-comment.js';
import { formatStats, type JobStats } from './job-stats.js';

// Every comment the app posts: pure text, redacted by the caller before it leaves.

function comment(lines: string[]): string {
  return `${OWN_COMMENT_MARKER}\n${lines.join('\n')}`;
}

function quote(text: string): string {
  const t = text.trim();
  return t === '' ? '' : t.split('\n').map((l) => `> ${l}`).join('\n');
}

function details(summary: string, text: string): string {
  const t = text.trim();
  if (t === '') return '';
  // A fence longer than any run of backticks inside keeps the text from breaking out.
  const longest = Math.max(2, ...[...t.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `<details><summary>${summary}</summary>\n\n${fence}\n${t}\n${fence}\n</details>`;
}

export function refusedComment(login: string, required: string): string {
  return comment([`Sorry @${login}, only people with ${required} access to this repository can ask the agent to work.`]);
}

export function userErrorComment(message: string): string {
  return comment([`:warning: ${message}`]);
}

export function internalErrorComment(ref: string): string {
  return comment([`:x: Something went wrong on our side and the work was not done. Nothing was pushed. The app's logs have the details (reference \`${ref}\`).`]);
}

export function sandboxErrorComment(message: string, ref: string): string {
  return comment([`:x: The sandbox failed: ${message.replace(/\.$/, '')}. Nothing was pushed. Comment again to retry (reference \`${ref}\`).`]);
}

export function pullRequestOpenedComment(o: { agent: string; url: string; partial: boolean; stats: JobStats }): string {
  const head = o.partial
    ? `${o.agent} did not finish, and its partial work is in a draft pull request: ${o.url}`
    : `${o.agent} opened a pull request: ${o.url}`;
  return comment([head, '', formatStats(o.stats)]);
}

export function noChangesComment(o: { agent: string; finalText: string; stats: JobStats }): string {
  const lines = [`${o.agent} finished without changing any file, so there is no pull request.`];
  const q = quote(o.finalText);
  if (q !== '') lines.push('', q);
  lines.push('', formatStats(o.stats));
  return comment(lines);
}

export function agentFailedComment(o: { reason: string; outputTail: string; stats: JobStats }): string {
  const lines = [`:x: ${o.reason} It changed no file, so nothing was pushed.`];
  const d = details('Last lines of the agent output', o.outputTail);
  if (d !== '') lines.push('', d);
  lines.push('', formatStats(o.stats));
  return comment(lines);
}

export function helpComment(o: { command: string; labelPrefix: string; profiles: string[]; defaultProfile: string }): string {
  return comment([
    'Ask a coding agent to work on this issue:',
    '',
    `- \`${o.command} <instructions>\`: the default agent (${o.defaultProfile}) works on the issue with your instructions.`,
    `- \`${o.command} <agent> <instructions>\`: choose the agent. Further lines of the comment belong to the instructions.`,
    `- Label the issue \`${o.labelPrefix}\` or \`${o.labelPrefix}:<agent>\`.`,
    `- \`${o.command} help\`: this message.`,
    '',
    `${o.profiles.length === 0 ? 'No agent has its key configured in this app yet.' : `Agents: ${o.profiles.map((p) => `\`${p}\``).join(', ')}.`} Only people with write access can start work; the result is a draft pull request for review.`,
  ]);
}

export function pullRequestBody(o: {
  number: number;
  agent: string;
  summary: string;
  requester: string;
  partial?: { why: string };
  stats: JobStats;
  stateMarker: string;
}): string {
  const lines: string[] = [];
  if (o.partial) {
    lines.push(`> [!WARNING]`, `> This change is incomplete: ${o.partial.why}`, `> Review what is here, then continue it with a comment on the issue.`, '');
  }
  lines.push(`${o.agent} worked on #${o.number} at @${o.requester}'s request.`, '');
  const q = quote(o.summary);
  if (q !== '') lines.push(q, '');
  lines.push(o.partial ? `Refs #${o.number}` : `Closes #${o.number}`, '', `<sub>${formatStats(o.stats)}</sub>`, '', o.stateMarker);
  return lines.join('\n');
}
