import { formatStats, type JobStats } from './job-stats.js';
import { quote } from './step-line.js';

/** The body of the pull request the app opens from a fork's pull request: it names the original, whose commits it holds. */
export function forkPullRequestBody(o: {
  number: number;
  author: string;
  /** `owner:branch` of the fork's head, as GitHub shows it. */
  headLabel: string;
  agent: string;
  summary: string;
  requester: string;
  partial?: { why: string };
  stats: JobStats;
  stateMarker: string;
}): string {
  const lines: string[] = [];
  if (o.partial) lines.push(`> [!WARNING]`, `> This change is incomplete: ${o.partial.why}`, `> Review what is here, then continue it with a comment here.`, '');
  lines.push(
    `${o.agent} worked on #${o.number} (by @${o.author}, from \`${o.headLabel.replace(/`/g, "'")}\`) at @${o.requester}'s request.`,
    `This branch holds the commits of #${o.number} and the agent's commit on top; #${o.number} itself and its fork are unchanged.`,
    '',
  );
  const q = quote(o.summary);
  if (q !== '') lines.push(q, '');
  lines.push(`Refs #${o.number}`, '', `<sub>${formatStats(o.stats)}</sub>`, '', o.stateMarker);
  return lines.join('\n');
}
