import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { describe, expect, it } from 'vitest';
import { ProfileRegistry } from '../../src/agents/registry.js';
import { settingsFromEnv } from '../../src/config/settings.js';
import type { Octokit } from '../../src/github/octokit.js';
import { issueNotice } from '../../src/jobs/issue-notice.js';
import type { Job } from '../../src/job.js';
import { useStrictNock } from '../helpers/nock-harness.js';

const AGENT_KEY = 'amp-key-that-no-token-shape-matches-0123456789';

const job = { deliveryId: 'd-1', installationId: 1, owner: 'octo', repo: 'hello', number: 7 } as Job;
const log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

describe('issueNotice', () => {
  useStrictNock();

  it("redacts every secret the app's redactor holds, the agents' keys among them", async () => {
    const Client = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, throttle: { enabled: false }, retry: { enabled: false } }));
    const auth = async (): Promise<Octokit> => new Client({ auth: { token: 'ghs_installation' } }) as unknown as Octokit;
    let posted = '';
    nock('https://api.github.com')
      .post('/repos/octo/hello/issues/7/comments', (b: { body: string }) => ((posted = b.body), true))
      .reply(201, { id: 1, html_url: 'https://github.com/octo/hello/issues/7#issuecomment-1' });
    const notice = issueNotice({ auth, settings: settingsFromEnv({ AMP_API_KEY: AGENT_KEY }), profiles: new ProfileRegistry(), log });
    await notice(job, `The job gave up; its last words held ${AGENT_KEY}.`);
    expect(posted).toBe('The job gave up; its last words held [REDACTED].');
  });
});
