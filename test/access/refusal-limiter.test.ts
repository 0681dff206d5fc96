import { describe, expect, it } from 'vitest';
import { RefusalLimiter } from '../../src/access/refusal-limiter.js';

describe('RefusalLimiter', () => {
  it('answers a person once per window, per installation', () => {
    let now = 0;
    const limiter = new RefusalLimiter(10 * 60_000, 100, () => now);
    expect(limiter.allow(1, 'mallory')).toBe(true);
    expect(limiter.allow(1, 'Mallory')).toBe(false);
    now = 9 * 60_000;
    expect(limiter.allow(1, 'mallory')).toBe(false);
    // Another installation, another person: their own replies.
    expect(limiter.allow(2, 'mallory')).toBe(true);
    expect(limiter.allow(1, 'eve')).toBe(true);
    now = 10 * 60_000;
    expect(limiter.allow(1, 'mallory')).toBe(true);
  });

  it('says whether someone was answered recently without counting a reply', () => {
    let now = 0;
    const limiter = new RefusalLimiter(1000, 100, () => now);
    expect(limiter.answeredRecently(1, 'mallory')).toBe(false);
    expect(limiter.allow(1, 'mallory')).toBe(true);
    expect(limiter.answeredRecently(1, 'Mallory')).toBe(true);
    now = 1000;
    expect(limiter.answeredRecently(1, 'mallory')).toBe(false);
    expect(limiter.allow(1, 'mallory')).toBe(true);
  });

  it('drops expired entries and holds at most maxEntries', () => {
    let now = 0;
    const limiter = new RefusalLimiter(1000, 3, () => now);
    for (let i = 0; i < 10; i++) limiter.allow(1, `u${i}`);
    expect(limiter.size).toBe(3);
    now = 5000;
    limiter.allow(1, 'late');
    expect(limiter.size).toBe(1);
  });
});
