import { REPO_CONFIG_PATH } from '../config/repo-config.js';
import { OWN_COMMENT_MARKER } from '../access/is-own-comment.js';

// Texts about a repository's .github/issuesmith.yml; pure, redacted by the caller before they leave.

/** Every problem of the file at once, so one edit can fix them all. Posted as a UserError. */
export function configProblemsMessage(problems: readonly string[]): string {
  const n = problems.length;
  return [
    `\`${REPO_CONFIG_PATH}\` has ${n === 1 ? 'a problem' : `${n} problems`}, so nothing ran:`,
    '',
    ...problems.map((p) => `- ${p}`),
    '',
    'Fix the file on the default branch and ask again. Its settings are described in the README of issuesmith; editors can check the file against `schema/issuesmith.schema.json`.',
  ].join('\n');
}

/** Appended to the job's comments while the file has settings the app ignored or adjusted. */
export function configWarningsNote(warnings: readonly string[]): string {
  if (warnings.length === 0) return '';
  return [`<sub>Note on \`${REPO_CONFIG_PATH}\`:</sub>`, ...warnings.map((w) => `<sub>- ${w}</sub>`)].join('\n');
}

export function notAllowedUserComment(login: string): string {
  return `${OWN_COMMENT_MARKER}\nSorry @${login}, this repository only lets the people listed in \`allowed_users\` (in \`${REPO_CONFIG_PATH}\`) ask the agent to work.`;
}
