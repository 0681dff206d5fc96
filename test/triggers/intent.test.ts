import { describe, expect, it } from 'vitest';
import { intentFromComment, intentFromLabel, type TriggerOptions } from '../../src/triggers/intent.js';
import { OWN_COMMENT_MARKER } from '../../src/triggers/is-own-comment.js';
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

  it('ignores other labels, and labels put on by bots', () => {
    expect(intentFromLabel(labeledPayload('bug'), 'd', options).kind).toBe('ignore');
    expect(intentFromLabel(labeledPayload('agent:'), 'd', options).kind).toBe('ignore');
    expect(intentFromLabel(labeledPayload('agent', { senderType: 'Bot' }), 'd', options).kind).toBe('ignore');
  });

  it('makes a job from an /agent comment with the requester and the comment to react to', () => {
    const intent = intentFromComment(commentPayload('/agent codex fix it\nmore', { commentId: 42, sender: 'octo', number: 7 }), 'd3', options);
    expect(intent).toMatchObject({ kind: 'run', job: { profile: 'codex', instructions: 'fix it\nmore', number: 7, requester: { login: 'octo' }, trigger: { type: 'comment', commentId: 42 } } });
  });

  it("ignores the app's own comments and comments by bots", () => {
    expect(intentFromComment(commentPayload(`/agent claude go\n${OWN_COMMENT_MARKER}`), 'd', options).kind).toBe('ignore');
    expect(intentFromComment(commentPayload('/agent claude go', { sender: 'issuesmith[bot]' }), 'd', options).kind).toBe('ignore');
  });

  it('answers help, and ignores what it cannot do yet', () => {
    expect(intentFromComment(commentPayload('/agent help'), 'd', options).kind).toBe('help');
    expect(intentFromComment(commentPayload('/agent stop'), 'd', options).kind).toBe('ignore');
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
