import { OWN_COMMENT_MARKER } from '../access/is-own-comment.js';

// What `fix ci` says on the thread when there is nothing to fix, or no attempt left: pure text.

export interface ChecksShown {
  passed: string[];
  running: string[];
  /** Completed but neither passed nor failed: cancelled, action_required, stale. */
  other: Array<{ name: string; conclusion: string }>;
}

const MAX_LISTED = 20;

/** `/agent fix ci` while nothing is failing: which checks passed and which still run, and no job. */
export function nothingFailingMessage(o: { login: string; pull: number; headSha: string; checks: ChecksShown; command: string }): string {
  const { passed, running, other } = o.checks;
  const head = `the head of #${o.pull} (\`${o.headSha.slice(0, 7)}\`)`;
  const lines = [
    passed.length + running.length + other.length === 0
      ? `Thanks @${o.login}, but no check has reported on ${head} yet, so there is nothing for the agent to fix.`
      : `Thanks @${o.login}, but no check is failing on ${head}, so there is nothing for the agent to fix.`,
  ];
  if (passed.length > 0) lines.push('', `Passed: ${list(passed)}.`);
  if (running.length > 0) lines.push('', `Still running: ${list(running)}.`);
  if (other.length > 0) lines.push('', `Ended otherwise: ${list(other.map((c) => `${c.name} (${c.conclusion.replaceAll('_', ' ')})`))}.`);
  lines.push('', running.length > 0 ? `Ask again with \`${o.command} fix ci\` if one of them fails.` : `Nothing was started.`);
  return lines.join('\n');
}

/** The one comment when the automatic fixes (`ci.auto_fix`) of a pull request are used up. */
export function attemptsUsedUpComment(o: { pull: number; attempts: number; headSha: string; command: string }): string {
  const turns = o.attempts === 1 ? 'one automatic fix' : `${o.attempts} automatic fixes`;
  return [
    OWN_COMMENT_MARKER,
    `:warning: The checks still fail on the head of #${o.pull} (\`${o.headSha.slice(0, 7)}\`) after ${turns}, as many as this repository allows (\`ci.max_attempts\` in \`.github/issuesmith.yml\`), so the app stops trying by itself here.`,
    '',
    `Look at the failures, or ask the agent again with \`${o.command} fix ci\` and a hint.`,
  ].join('\n');
}

// Check names are other apps' words: shown as code, where nothing in them can mention anyone or open HTML.
function list(names: string[]): string {
  const shown = names.slice(0, MAX_LISTED).map((n) => `\`${n.replace(/[`\n\r]/g, "'").slice(0, 100)}\``);
  if (names.length > MAX_LISTED) shown.push(`and ${names.length - MAX_LISTED} more`);
  return shown.join(', ');
}

/** A pull request body with its state marker replaced (the automatic fixes' count), nothing else changed. */
export function pullRequestBodyWithState(previous: string, stateMarker: string): string {
  return `${previous.replace(/<!-- issuesmith:state[\s\S]*?-->/g, '').trimEnd()}\n\n${stateMarker}`;
}
