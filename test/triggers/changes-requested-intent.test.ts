import { describe, expect, it } from 'vitest';
import { renderStateMarker, sealedMarker } from '../../src/github/state-marker.js';
import { jobSchema } from '../../src/job.js';
import { intentFromReview, type TriggerOptions } from '../../src/triggers/intent.js';
import { resolveRequest } from '../../src/triggers/resolve-request.js';
import { reviewPayload } from '../helpers/payloads.js';

const options: TriggerOptions = {
  defaultProfile: 'claude',
  isProfile: (w) => ['claude', 'codex'].includes(w.toLowerCase()),
  labelPrefix: 'agent',
  command: '/agent',
  stateKey: Buffer.alloc(32, 3),
  now: () => new Date('2026-11-23T00:00:00Z'),
};
const seal = { key: Buffer.alloc(32, 3), installation: 1, repo: 'Codertocat/Hello-World' };
const BRANCH = 'issuesmith/1-x';
const state = { v: 1 as const, repo: 'Codertocat/Hello-World', issue: 1, profile: 'claude', branch: BRANCH, turns: 1 };

function review(body: string, o: { state?: string; association?: string; prBody?: string; prAuthor?: string; headRepo?: string; headRef?: string } = {}) {
  const p = reviewPayload(body, { number: 77, reviewId: 555 });
  Object.assign(p.review as object, { state: o.state ?? 'changes_requested', author_association: o.association ?? 'MEMBER' });
  const pr = p.pull_request as Record<string, unknown> & { head: Record<string, unknown> };
  const author = o.prAuthor ?? 'issuesmith[bot]';
  pr.user = { login: author, id: 1, type: author.endsWith('[bot]') ? 'Bot' : 'User' };
  pr.body = o.prBody ?? `Work.\n\n${renderStateMarker(state, seal)}`;
  pr.head = { ...pr.head, ref: o.headRef ?? BRANCH, repo: { full_name: o.headRepo ?? 'Codertocat/Hello-World' } };
  return p;
}

const trigger = { labelPrefix: 'agent', command: '/agent', defaultProfile: 'claude', isProfile: () => false };

describe('a review that requests changes, without the command', () => {
  it("is a candidate follow-up on the app's pull request, carrying the review's body as the reviewer's words", () => {
    const intent = intentFromReview(review('Please rename `x`.'), 'd1', options);
    expect(intent.kind).toBe('candidate');
    if (intent.kind !== 'candidate') return;
    const job = jobSchema.parse(intent.job);
    expect(job).toMatchObject({ kind: 'continue', pull: { number: 77 }, instructions: 'Please rename `x`.', profileNamed: false });
    expect(job.trigger).toEqual({ type: 'review', reviewId: 555, changesRequested: true });
    // The worker runs it only where the repository turns it on.
    expect(resolveRequest(job, trigger)).toEqual({ kind: 'ignore', reason: 'a review requesting changes, which this repository does not answer' });
    expect(resolveRequest(job, { ...trigger, onChangesRequested: true })).toMatchObject({ kind: 'run', instructions: 'Please rename `x`.' });
  });

  it('is ignored when it approves or only comments', () => {
    for (const s of ['approved', 'commented', 'APPROVED', 'dismissed']) expect(intentFromReview(review('Fine', { state: s }), 'd', options).kind).toBe('ignore');
  });

  it('is ignored, without a reply, from an outsider the payload shows', () => {
    for (const association of ['NONE', 'CONTRIBUTOR', 'FIRST_TIME_CONTRIBUTOR']) {
      expect(intentFromReview(review('Rename', { association }), 'd', options)).toMatchObject({ kind: 'ignore' });
    }
  });

  it("is ignored on a pull request the app did not open: a person's, a fork's, a forged or copied marker", () => {
    const forged = `Work.\n\n${sealedMarker(JSON.stringify(state), { ...seal, key: Buffer.alloc(32, 9) })}`;
    const other = `Work.\n\n${renderStateMarker({ ...state, branch: 'issuesmith/2-y' }, seal)}`;
    expect(intentFromReview(review('Rename', { prAuthor: 'mallory' }), 'd', options).kind).toBe('ignore');
    expect(intentFromReview(review('Rename', { headRepo: 'mallory/Hello-World' }), 'd', options).kind).toBe('ignore');
    expect(intentFromReview(review('Rename', { prBody: forged }), 'd', options).kind).toBe('ignore');
    expect(intentFromReview(review('Rename', { prBody: other }), 'd', options).kind).toBe('ignore');
    expect(intentFromReview(review('Rename', { prBody: 'no marker' }), 'd', options).kind).toBe('ignore');
    const { stateKey: _key, ...keyless } = options;
    expect(intentFromReview(review('Rename'), 'd', keyless).kind).toBe('ignore');
  });

  it('with the command is the command, answered like any /agent review', () => {
    const intent = intentFromReview(review('/agent codex rename it'), 'd', options);
    expect(intent.kind).toBe('continue');
    if (intent.kind !== 'continue') return;
    expect(intent.job).toMatchObject({ profile: 'codex', instructions: 'rename it', trigger: { type: 'review', reviewId: 555 } });
    expect(intent.job.trigger).not.toHaveProperty('changesRequested');
  });
});
