import { describe, expect, it } from 'vitest';
import { intentFromCheckRunAction, intentFromComment, intentFromLabel, type TriggerOptions } from '../../src/triggers/intent.js';
import { OWN_COMMENT_MARKER } from '../../src/access/is-own-comment.js';
import { commentPayload, labeledPayload } from '../helpers/payloads.js';

const options: TriggerOptions = {
  defaultProfile: 'claude',
  isProfile: (w) => ['claude', 'codex'].includes(w.toLowerCase()),
  labelPrefix: 'agent',
  command: '/agent',
  now: () => new Date('2026-11-23T00:00:00Z'),
};

describe('turning webhooks into intents', () => {
  it('runs the default profile for the bare label and the named one for agent:<name>', () => {
    const bare = intentFromLabel(labeledPayload('agent'), 'd1', options);
    const named = intentFromLabel(labeledPayload('Agent:Codex'), 'd2', options);
    expect(bare.kind === 'run' && bare.job.profile).toBe('claude');
    expect(named.kind === 'run' && named.job).toMatchObject({ profile: 'codex', trigger: { type: 'label', label: 'Agent:Codex' }, deliveryId: 'd2', installationId: 1 });
  });

  it("leaves other one-word labels to the worker, which knows the repository's own prefix", () => {
    const bug = intentFromLabel(labeledPayload('bug'), 'd', options);
    expect(bug).toMatchObject({ kind: 'candidate', job: { trigger: { type: 'label', label: 'bug' } } });
    const slash = intentFromComment(commentPayload('/bot codex go'), 'd', options);
    expect(slash).toMatchObject({ kind: 'candidate', job: { comment: '/bot codex go' } });
  });

  it('ignores labels that no prefix can make, and labels put on by bots', () => {
    expect(intentFromLabel(labeledPayload('good first issue'), 'd', options).kind).toBe('ignore');
    expect(intentFromLabel(labeledPayload('agent:'), 'd', options).kind).toBe('ignore');
    expect(intentFromLabel(labeledPayload('agent', { senderType: 'Bot' }), 'd', options).kind).toBe('ignore');
  });

  it('makes a job from an /agent comment with the requester and the comment to react to', () => {
    const intent = intentFromComment(commentPayload('/agent codex fix it\nmore', { commentId: 42, sender: 'octo', number: 7 }), 'd3', options);
    expect(intent).toMatchObject({
      kind: 'run',
      job: { profile: 'codex', instructions: 'fix it\nmore', number: 7, requester: { login: 'octo' }, trigger: { type: 'comment', commentId: 42 } },
    });
  });

  it("ignores the app's own comments and comments by bots", () => {
    expect(intentFromComment(commentPayload(`/agent claude go\n${OWN_COMMENT_MARKER}`), 'd', options).kind).toBe('ignore');
    expect(intentFromComment(commentPayload('/agent claude go', { sender: 'issuesmith[bot]' }), 'd', options).kind).toBe('ignore');
  });

  it('answers help; stop and status are control requests about the issue, not queued jobs', () => {
    expect(intentFromComment(commentPayload('/agent help'), 'd', options).kind).toBe('help');
    expect(intentFromComment(commentPayload('/agent stop', { commentId: 12, number: 4 }), 'd', options)).toEqual({
      kind: 'control',
      request: {
        action: 'stop',
        deliveryId: 'd',
        installationId: 1,
        owner: 'Codertocat',
        repo: 'Hello-World',
        number: 4,
        requester: { login: 'Codertocat', id: expect.any(Number) },
        commentId: 12,
        defaultBranch: 'main',
      },
    });
    expect(intentFromComment(commentPayload('/agent status'), 'd', options)).toMatchObject({ kind: 'control', request: { action: 'status' } });
    // More words after the verb make it instructions, not a control.
    expect(intentFromComment(commentPayload('/agent stop using var'), 'd', options).kind).toBe('run');
  });

  it("turns the check run's Stop button into a stop of that issue, and ignores other buttons and foreign runs", () => {
    const payload = (identifier: string, externalId: string | null) => ({
      action: 'requested_action',
      requested_action: { identifier },
      check_run: { external_id: externalId },
      repository: { name: 'r', owner: { login: 'o' } },
      sender: { login: 'octocat', id: 1, type: 'User' },
      installation: { id: 3 },
    });
    expect(intentFromCheckRunAction(payload('stop', '7:d-1'), 'd-2')).toEqual({
      kind: 'control',
      request: { action: 'stop', deliveryId: 'd-2', installationId: 3, owner: 'o', repo: 'r', number: 7, requester: { login: 'octocat', id: 1 } },
    });
    expect(intentFromCheckRunAction(payload('rerun', '7:d-1'), 'd').kind).toBe('ignore');
    expect(intentFromCheckRunAction(payload('stop', null), 'd').kind).toBe('ignore');
    expect(intentFromCheckRunAction(payload('stop', 'x:1'), 'd').kind).toBe('ignore');
    expect(intentFromCheckRunAction({}, 'd').kind).toBe('ignore');
  });

  it('ignores odd payloads instead of crashing', () => {
    expect(intentFromComment({}, 'd', options).kind).toBe('ignore');
    expect(intentFromComment({ action: 'created', comment: { id: 1, body: null, user: null } }, 'd', options).kind).toBe('ignore');
    expect(intentFromLabel({ action: 'labeled', label: null }, 'd', options).kind).toBe('ignore');
    const noInstallation = labeledPayload('agent');
    delete noInstallation.installation;
    expect(intentFromLabel(noInstallation, 'd', options).kind).toBe('ignore');
  });

  it('treats a comment with a null body as no command', () => {
    const p = commentPayload('x');
    (p.comment as { body: unknown }).body = null;
    expect(intentFromComment(p, 'd', options).kind).toBe('ignore');
  });
});
