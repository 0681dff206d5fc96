import { describe, expect, it } from 'vitest';
import { isBot } from '../../src/access/is-bot.js';

describe('isBot', () => {
  it('counts accounts GitHub marks as bots', () => {
    expect(isBot({ login: 'renovate', type: 'Bot' })).toBe(true);
  });

  it("counts apps' logins, which end in [bot], whatever their type says", () => {
    expect(isBot({ login: 'issuesmith[bot]', type: 'User' })).toBe(true);
  });

  it('counts an unknown actor as a bot: nobody to answer', () => {
    expect(isBot(undefined)).toBe(true);
  });

  it('lets people through', () => {
    expect(isBot({ login: 'octocat', type: 'User' })).toBe(false);
    expect(isBot({ login: 'bot-fan', type: 'User' })).toBe(false);
  });
});
