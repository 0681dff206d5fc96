import { noreplyAddress } from './noreply-address.js';
import type { Octokit } from './octokit.js';

export interface BotIdentity {
  name: string;
  email: string;
}

/**
 * The app's own git identity, `<slug>[bot] <<id>+<slug>[bot]@users.noreply.<host>>`, so commits show
 * the app's avatar. Read once per process: it never changes while the app runs.
 */
export class BotIdentityCache {
  #value: Promise<BotIdentity> | undefined;

  get(appOctokit: Octokit, installationOctokit: Octokit, apiBaseUrl: string): Promise<BotIdentity> {
    this.#value ??= load(appOctokit, installationOctokit, apiBaseUrl).catch((err: unknown) => {
      this.#value = undefined;
      throw err;
    });
    return this.#value;
  }
}

async function load(appOctokit: Octokit, installationOctokit: Octokit, apiBaseUrl: string): Promise<BotIdentity> {
  const { data: app } = await appOctokit.rest.apps.getAuthenticated();
  const slug = app?.slug ?? 'issuesmith';
  const login = `${slug}[bot]`;
  const { data: user } = await installationOctokit.rest.users.getByUsername({ username: login });
  return { name: login, email: noreplyAddress({ id: user.id, login }, apiBaseUrl) };
}
