import { expect, it } from 'vitest';
import { jobKey, pullRequestLockKey, sessionKey } from '../src/keys.js';

it('files work on an issue, its saved session and its pull request lock under keys that ignore the case of names', () => {
  expect(jobKey({ owner: 'Octo', repo: 'Hello-World', number: 7 })).toBe('octo/hello-world#7');
  expect(sessionKey('Octo', 'Hello-World', 7)).toBe('octo/hello-world#7');
  expect(pullRequestLockKey('Octo', 'Hello-World', 7)).toBe('octo/hello-world#pull/7');
});
