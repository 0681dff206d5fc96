import { describe, expect, it } from 'vitest';
import { checkChange, checkSymlinks, type ChangeRules, type CheckedFile } from '../../src/security/check-change.js';

const rules: ChangeRules = {
  maxPatchBytes: 1000,
  patchLimitFromRepository: false,
  maxFileBytes: 100,
  allowWorkflowChanges: false,
  allowSubmoduleChanges: false,
  allowExternalSymlinks: false,
};
const file = (path: string, o: Partial<CheckedFile> = {}): CheckedFile => ({ path, mode: '100644', oldMode: '000000', size: 1, ...o });

describe("checking git's view of a change against the settings", () => {
  it('refuses a change to a workflow unless the repository allows it, on either side of a rename or copy', () => {
    const moved = [file('src/a.ts'), file('ci.yml', { oldPath: '.github/workflows/release.yml', oldMode: '100644' })];
    expect(() => checkChange(moved, 10, rules)).toThrow('touches GitHub Actions workflows (`.github/workflows/release.yml`)');
    expect(() => checkChange([file('.github/workflows/x.yml', { oldPath: 'ci.yml' })], 10, rules)).toThrow('(`.github/workflows/x.yml`)');
    // The workflows directory itself, replaced by a symlink, counts too.
    expect(() => checkChange([file('.github/workflows', { mode: '120000' })], 10, rules)).toThrow('touches GitHub Actions workflows');
    expect(() => checkChange(moved, 10, { ...rules, allowWorkflowChanges: true })).not.toThrow();
    expect(() => checkChange([file('.github/dependabot.yml'), file('.github/workflows-notes.md')], 10, rules)).not.toThrow();
  });

  it('counts both paths of a rename or copy against max_changed_files', () => {
    const files = [file('a'), file('c', { oldPath: 'b' })];
    expect(() => checkChange(files, 10, { ...rules, maxChangedFiles: 2 })).toThrow('touches 3 files, more than this repository allows (`limits.max_changed_files: 2`)');
    expect(() => checkChange(files, 10, { ...rules, maxChangedFiles: 3 })).not.toThrow();
  });

  it("names the repository's patch limit or the app's, whichever applied", () => {
    expect(() => checkChange([], 1001, rules)).toThrow("The agent's change is 1001 bytes, more than the app allows (1000 bytes)");
    expect(() => checkChange([], 1001, { ...rules, patchLimitFromRepository: true })).toThrow('more than this repository allows (`limits.max_patch_bytes: 1000`)');
  });

  it("refuses a file over the app's size cap, and submodule changes unless allowed", () => {
    expect(() => checkChange([file('big.bin', { size: 101 })], 10, rules)).toThrow('makes `big.bin` larger than the app allows for one file (100 bytes)');
    const gitlink = [file('vendor/lib', { mode: '160000', size: 0 })];
    expect(() => checkChange(gitlink, 10, rules)).toThrow('adds, moves or updates a submodule (`vendor/lib`)');
    expect(() => checkChange(gitlink, 10, { ...rules, allowSubmoduleChanges: true })).not.toThrow();
    expect(() => checkChange([file('vendor/lib', { mode: '000000', oldMode: '160000', size: 0 })], 10, rules)).toThrow('submodule');
  });

  it('refuses symlinks that leave the repository, unless allowed', () => {
    for (const target of ['/etc/passwd', '../outside', 'a/../../..', 'C:/Windows']) {
      expect(() => checkSymlinks([{ path: 'link', target }], rules)).toThrow('points outside the repository (`link`)');
    }
    expect(() =>
      checkSymlinks(
        [
          { path: 'docs/link', target: '../README.md' },
          { path: 'x', target: 'src/./a' },
        ],
        rules,
      ),
    ).not.toThrow();
    expect(() => checkSymlinks([{ path: 'link', target: '/etc/passwd' }], { allowExternalSymlinks: true })).not.toThrow();
  });
});
