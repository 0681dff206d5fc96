/**
 * The git remote for a repository on the same server as the API: github.com for api.github.com, and
 * `<protocol>://<host>/<owner>/<repo>.git` for GitHub Enterprise Server (API at `/api/v3`).
 */
export function gitRemoteUrl(apiBaseUrl: string, owner: string, repo: string): string {
  const api = new URL(apiBaseUrl);
  const host = api.hostname === 'api.github.com' ? 'github.com' : api.host;
  const base = `${api.protocol}//${host}`;
  return `${base}/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}.git`;
}
