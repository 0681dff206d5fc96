import { describe, expect, it } from 'vitest';
import { renderStateMarker, sealedMarker } from '../../src/github/state-marker.js';
import { jobSchema } from '../../src/job.js';
import { intentFromComment, intentFromPullRequestClosed, intentFromReview, intentFromReviewComment, type Intent, type TriggerOptions } from '../../src/triggers/intent.js';
import { OWN_COMMENT_MARKER } from '../../src/access/is-own-comment.js';
import { commentPayload, pullClosedPayload, pullCommentPayload, reviewCommentPayload, reviewPayload } from '../helpers/payloads.js';

const options: TriggerOptions = {
  defaultProfile: 'claude',
  isProfile: (w) => ['claude', 'codex'].includes(w.toLowerCase()),
  labelPrefix: 'agent',
  command: '/agent',
  stateKey: Buffer.alloc(32, 3),
  now: () => new Date('2026-11-23T00:00:00Z'),
};
// The example payloads' installation (helpers/payloads.ts) and repository.
const seal = (repo = 'Codertocat/Hello-World') => ({ key: Buffer.alloc(32, 3), installation: 1, repo });

const marker = (o: { repo?: string; sandbox?: string } = {}): string =>
  renderStateMarker(
    {
      v: 1,
      repo: o.repo ?? 'Codertocat/Hello-World',
      issue: 1,
      profile: 'claude',
      branch: 'issuesmith/1-x',
      session: 's-1',
      ...(o.sandbox ? { sandbox: o.sandbox } : {}),
      turns: 1,
    },
    seal(),
  );

function job(intent: Intent) {
  if (intent.kind === 'ignore') throw new Error(`ignored: ${intent.reason}`);
  if (intent.kind === 'control') throw new Error('a control request, not a job');
  if (intent.kind === 'outsider') throw new Error(`an outsider's request, not a job: ${intent.request.association}`);
  // Every job a trigger makes survives the trip through a queue.
  return jobSchema.parse(intent.job);
}

