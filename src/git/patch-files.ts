/**
 * The paths a `git diff` patch touches, both sides (so a rename out of a directory counts), read from
 * its `diff --git`, `rename` and `---`/`+++` lines, with git's C-style quoting undone.
 */
export function patchFiles(patch: string): string[] {
  const files = new Set<string>();
  for (const line of patch.split('\n')) {
    if (line.startsWith('diff --git ')) for (const p of diffGitPaths(line.slice('diff --git '.length))) files.add(p);
    else if (line.startsWith('rename from ')) files.add(unquote(line.slice('rename from '.length)));
    else if (line.startsWith('rename to ')) files.add(unquote(line.slice('rename to '.length)));
    else if (line.startsWith('--- ') || line.startsWith('+++ ')) {
      const p = unquote(line.slice(4).replace(/\t.*$/, ''));
      if (p !== '/dev/null') files.add(p.replace(/^[ab]\//, ''));
    }
  }
  return [...files];
}

function diffGitPaths(rest: string): string[] {
  if (rest.startsWith('"')) {
    const [a, after] = readQuoted(rest);
    // Only the separating space goes: a path may end in spaces of its own.
    return [a, unquote(after.replace(/^ /, ''))].map((p) => p.replace(/^[ab]\//, ''));
  }
  // `a/<p> b/<p>`: the same path twice when it is not a rename (renames also have their own lines).
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest.slice(2, half) === rest.slice(half + 3)) return [rest.slice(2, half)];
  const m = /^a\/(.*?) b\/(.*)$/.exec(rest);
  return m ? [m[1] ?? '', m[2] ?? ''] : [];
}

function unquote(s: string): string {
  return s.startsWith('"') ? readQuoted(s)[0] : s;
}

/** A C-quoted string at the start of `s` (octal escapes are bytes of UTF-8), and what follows it. */
function readQuoted(s: string): [string, string] {
  const bytes: number[] = [];
  let i = 1;
  const escapes: Record<string, number> = { n: 10, t: 9, '"': 34, '\\': 92, a: 7, b: 8, f: 12, r: 13, v: 11 };
  for (; i < s.length && s[i] !== '"'; i += 1) {
    const c = s[i] ?? '';
    if (c === '\\') {
      const next = s[i + 1] ?? '';
      if (/[0-7]/.test(next)) {
        bytes.push(parseInt(s.slice(i + 1, i + 4), 8));
        i += 3;
      } else {
        bytes.push(escapes[next] ?? next.charCodeAt(0));
        i += 1;
      }
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return [Buffer.from(bytes).toString('utf8'), s.slice(i + 1)];
}
