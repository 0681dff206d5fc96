import type { Redactor } from './redact.js';

/**
 * The files in a unified diff whose added lines hold a secret or a token: such a patch must never be
 * committed. Only names are returned, never the value.
 */
export function filesWithSecrets(patch: string, redactor: Redactor): string[] {
  const found = new Set<string>();
  let file = '';
  for (const line of patch.split('\n')) {
    if (line.startsWith('+++ ')) {
      file = line.slice(4).replace(/^b\//, '');
    } else if (line.startsWith('diff --git ')) {
      file = line.replace(/^diff --git a\/.* b\//, '');
    } else if (line.startsWith('+') && redactor.matches(line.slice(1))) {
      found.add(file);
    }
  }
  return [...found];
}
