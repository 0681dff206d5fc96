/** What a follow-up needs to know of a pull request. */
export interface PullRequestInfo {
  number: number;
  url: string;
  title: string;
  body: string;
  open: boolean;
  headRef: string;
  headSha: string;
  /** The head branch is in this repository (not a fork), so the app can push to it. */
  sameRepository: boolean;
  /** Who opened it: `<slug>[bot]` for the app's own. */
  author: string;
  /** The branch it asks to be merged into. */
  baseRef: string;
  /** The head's repository, `owner/repo` (a fork's, for a pull request from one); empty when the fork is gone. */
  headRepo: string;
  /** How many commits it has, when GitHub said (a single pull request's answer does). */
  commits?: number;
}

/** The fields of a pull request as the REST API gives it (one fetched or listed) that PullRequestInfo reads. */
interface RawPull {
  number: number;
  html_url: string;
  title: string;
  body: string | null;
  state: string;
  head: { ref: string; sha: string; repo: { full_name: string } | null };
  base: { ref: string };
  user: { login: string } | null;
  commits?: number;
}

export function pullInfo(p: RawPull, fullName: string): PullRequestInfo {
  return {
    number: p.number,
    url: p.html_url,
    title: p.title,
    body: p.body ?? '',
    open: p.state === 'open',
    headRef: p.head.ref,
    headSha: p.head.sha,
    sameRepository: p.head.repo?.full_name.toLowerCase() === fullName.toLowerCase(),
    author: p.user?.login ?? '',
    baseRef: p.base.ref,
    headRepo: p.head.repo?.full_name ?? '',
    ...(typeof p.commits === 'number' ? { commits: p.commits } : {}),
  };
}
