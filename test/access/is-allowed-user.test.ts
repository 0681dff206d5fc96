import { describe, expect, it } from 'vitest';
import { isAllowedUser } from '../../src/access/is-allowed-user.js';

describe('isAllowedUser', () => {
  it('lets everyone through when the repository has no list', () => {
    expect(isAllowedUser('anyone', undefined)).toBe(true);
  });

  it('lets only the listed people through, whatever the case of their login', () => {
    expect(isAllowedUser('Hubot', ['hubot'])).toBe(true);
    expect(isAllowedUser('octocat', ['hubot'])).toBe(false);
  });

  it('lets nobody through an empty list', () => {
    expect(isAllowedUser('hubot', [])).toBe(false);
  });
});
