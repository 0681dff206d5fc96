import { expect, it } from 'vitest';
import { noreplyAddress } from '../../src/github/noreply-address.js';

it("gives an account GitHub's noreply address on github.com and on GitHub Enterprise Server", () => {
  expect(noreplyAddress({ id: 42, login: 'issuesmith[bot]' }, 'https://api.github.com')).toBe('42+issuesmith[bot]@users.noreply.github.com');
  expect(noreplyAddress({ id: 7, login: 'octocat' }, 'https://ghe.example.com/api/v3')).toBe('7+octocat@users.noreply.ghe.example.com');
});
