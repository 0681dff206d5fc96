import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/security/redact.js';
import { filesWithSecrets } from '../../src/security/scan-patch.js';

const patch = (file: string, added: string): string =>
  `diff --git a/${file} b/${file}\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ b/${file}\n@@ -0,0 +1 @@\n+${added}\n`;

describe('the outgoing patch scan', () => {
  it('names the file that would commit a configured secret, not the value', () => {
    const r = new Redactor(['the-anthropic-key-value-1234']);
    const found = filesWithSecrets(patch('src/config.js', 'const key = "the-anthropic-key-value-1234";') + patch('README.md', 'hello'), r);
    expect(found).toEqual(['src/config.js']);
  });

  it('finds tokens by their shape, even ones it was never told about', () => {
    expect(filesWithSecrets(patch('.env', `GITHUB_TOKEN=ghs_${'x'.repeat(40)}`), new Redactor())).toEqual(['.env']);
  });

  it('lets an ordinary patch and removed secrets through', () => {
    const r = new Redactor(['the-anthropic-key-value-1234']);
    const removing = 'diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-the-anthropic-key-value-1234\n+nothing here\n';
    expect(filesWithSecrets(patch('a.txt', 'plain text') + removing, r)).toEqual([]);
  });
});
