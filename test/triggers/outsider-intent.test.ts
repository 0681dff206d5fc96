import { describe, expect, it } from 'vitest';
import { intentFromComment, intentFromLabel, intentFromReview, intentFromReviewComment, type TriggerOptions } from '../../src/triggers/intent.js';
import { commentPayload, labeledPayload, pullCommentPayload, reviewCommentPayload, reviewPayload } from '../helpers/payloads.js';

const options: TriggerOptions = { defaultProfile: 'claude', isProfile: (w) => w === 'claude', labelPrefix: 'agent', command: '/agent' };

/** The payload with its comment's (or review's) author_association set, or removed. */
function by(association: string | undefined, p: Record<string, unknown>): Record<string, unknown> {
  const target = (p.review ?? p.comment) as Record<string, unknown>;
  if (association === undefined) delete target.author_association;
  else target.author_association = association;
  return p;
}

describe("the webhook's pre-filter on author_association", () => {
  it("turns an outsider's /agent on an issue into a refusal to answer, not a job", () => {
    const intent = intentFromComment(by('NONE', commentPayload('/agent claude fix it', { sender: 'stranger', number: 5 })), 'd', options);
    expect(intent).toEqual({
      kind: 'outsider',
      request: {
        action: 'start',
        deliveryId: 'd',
        installationId: 1,
        owner: 'Codertocat',
        repo: 'Hello-World',
        number: 5,
        requester: { login: 'stranger', id: expect.any(Number) },
        association: 'NONE',
      },
      // What it would have been, for an outsider GitHub's payload is wrong about (a private membership).
      intent: { kind: 'run', job: expect.objectContaining({ number: 5, instructions: 'fix it', requester: { login: 'stranger', id: expect.any(Number) } }) },
    });
  });

  it("does the same for an outsider's help, stop and status, and follow-ups on a pull request", () => {
    expect(intentFromComment(by('FIRST_TIMER', commentPayload('/agent help')), 'd', options)).toMatchObject({ kind: 'outsider', request: { action: 'start' } });
    expect(intentFromComment(by('CONTRIBUTOR', commentPayload('/agent stop')), 'd', options)).toMatchObject({ kind: 'outsider', request: { action: 'stop' } });
    expect(intentFromComment(by('MANNEQUIN', commentPayload('/agent status')), 'd', options)).toMatchObject({ kind: 'outsider', request: { action: 'status' } });
    expect(intentFromComment(by('FIRST_TIME_CONTRIBUTOR', pullCommentPayload('/agent more', { number: 77 })), 'd', options)).toMatchObject({
      kind: 'outsider',
      request: { number: 77 },
    });
    expect(intentFromReviewComment(by('NONE', reviewCommentPayload('/agent fix this line', { number: 77 })), 'd', options)).toMatchObject({
      kind: 'outsider',
      request: { action: 'start', number: 77 },
    });
    expect(intentFromReview(by('CONTRIBUTOR', reviewPayload('/agent address these', { number: 77 })), 'd', options)).toMatchObject({
      kind: 'outsider',
      request: { action: 'start', number: 77 },
    });
  });

  it("drops an outsider's command that may be the repository's own without a word", () => {
    expect(intentFromComment(by('NONE', commentPayload('/bot go')), 'd', options)).toMatchObject({ kind: 'ignore' });
  });

  it('leaves plain comments of outsiders ignored, as anyone else’s', () => {
    expect(intentFromComment(by('NONE', commentPayload('thanks!')), 'd', options)).toEqual({ kind: 'ignore', reason: 'not a command' });
  });

  it('hands owners, members, collaborators and payloads without the field to the worker, which asks GitHub', () => {
    for (const association of ['OWNER', 'MEMBER', 'COLLABORATOR', undefined]) {
      expect(intentFromComment(by(association, commentPayload('/agent claude go')), 'd', options).kind).toBe('run');
      expect(intentFromReview(by(association, reviewPayload('/agent go', { number: 77 })), 'd', options).kind).toBe('continue');
    }
  });

  it('leaves labels to the worker: labelling needs triage, and the payload says nothing of the labeller', () => {
    expect(intentFromLabel(labeledPayload('agent', { sender: 'someone' }), 'd', options).kind).toBe('run');
  });
});
