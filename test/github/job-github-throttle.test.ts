import { describe, expect, it } from 'vitest';
import { BotIdentityCache } from '../../src/github/bot-identity.js';
import { JobGitHub } from '../../src/github/job-github.js';
import type { Octokit } from '../../src/github/octokit.js';
import { PermissionCache } from '../../src/github/permission.js';
import { Redactor } from '../../src/security/redact.js';
import { makeJob } from '../helpers/jobs.js';

/**
 * Probot's throttle keeps one process-wide group of limiters, keyed by each client's `throttle.id`
 * (Probot gives an installation's client its installation id). A client made without one shares the
 * default key with every other such client: all installations' commits then queued behind one another,
 * one write a second (the footprint bench over ten installations finished 4 of 30 jobs in 90 s).
 */
describe("the write-token client for a job's commit", () => {
  it("shares its installation's write pacing, and no other installation's", async () => {
    const made: Array<Record<string, unknown>> = [];
    class InstallationClient {
      constructor(options: Record<string, unknown>) {
        made.push(options);
      }
    }
    const installation = Object.assign(Object.create(InstallationClient.prototype) as object, {
      log: { info: () => undefined },
      request: { endpoint: { DEFAULTS: { baseUrl: 'https://api.github.com' } } },
    }) as unknown as Octokit;
    let minted = 0;
    const app = {
      rest: {
        apps: {
          createInstallationAccessToken: async () => ({ data: { token: `ghs_${String(++minted).repeat(36)}`, expires_at: new Date(Date.now() + 3_600_000).toISOString() } }),
        },
      },
    } as unknown as Octokit;
    for (const installationId of [42, 7]) {
      const gh = new JobGitHub(makeJob({ installationId, owner: 'o', repo: 'r' }), installation, app, new Redactor(), new PermissionCache(), new BotIdentityCache());
      await gh.gitData({ write: true });
    }
    expect(made).toHaveLength(2);
    expect(made[0]).toMatchObject({ auth: { token: `ghs_${'1'.repeat(36)}` }, throttle: { id: '42' } });
    expect(made[1]).toMatchObject({ auth: { token: `ghs_${'2'.repeat(36)}` }, throttle: { id: '7' } });
  });
});
