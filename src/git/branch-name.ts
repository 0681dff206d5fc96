/** Where the app's branches start unless a repository says otherwise (`pull_request.branch_prefix`). */
export const DEFAULT_BRANCH_PREFIX = 'issuesmith/';

/**
 * A branch-safe slug from any issue title: accents folded, everything outside [a-z0-9] becomes a
 * dash, no `..`, no leading or trailing dash, at most `max` characters; `issue` when nothing is left.
 */
export function slugify(title: string, max = 40): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/g, '');
  return slug === '' ? 'issue' : slug;
}

/**
 * `issuesmith/<number>-<slug>`, with `-2`, `-3`, … when the name is taken. The prefix comes from the
 * repository's settings (`pull_request.branch_prefix`, checked there to start a valid branch name).
 */
export function branchName(number: number, title: string, taken: ReadonlySet<string> = new Set(), prefix = DEFAULT_BRANCH_PREFIX): string {
  const base = `${prefix}${number}-${slugify(title)}`;
  if (!taken.has(base)) return base;
  for (let i = 2; ; i += 1) {
    const candidate = `${base}-${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}
