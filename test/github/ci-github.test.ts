import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { CiGitHub } from '../../src/github/ci-github.js';
import { INSTALLATION_TOKEN } from '../helpers/github-api.js';
import { useStrictNock } from '../helpers/nock-harness.js';
import { testProbot } from '../helpers/probot.js';

const API = 'https://ghe.example.com';

async function client(): Promise<CiGitHub> {
  nock(API)
    .post('/api/v3/app/installations/1/access_tokens')
    .reply(201, { token: INSTALLATION_TOKEN, expires_at: new Date(Date.now() + 3600_000).toISOString() });
  const octokit = await testProbot(`${API}/api/v3`).auth(1);
  return new CiGitHub(octokit as never, 'o', 'r', `${API}/api/v3`);
}

describe("an Actions job's log download", () => {
  useStrictNock();

  it('sends the installation token along a redirect to the API host itself', async () => {
    const ci = await client();
    nock(API).get('/api/v3/repos/o/r/actions/jobs/5/logs').reply(302, '', { location: '/_services/pipelines/logs/5?sig=1' });
    nock(API, { reqheaders: { authorization: `token ${INSTALLATION_TOKEN}` } })
      .get('/_services/pipelines/logs/5')
      .query({ sig: '1' })
      .reply(200, 'line one\nline two\n');
    let text = '';
    expect(await ci.jobLog(5, (t) => (text += t), { maxBytes: 1_000, timeoutMs: 5_000 })).toEqual({ truncated: false });
    expect(text).toBe('line one\nline two\n');
  });

  it('sends no credentials to another host, not even after a second redirect, and refuses plain http there', async () => {
    const ci = await client();
    nock(API).get('/api/v3/repos/o/r/actions/jobs/6/logs').reply(302, '', { location: 'https://blob.example.net/a' });
    nock('https://blob.example.net', { badheaders: ['authorization'] })
      .get('/a')
      .reply(302, '', { location: 'https://blob2.example.net/b' });
    nock('https://blob2.example.net', { badheaders: ['authorization'] })
      .get('/b')
      .reply(200, 'x'.repeat(5_000));
    let text = '';
    expect(await ci.jobLog(6, (t) => (text += t), { maxBytes: 1_000, timeoutMs: 5_000 })).toEqual({ truncated: true });
    expect(text).toHaveLength(1_000);
    nock(API).get('/api/v3/repos/o/r/actions/jobs/7/logs').reply(302, '', { location: 'http://blob.example.net/c' });
    await expect(ci.jobLog(7, () => undefined, { maxBytes: 1_000, timeoutMs: 5_000 })).rejects.toThrow('the log address uses http:');
  });
});
