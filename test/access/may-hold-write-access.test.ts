import { describe, expect, it } from 'vitest';
import { mayHoldWriteAccess } from '../../src/access/may-hold-write-access.js';

describe('mayHoldWriteAccess', () => {
  it('shuts out the associations that cannot hold write access', () => {
    expect(['NONE', 'FIRST_TIMER', 'FIRST_TIME_CONTRIBUTOR', 'CONTRIBUTOR', 'MANNEQUIN'].map(mayHoldWriteAccess)).toEqual([false, false, false, false, false]);
  });

  it('lets owners, members and collaborators through to the real check', () => {
    expect(['OWNER', 'MEMBER', 'COLLABORATOR'].map(mayHoldWriteAccess)).toEqual([true, true, true]);
  });

  it('lets a payload without the field, or with a value it does not know, through to the real check', () => {
    expect([undefined, null, 'SOMETHING_NEW'].map(mayHoldWriteAccess)).toEqual([true, true, true]);
  });
});
