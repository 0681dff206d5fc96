import { OWN_COMMENT_MARKER } from '../access/is-own-comment.js';
import { formatStats, type JobStats } from './job-stats.js';
import { quote } from './step-line.js';

// Every comment the app posts: pure text, redacted by the caller before it leaves.

function comment(lines: string[]): string {
  return `${OWN_COMMENT_MARKER}\n${lines.join('\n')}`;
}

export function refusedComment(login: string, required: string): string {
  return comment([`Sorry @${login}, only people with ${required} access to this repository can ask the agent to work.`]);
}

export function refusedControlComment(login: string, required: string, action: 'stop' | 'status'): string {
  const what = action === 'stop' ? 'stop the agent' : "see the agent's queue";
  return comment([`Sorry @${login}, only people with ${required} access to this repository can ${what}.`]);
}

export function nothingToStopComment(number: number, command: string): string {
  return comment([`Nothing is running or queued for #${number}, so there was nothing to stop. \`${command} status\` shows what is.`]);
}

export interface KeyStatusText {
  running?: { agent: string; requester: string; for: string };
  waiting: Array<{ agent: string; requester: string }>;
}

export function queueStatusComment(o: { number: number; status: KeyStatusText; waitingInAll: number; runningInAll: number; command: string }): string {
  const lines: string[] = [];
  const r = o.status.running;
  lines.push(r === undefined ? `Nothing is running for #${o.number}.` : `Running for #${o.number}: ${r.agent}, asked by @${r.requester}, for ${r.for}.`);
  if (o.status.waiting.length > 0) {
    lines.push('', `Waiting for #${o.number}, in order:`, ...o.status.waiting.map((w, i) => `${i + 1}. ${w.agent}, asked by @${w.requester}`));
  }
  lines.push('', `<sub>In all, ${o.runningInAll} running and ${o.waitingInAll} waiting. \`${o.command} stop\` stops this issue's jobs.</sub>`);
  return comment(lines);
}

export function helpComment(o: { command: string; labelPrefix: string; profiles: string[]; defaultProfile: string }): string {
  return comment([
    'Ask a coding agent to work on this issue:',
    '',
    `- \`${o.command} <instructions>\`: the default agent (${o.defaultProfile}) works on the issue with your instructions.`,
    `- \`${o.command} <agent> <instructions>\`: choose the agent. Further lines of the comment belong to the instructions.`,
    `- Label the issue \`${o.labelPrefix}\` or \`${o.labelPrefix}:<agent>\`.`,
    `- \`${o.command} stop\`: stop the running or queued work on this issue; nothing is pushed.`,
    `- \`${o.command} status\`: what is running and waiting for this issue.`,
    `- \`${o.command} help\`: this message.`,
    `- Once there is a pull request, \`${o.command} <instructions>\` on it, on this issue, on a line of its diff or in a review continues the same agent's session there, as a new commit; \`${o.command} <agent> <instructions>\` hands it to another agent.`,
    '',
    `${o.profiles.length === 0 ? 'No agent has its key configured in this app yet.' : `Agents: ${o.profiles.map((p) => `\`${p}\``).join(', ')}.`} Only people with write access can start work; the result is a draft pull request for review.`,
  ]);
}

export function pullRequestBody(o: { number: number; agent: string; summary: string; requester: string; partial?: { why: string }; stats: JobStats; stateMarker: string }): string {
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

/**
 * The pull request body after another turn: the earlier text stays, a section for the turn is added,
 * and the state marker is replaced with the new one.
 */
export function pullRequestBodyWithTurn(
  previous: string,
  o: { turn: number; agent: string; requester: string; summary: string; partial?: { why: string }; stats: JobStats; stateMarker: string },
): string {
  const kept = previous.replace(/<!-- issuesmith:state[\s\S]*?-->/g, '').trimEnd();
  const lines = [kept, '', `### Turn ${o.turn}`, '', `${o.agent}, at @${o.requester}'s request.`, ''];
  if (o.partial) lines.push(`> [!WARNING]`, `> This turn is incomplete: ${o.partial.why}`, '');
  const q = quote(o.summary);
  if (q !== '') lines.push(q, '');
  lines.push(`<sub>${formatStats(o.stats)}</sub>`, '', o.stateMarker);
  return lines.join('\n');
}
