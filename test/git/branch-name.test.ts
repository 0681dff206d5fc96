import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { branchName, slugify } from '../../src/git/branch-name.js';

function validRef(name: string): boolean {
  try {
    execFileSync('git', ['check-ref-format', '--branch', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('branch names from hostile titles', () => {
  const titles = [
    'Fix the parser',
    'Ünïcödé títle with ß and 日本語',
    '../../etc/passwd',
    'refs/heads/main',
    'a..b...c',
    'feature/branch.lock',
    '$(rm -rf /); `echo pwned`',
    '-starts-with-dash',
    '@{upstream}',
    '   ',
    '🔥🔥🔥',
    'x'.repeat(200),
    'name\nwith\nnewlines\tand\ttabs',
  ];

  it.each(titles)('makes a valid git branch from %j', (title) => {
    const name = branchName(12, title);
    expect(name.startsWith('issuesmith/12-')).toBe(true);
    expect(validRef(name)).toBe(true);
    expect(name).toMatch(/^issuesmith\/12-[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(name.length).toBeLessThanOrEqual('issuesmith/12-'.length + 40);
  });

  it('folds accents and drops what is left', () => {
    expect(slugify('Ünïcödé títle')).toBe('unicode-title');
    expect(slugify('🔥')).toBe('issue');
    expect(slugify('../..')).toBe('issue');
  });

  it('adds a counter when the name is taken', () => {
    expect(branchName(3, 'Fix', new Set(['issuesmith/3-fix']))).toBe('issuesmith/3-fix-2');
    expect(branchName(3, 'Fix', new Set(['issuesmith/3-fix', 'issuesmith/3-fix-2']))).toBe('issuesmith/3-fix-3');
  });
});
