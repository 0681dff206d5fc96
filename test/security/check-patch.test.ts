import { describe, expect, it } from 'vitest';
import { patchFiles } from '../../src/git/patch-files.js';
import { checkPatch } from '../../src/security/check-patch.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function filePatch(path: string): string {
  return `diff --git a/${path} b/${path}\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ b/${path}\n@@ -0,0 +1 @@\n+x\n`;
}

describe('the paths a patch touches', () => {
  it('reads added, renamed, binary and quoted paths', () => {
    const patch = [
      filePatch('src/a.ts'),
      'diff --git a/.github/workflows/ci.yml b/ci.yml\nsimilarity index 100%\nrename from .github/workflows/ci.yml\nrename to ci.yml\n',
      'diff --git a/img.png b/img.png\nnew file mode 100644\nindex 0000000..2222222\nGIT binary patch\nliteral 3\nKcmZ>\n\nliteral 0\nHcmV?d00001\n\n',
      'diff --git "a/d\\303\\251j\\303\\240 vu.txt" "b/d\\303\\251j\\303\\240 vu.txt"\nnew file mode 100644\n--- /dev/null\n+++ "b/d\\303\\251j\\303\\240 vu.txt"\n@@ -0,0 +1 @@\n+x\n',
    ].join('');
    expect(patchFiles(patch).sort()).toEqual(['.github/workflows/ci.yml', 'ci.yml', 'déjà vu.txt', 'img.png', 'src/a.ts'].sort());
  });
});

describe("checking a patch against the repository's limits", () => {
  it('refuses a change to a workflow unless the repository allows it', () => {
    const patch = enc(filePatch('src/a.ts') + filePatch('.github/workflows/release.yml'));
    expect(() => checkPatch(patch, { allowWorkflowChanges: false })).toThrow('touches GitHub Actions workflows (`.github/workflows/release.yml`)');
    expect(() => checkPatch(patch, { allowWorkflowChanges: true })).not.toThrow();
    expect(() => checkPatch(enc(filePatch('.github/dependabot.yml')), { allowWorkflowChanges: false })).not.toThrow();
  });

  it('refuses more files, or more bytes, than the limits', () => {
    const patch = enc(filePatch('a') + filePatch('b') + filePatch('c'));
    expect(() => checkPatch(patch, { allowWorkflowChanges: false, maxChangedFiles: 2 })).toThrow('touches 3 files, more than this repository allows (`limits.max_changed_files: 2`)');
    expect(() => checkPatch(patch, { allowWorkflowChanges: false, maxChangedFiles: 3 })).not.toThrow();
    expect(() => checkPatch(patch, { allowWorkflowChanges: false, maxPatchBytes: 10 })).toThrow(`is ${patch.byteLength} bytes, more than this repository allows (\`limits.max_patch_bytes: 10\`)`);
  });
});
