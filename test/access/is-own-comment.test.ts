import { describe, expect, it } from 'vitest';
import { isOwnComment, OWN_COMMENT_MARKER } from '../../src/access/is-own-comment.js';

describe('isOwnComment', () => {
  it("recognises the app's marker anywhere in a comment", () => {
    expect(isOwnComment(`${OWN_COMMENT_MARKER}\nSorry @x`)).toBe(true);
    expect(isOwnComment(`/agent go\n${OWN_COMMENT_MARKER}`)).toBe(true);
  });

  it('leaves comments without it alone', () => {
    expect(isOwnComment('/agent claude fix this')).toBe(false);
    expect(isOwnComment('<!-- issuesmith:status x -->')).toBe(false);
  });
});
