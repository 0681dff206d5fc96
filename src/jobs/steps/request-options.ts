import { cliArgument } from '../../agents/cli-argument.js';
import type { AgentProfile } from '../../agents/profile.js';
import { REQUEST_OPTIONS, REPO_CONFIG_PATH } from '../../config/repo-config.js';
import { agentSettings, type RepoSettings } from '../../config/repo-settings.js';
import { UserError } from '../../errors.js';
import type { Job } from '../../job.js';

export interface RequestOptions {
  model: string | undefined;
  /** The branch the work starts from and the pull request targets. */
  base: string;
}

/**
 * The request's options (`model=`, `base=`), checked against what the repository allows, over the
 * repository's own defaults. An unknown or forbidden option is refused with a message naming it.
 */
export async function requestOptions(job: Job, profile: AgentProfile, repo: RepoSettings, branchExists: (name: string) => Promise<boolean>): Promise<RequestOptions> {
  const given = job.options ?? {};
  const names = Object.keys(given);
  const unknown = names.filter((n) => !(REQUEST_OPTIONS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new UserError(
      `${list(unknown)} ${unknown.length === 1 ? 'is not an option' : 'are not options'} of \`${repo.command}\`; the options are ${list([...REQUEST_OPTIONS])}, like \`${repo.command} codex model=gpt-5.5 base=main fix the parser\`. Nothing ran.`,
    );
  }
  const forbidden = names.filter((n) => !repo.allowedOptions.has(n as (typeof REQUEST_OPTIONS)[number]));
  if (forbidden.length > 0) {
    throw new UserError(`This repository does not allow ${list(forbidden)} in requests (\`options.allow\` in \`${REPO_CONFIG_PATH}\`). Nothing ran.`);
  }
  const model = given.model ?? agentSettings(repo, profile).model;
  if (given.model !== undefined) {
    if (profile.takesModel === false) throw new UserError(`${profile.displayName} takes no model, so \`model=\` cannot be used with it. Nothing ran.`);
    cliArgument(given.model, 'model name');
  }
  let base = job.defaultBranch;
  if (given.base !== undefined) {
    if (!isBranchName(given.base)) throw new UserError(`\`${given.base.slice(0, 100)}\` is not a valid branch name. Nothing ran.`);
    if (!(await branchExists(given.base))) throw new UserError(`There is no branch \`${given.base}\` in this repository. Nothing ran.`);
    base = given.base;
  }
  return { model, base };
}

function list(names: string[]): string {
  return names.map((n) => `\`${n}=\``).join(', ');
}

/** git's rules for a branch name (check-ref-format), strictly. */
export function isBranchName(name: string): boolean {
  if (name.length === 0 || name.length > 255 || name.startsWith('-') || name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) return false;
  // git refuses `HEAD` as a branch name (`git check-ref-format --branch HEAD`).
  if (name.includes('..') || name.includes('//') || name.includes('@{') || name === '@' || name === 'HEAD') return false;
  // Control characters are exactly what git's ref format refuses here.
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return false;
  return name.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}
