import type { ProbotOctokit } from 'probot';

/** An authenticated client as Probot's `app.auth()` returns it. */
export type Octokit = InstanceType<typeof ProbotOctokit>;

/** The REST API base the client talks to: https://api.github.com, or <protocol>://<host>/api/v3 on GHES. */
export function apiBaseUrl(octokit: Octokit): string {
  return octokit.request.endpoint.DEFAULTS.baseUrl.replace(/\/+$/, '');
}
