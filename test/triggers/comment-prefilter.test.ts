import { describe, expect, it } from 'vitest';
import { intentFromComment, type TriggerOptions } from '../../src/triggers/intent.js';
import { commentPayload } from '../helpers/payloads.js';

const options: TriggerOptions = { defaultProfile: 'claude', isProfile: (w) => w === 'claude', labelPrefix: 'agent', command: '/agent' };

// The commonest delivery, a comment that is conversation, is answered before the payload is validated.
describe('an issue comment that cannot hold a command', () => {
  it('is ignored as no command without reading the rest of the payload', () => {
    expect(intentFromComment({ comment: { body: 'Looks good to me!' } }, 'd', options)).toEqual({ kind: 'ignore', reason: 'not a command' });
    expect(intentFromComment({ comment: { body: null } }, 'd', options)).toEqual({ kind: 'ignore', reason: 'not a command' });
    expect(intentFromComment(commentPayload('please run /agent claude fix it'), 'd', options)).toEqual({ kind: 'ignore', reason: 'not a command' });
  });

  it('still reads a command after blank lines and spaces, and a repository-style command', () => {
    expect(intentFromComment(commentPayload('\n  \t/agent claude fix it'), 'd', options)).toMatchObject({ kind: 'run', job: { instructions: 'fix it' } });
    expect(intentFromComment(commentPayload('\r\n/Agent claude fix it'), 'd', options)).toMatchObject({ kind: 'run' });
    expect(intentFromComment(commentPayload('/deploy now'), 'd', options)).toMatchObject({ kind: 'candidate' });
  });

  it('a payload whose body is not text, or a command without the fields of a comment, is refused as before', () => {
    const odd = commentPayload('x');
    (odd.comment as Record<string, unknown>).body = { text: '/agent fix' };
    expect(intentFromComment(odd, 'd', options)).toEqual({ kind: 'ignore', reason: 'payload without the fields of an issue comment' });
    expect(intentFromComment({ comment: { body: '/agent claude fix it' } }, 'd', options)).toEqual({ kind: 'ignore', reason: 'payload without the fields of an issue comment' });
    expect(intentFromComment(null, 'd', options)).toMatchObject({ kind: 'ignore' });
  });
});
