export interface FileChange {
  path: string;
  added: number;
  removed: number;
  binary: boolean;
}

/**
 * Files a `git diff --binary` patch touches, with lines added and removed (like `git diff --numstat`).
 * Reads only the patch's own structure; a binary file counts no lines.
 */
export function patchFileStats(patch: string): FileChange[] {
  const files: FileChange[] = [];
  let current: FileChange | undefined;
  let inHunk = false;
  for (const line of patch.split('\n')) {
    if (line.startsWith('diff --git ')) {
      current = { path: pathOf(line), added: 0, removed: 0, binary: false };
      files.push(current);
      inHunk = false;
      continue;
    }
    if (current === undefined) continue;
    if (!inHunk) {
      // The header's +++ line names the new path; it is /dev/null for a deletion, so keep the old one then.
      if (line.startsWith('+++ ') && line !== '+++ /dev/null') current.path = stripPrefix(line.slice(4), 'b/');
      else if (line.startsWith('rename to ')) current.path = line.slice('rename to '.length);
      else if (line.startsWith('GIT binary patch') || line.startsWith('Binary files ')) current.binary = true;
      else if (line.startsWith('@@')) inHunk = true;
      continue;
    }
    if (line.startsWith('@@')) continue;
    if (line.startsWith('+')) current.added += 1;
    else if (line.startsWith('-')) current.removed += 1;
  }
  return files;
}

function pathOf(diffLine: string): string {
  // `diff --git a/x b/x`: without quoting, the b/ half is the second half of the line.
  const rest = diffLine.slice('diff --git '.length);
  const half = rest.length > 2 ? rest.slice(Math.floor(rest.length / 2) + 1) : rest;
  return stripPrefix(half.replace(/^"|"$/g, ''), 'b/');
}

function stripPrefix(s: string, prefix: string): string {
  const unquoted = s.replace(/^"|"$/g, '');
  return unquoted.startsWith(prefix) ? unquoted.slice(prefix.length) : unquoted;
}
