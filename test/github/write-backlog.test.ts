import nock from 'nock';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { appOctokit } from '../../src/github/app-octokit.js';
import type { Octokit } from '../../src/github/octokit.js';
import { writesWaiting } from '../../src/github/write-backlog.js';
import { useStrictNock } from '../helpers/nock-harness.js';

const API = 'https://api.github.com';

/** A client as the app makes one for an installation: the app's Octokit class, the installation's throttle id. */
function client(installationId: string): Octokit {
  const Octokit = appOctokit();
  return new Octokit({ auth: `ghs_${'a'.repeat(36)}`, log: pino({ level: 'silent' }), throttle: { id: installationId }, retry: { enabled: false } });
}

describe("an installation's writes waiting for GitHub", () => {
  useStrictNock();

  it('are counted while they wait for the throttle and until they are answered, reads and other installations apart', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    nock(API)
      .patch('/repos/o/r/issues/comments/1')
      .reply(200, async () => {
        await held;
        return { id: 1 };
      })
      .patch('/repos/o/r/issues/comments/2')
      .reply(200, { id: 2 })
      .get('/repos/o/r')
      .reply(200, async () => {
        await held;
        return { id: 3 };
      });
    const ours = client('9042');
    const first = ours.request('PATCH /repos/{owner}/{repo}/issues/comments/{id}', { owner: 'o', repo: 'r', id: 1, body: 'a' });
    const second = ours.request('PATCH /repos/{owner}/{repo}/issues/comments/{id}', { owner: 'o', repo: 'r', id: 2, body: 'b' });
    const read = ours.request('GET /repos/{owner}/{repo}', { owner: 'o', repo: 'r' });
    // The first write held by GitHub, the second waiting its second in the throttle; the read is not a write.
    await vi.waitFor(() => expect(writesWaiting('9042')).toBe(2));
    expect(writesWaiting(9042)).toBe(2);
    expect(writesWaiting('9043')).toBe(0);
    release();
    await Promise.all([first, second, read]);
    expect(writesWaiting('9042')).toBe(0);
  });

  it('lets a failed write go: the count comes back down', async () => {
    nock(API).post('/repos/o/r/git/refs').reply(422, { message: 'Reference already exists' });
    await expect(client('9044').request('POST /repos/{owner}/{repo}/git/refs', { owner: 'o', repo: 'r', ref: 'refs/heads/x', sha: 'a'.repeat(40) })).rejects.toMatchObject({
      status: 422,
    });
    expect(writesWaiting('9044')).toBe(0);
  });
});