describe('follow-up intents', () => {
  it('makes /agent on a pull request conversation a follow-up that keeps the pull request agent unless one is named', () => {
    const plain = intentFromComment(pullCommentPayload('/agent fix the tests', { number: 77, commentId: 3 }), 'd', options);
    expect(plain.kind).toBe('continue');
    expect(job(plain)).toMatchObject({
      kind: 'continue',
      number: 77,
      pull: { number: 77 },
      profileNamed: false,
      instructions: 'fix the tests',
      trigger: { type: 'comment', commentId: 3 },
    });
    const named = intentFromComment(pullCommentPayload('/agent codex take over', { number: 77 }), 'd', options);
    expect(job(named)).toMatchObject({ profile: 'codex', profileNamed: true, instructions: 'take over' });
  });

  it('marks whether an issue comment named its agent, so a follow-up there can keep the pull request agent', () => {
    const plain = intentFromComment(commentPayload('/agent go'), 'd', options);
    expect(plain.kind).toBe('run');
    expect(job(plain)).toMatchObject({ kind: 'run', profileNamed: false });
    expect(job(intentFromComment(commentPayload('/agent codex go'), 'd', options)).profileNamed).toBe(true);
  });

  it('carries the file, line and hunk of a review comment', () => {
    const intent = intentFromReviewComment(
      reviewCommentPayload('/agent use a constant here', { number: 77, commentId: 42, path: 'src/a.ts', line: 12, diffHunk: '@@ -1 +1 @@\n-a\n+b' }),
      'd',
      options,
    );
    expect(intent.kind).toBe('continue');
    expect(job(intent)).toMatchObject({
      kind: 'continue',
      number: 77,
      pull: { number: 77 },
      instructions: 'use a constant here',
      trigger: { type: 'review-comment', commentId: 42, path: 'src/a.ts', line: 12, diffHunk: '@@ -1 +1 @@\n-a\n+b' },
    });
  });

  it('takes the original line of a review comment on an outdated diff, and ignores other review comments', () => {
    const outdated = reviewCommentPayload('/agent again', { number: 77 });
    (outdated.comment as Record<string, unknown>).line = null;
    (outdated.comment as Record<string, unknown>).original_line = 7;
    expect(job(intentFromReviewComment(outdated, 'd', options)).trigger).toMatchObject({ line: 7 });
    expect(intentFromReviewComment(reviewCommentPayload('Maybe more emoji?', { number: 77 }), 'd', options).kind).toBe('ignore');
    expect(intentFromReviewComment(reviewCommentPayload('/agent help', { number: 77 }), 'd', options).kind).toBe('ignore');
    expect(intentFromReviewComment(reviewCommentPayload(`${OWN_COMMENT_MARKER}\n/agent x`, { number: 77 }), 'd', options).kind).toBe('ignore');
    expect(intentFromReviewComment(reviewCommentPayload('/agent x', { number: 77, senderType: 'Bot' }), 'd', options).kind).toBe('ignore');
  });

  it('makes a review whose body starts with /agent a follow-up that names the review', () => {
    const intent = intentFromReview(reviewPayload('/agent address these', { number: 77, reviewId: 9 }), 'd', options);
    expect(job(intent)).toMatchObject({ kind: 'continue', pull: { number: 77 }, trigger: { type: 'review', reviewId: 9 }, instructions: 'address these' });
    const silent = reviewPayload('', { number: 77 });
    (silent.review as Record<string, unknown>).body = null;
    expect(intentFromReview(silent, 'd', options).kind).toBe('ignore');
    expect(intentFromReview(reviewPayload('Looks good', { number: 77 }), 'd', options).kind).toBe('ignore');
  });

  it("turns the close of the app's pull request into a cleanup of the sandbox its marker names", () => {
    const intent = intentFromPullRequestClosed(
      pullClosedPayload({ number: 77, body: `Done.\n\n${marker({ sandbox: 'sbx-1' })}`, headRef: 'issuesmith/1-x', merged: true }),
      'd',
      options,
    );
    expect(intent.kind).toBe('cleanup');
    expect(job(intent)).toMatchObject({ kind: 'cleanup', number: 77, pull: { number: 77, sandbox: 'sbx-1' }, trigger: { type: 'closed' } });
  });

  it('ignores closed pull requests the app did not open, and markers that are broken or name another repository', () => {
    const closed = (body: string, o: { author?: string; headRepo?: string } = {}) =>
      intentFromPullRequestClosed(pullClosedPayload({ number: 77, body, headRef: 'issuesmith/1-x', ...o }), 'd', options);
    expect(closed('A human change')).toEqual({ kind: 'ignore', reason: 'closed pull request the app did not open' });
    expect(closed(marker({ sandbox: 'victim' }), { author: 'mallory' }).kind).toBe('ignore');
    expect(closed(marker({ sandbox: 'victim' }), { headRepo: 'mallory/Hello-World' }).kind).toBe('ignore');
    const elsewhere = closed(marker({ repo: 'other/repo', sandbox: 'x' }));
    expect(elsewhere).toEqual({ kind: 'ignore', reason: 'the state marker names another repository (other/repo)' });
    const broken = closed('<!-- issuesmith:state {"v":1,"repo":') as { kind: string; reason: string };
    expect(broken.kind).toBe('ignore');
    expect(broken.reason).toMatch(/state marker/);
    // A marker copied from another of the app's pull requests names that one's branch.
    expect(intentFromPullRequestClosed(pullClosedPayload({ number: 78, body: marker({ sandbox: 'other' }), headRef: 'issuesmith/2-y' }), 'd', options).kind).toBe('ignore');
    const wrong = closed(sealedMarker('{"v":2}', seal())) as { kind: string; reason: string };
    expect(wrong.reason).toMatch(/state marker does not parse/);
  });
});
