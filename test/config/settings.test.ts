import { describe, expect, it } from 'vitest';
import { settingsFromEnv } from '../../src/config/settings.js';

describe('settingsFromEnv, the app settings', () => {
  it('runs two jobs at once by default', () => {
    expect(settingsFromEnv({}).concurrency).toBe(2);
  });

  it('lets one process run a hundred jobs at once, and up to 1024', () => {
    expect(settingsFromEnv({ ISSUESMITH_CONCURRENCY: '100' }).concurrency).toBe(100);
    expect(settingsFromEnv({ ISSUESMITH_CONCURRENCY: '1024' }).concurrency).toBe(1024);
  });

  it.each(['0', '1025', '2.5', 'many'])('refuses ISSUESMITH_CONCURRENCY=%s', (value) => {
    expect(() => settingsFromEnv({ ISSUESMITH_CONCURRENCY: value })).toThrow(/invalid environment: ISSUESMITH_CONCURRENCY/);
  });
});
