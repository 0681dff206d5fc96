import nock from 'nock';
import { pino } from 'pino';
import { Probot } from 'probot';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appOctokit } from '../../src/github/app-octokit.js';
import type { Octokit } from '../../src/github/octokit.js';
import { useStrictNock } from '../helpers/nock-harness.js';
import { privateKey } from '../helpers/probot.js';

const API = 'https://api.github.com';
const SECONDARY = {
  message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
  documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
};

/** A Probot as the app builds it: main.ts hands `appOctokit()` to Probot's `run`. */
function appProbot(o: Parameters<typeof appOctokit>[0] = {}): Probot {
  return new Probot({ appId: 123, privateKey: privateKey(), secret: 'test-webhook-secret', log: pino({ level: 'silent' }), Octokit: appOctokit(o) });
}

/**
 * The throttle's own clock (retry-after, and its one-second and three-second spacing of writes that
 * notify) runs on fake timers, moved on until the request settles; returns the fake time it took.
 */
async function settle<T>(p: Promise<T>): Promise<{ result: PromiseSettledResult<T>; fakeMs: number }> {
  const started = Date.now();
  let result: PromiseSettledResult<T> | undefined;
  void p.then(
    (value) => (result = { status: 'fulfilled', value }),
    (reason: unknown) => (result = { status: 'rejected', reason }),
  );
  // Real time is capped, not the number of steps: nock answers through real I/O, which a busy machine
  // may deliver after many fake steps, so each step also yields to it.
  const realStart = performance.now();
  while (result === undefined && performance.now() - realStart < 20_000) {
    await vi.advanceTimersByTimeAsync(50);
    await new Promise((r) => setImmediate(r));
  }
  if (result === undefined) throw new Error('the request never settled');
  return { result, fakeMs: Date.now() - started };
}

describe("the app's Octokit under GitHub's rate limits", () => {
  useStrictNock();
  // One fake clock for the file: the throttle's write limiters are shared by every client in the process.
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  it('waits out a secondary rate limit (403, retry-after) on a write, and the write succeeds', async () => {
    nock(API)
      .post('/app/installations/1/access_tokens')
      .reply(201, { token: 'ghs_test', expires_at: new Date(Date.now() + 3600_000).toISOString() });
    let refusedAt = 0;
    let retriedAt = 0;
    nock(API)
      .post('/repos/o/r/issues/1/comments')
      .reply(() => {
        refusedAt = Date.now();
        return [403, SECONDARY, { 'retry-after': '1' }];
      })
      .post('/repos/o/r/issues/1/comments')
      .reply(() => {
        retriedAt = Date.now();
        return [201, { id: 9 }];
      });
    const octokit = (await settle(appProbot().auth(1))).result;
    if (octokit.status !== 'fulfilled') throw octokit.reason;
    const { result } = await settle((octokit.value as Octokit).rest.issues.createComment({ owner: 'o', repo: 'r', issue_number: 1, body: 'hello' }));
    expect(result).toMatchObject({ status: 'fulfilled', value: { status: 201, data: { id: 9 } } });
    // It was sent again only once GitHub's retry-after (1 s) had passed.
    expect(retriedAt - refusedAt).toBeGreaterThanOrEqual(1_000);
  });

  it('waits out a secondary rate limit answered with 429 too', async () => {
    nock(API)
      .post('/app/installations/1/access_tokens')
      .reply(201, { token: 'ghs_test', expires_at: new Date(Date.now() + 3600_000).toISOString() });
    nock(API).post('/repos/o/r/pulls').reply(429, SECONDARY, { 'retry-after': '1' }).post('/repos/o/r/pulls').reply(201, { number: 2 });
    const octokit = (await settle(appProbot().auth(1))).result;
    if (octokit.status !== 'fulfilled') throw octokit.reason;
    const { result } = await settle((octokit.value as Octokit).rest.pulls.create({ owner: 'o', repo: 'r', head: 'b', base: 'main', title: 't' }));
    expect(result).toMatchObject({ status: 'fulfilled', value: { data: { number: 2 } } });
  });

  it('gives up after a bounded number of retries', async () => {
    nock(API)
      .post('/app/installations/1/access_tokens')
      .reply(201, { token: 'ghs_test', expires_at: new Date(Date.now() + 3600_000).toISOString() });
    nock(API).post('/repos/o/r/issues/1/comments').times(3).reply(403, SECONDARY, { 'retry-after': '1' });
    const octokit = (await settle(appProbot({ secondaryRetries: 2 }).auth(1))).result;
    if (octokit.status !== 'fulfilled') throw octokit.reason;
    const { result } = await settle((octokit.value as Octokit).rest.issues.createComment({ owner: 'o', repo: 'r', issue_number: 1, body: 'hello' }));
    expect(result).toMatchObject({ status: 'rejected', reason: { status: 403 } });
  });
});
