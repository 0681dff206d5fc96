import { Octokit as RestOctokit } from '@octokit/rest';
import type { Octokit } from './octokit.js';

export interface RepoToken {
  token: string;
  expiresAt: string;
}

/**
 * Mints an installation token that can reach only one repository, with only the given permissions
 * (`contents: read` for the sandbox's clone, `contents: write` for the host's push, `workflows: write`
 * only for a change to workflow files that the repository allows).
 */
export async function mintRepoToken(
  appOctokit: Octokit,
  installationId: number,
  repo: string,
  permissions: { contents: 'read' | 'write'; workflows?: 'write' },
): Promise<RepoToken> {
  const { data } = await appOctokit.rest.apps.createInstallationAccessToken({
    installation_id: installationId,
    repositories: [repo],
    permissions,
  });
  return { token: data.token, expiresAt: data.expires_at };
}

/** Revokes a token; a token that is already gone is fine. */
export async function revokeToken(baseUrl: string, token: string): Promise<void> {
  const client = new RestOctokit({ auth: token, baseUrl, request: { retries: 0 } });
  try {
    await client.rest.apps.revokeInstallationAccessToken();
  } catch (err) {
    if ((err as { status?: number }).status !== 401) throw err;
  }
}
