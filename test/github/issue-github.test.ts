import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { describe, expect, it } from 'vitest';
import { IssueGitHub } from '../../src/github/issue-github.js';
import type { Octokit } from '../../src/github/octokit.js';
import { Redactor } from '../../src/security/redact.js';
import { useStrictNock } from '../helpers/nock-harness.js';

const API = 'https://api.github.com';
const SECRET = 'sk-ant-api03-issue-github-test-secret';
const MARKER = '<!-- issuesmith:status delivery-1 -->';
const COMMENTS = '/repos/octo/hello/issues/7/comments';

function issue(): IssueGitHub {
  const Client = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, throttle: { enabled: false }, retry: { enabled: false } }));
  const octokit = new Client({ auth: { token: 'ghs_installation' } }) as unknown as Octokit;
  return new IssueGitHub(octokit, { owner: 'octo', repo: 'hello', number: 7 }, new Redactor([SECRET]));
}

const bot = (id: number, body: string): object => ({ id, body, user: { login: 'issuesmith[bot]', type: 'Bot' } });

describe('IssueGitHub.ensureStatusComment', () => {
  useStrictNock();

  it('creates the comment, redacted, when none holds the marker', async () => {
    let posted = '';
    nock(API)
      .get(COMMENTS)
      .query({ since: '2026-01-01T00:00:00Z', per_page: '100' })
      .reply(200, [bot(1, 'another status')])
      .post(COMMENTS, (b: { body: string }) => ((posted = b.body), true))
      .reply(201, { id: 2, html_url: 'https://github.com/octo/hello/issues/7#issuecomment-2' });
    expect(await issue().ensureStatusComment({ marker: MARKER, body: `Queued ${SECRET}\n${MARKER}`, since: '2026-01-01T00:00:00Z' })).toBe(2);
    expect(posted).toBe(`Queued [REDACTED]\n${MARKER}`);
  });

  it("updates the app's comment holding the marker when it reads otherwise, and ignores one a person wrote with it", async () => {
    let patched = '';
    nock(API)
      .get(COMMENTS)
      .query({ per_page: '100' })
      .reply(200, [{ id: 3, body: MARKER, user: { login: 'mallory', type: 'User' } }, bot(4, `Queued\n${MARKER}`)])
      .patch('/repos/octo/hello/issues/comments/4', (b: { body: string }) => ((patched = b.body), true))
      .reply(200, {});
    expect(await issue().ensureStatusComment({ marker: MARKER, body: `Stopped\n${MARKER}` })).toBe(4);
    expect(patched).toBe(`Stopped\n${MARKER}`);
  });

  it('leaves the comment when it already reads the body', async () => {
    nock(API)
      .get(COMMENTS)
      .query({ per_page: '100' })
      .reply(200, [bot(5, `Stopped\n${MARKER}`)]);
    expect(await issue().ensureStatusComment({ marker: MARKER, body: `Stopped\n${MARKER}` })).toBe(5);
  });

  it('creates nothing when asked only to replace a status already shown', async () => {
    nock(API).get(COMMENTS).query({ per_page: '100' }).reply(200, []);
    expect(await issue().ensureStatusComment({ marker: MARKER, body: `Stopped\n${MARKER}`, create: false })).toBeUndefined();
  });
});

describe('IssueGitHub.ensureReaction', () => {
  useStrictNock();

  it('reacts on the issue, on a comment, and on a line comment of the diff', async () => {
    nock(API)
      .post('/repos/octo/hello/issues/7/reactions', { content: 'eyes' })
      .reply(201, {})
      .post('/repos/octo/hello/issues/comments/11/reactions', { content: '+1' })
      .reply(200, {})
      .post('/repos/octo/hello/pulls/comments/12/reactions', { content: 'rocket' })
      .reply(201, {});
    const gh = issue();
    await gh.ensureReaction({ type: 'issue' }, 'eyes');
    await gh.ensureReaction({ type: 'issue-comment', commentId: 11 }, '+1');
    await gh.ensureReaction({ type: 'review-comment', commentId: 12 }, 'rocket');
  });
});
