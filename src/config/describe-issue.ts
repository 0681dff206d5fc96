import type { z } from 'zod';

/** Where each part of the merged settings came from, for messages: the first file holding a path wins. */
export interface ConfigSource {
  label: string;
  config: Record<string, unknown> | null;
}

type Issue = z.core.$ZodIssue;

/** A schema problem in words a maintainer can act on: where it is, what was expected, what was found. */
export function describeIssue(issue: Issue, prefix: PropertyKey[], sources: readonly ConfigSource[]): string[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union') {
    // Report the alternative whose shape matched the value (an object with a bad field), when there is one.
    const matched = issue.errors.find((branch) => branch.length > 0 && !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
    if (matched) return matched.flatMap((i) => describeIssue(i, path, sources));
    return [`${where(path, sources)}: expected ${issue.message}, got ${shown((issue as { input?: unknown }).input)}`];
  }
  if (issue.code === 'invalid_key') return issue.issues.map((i) => `${where(path, sources)}: the name is not valid: expected ${i.message}`);
  return [`${where(path, sources)}: ${hint(issue)}`];
}

function hint(issue: Issue): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `is required (${article(issue.expected)})`;
      return `expected ${article(issue.expected)}, got ${shown(input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${shown(input)}`;
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} entries`;
      return `must be more than ${issue.inclusive ? 'or equal to ' : ''}${String(issue.minimum)}, got ${shown(input)}`;
    case 'too_big':
      if (issue.origin === 'string') return `is too long (at most ${String(issue.maximum)} characters)`;
      if (issue.origin === 'array') return `has too many entries (at most ${String(issue.maximum)})`;
      return `must be at most ${String(issue.maximum)}, got ${shown(input)}`;
    case 'invalid_format':
    case 'custom':
      return `expected ${issue.message}, got ${shown(input)}`;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  const names: Record<string, string> = { number: 'a number', string: 'text', boolean: 'true or false', array: 'a list', object: 'a mapping (key: value)', int: 'a whole number' };
  return names[expected] ?? expected;
}

function shown(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `agents.codex.timeout_minutes`, and the file it came from when several were merged. */
export function where(path: readonly PropertyKey[], sources: readonly ConfigSource[]): string {
  const dotted = path.length === 0 ? '(top level)' : path.map(String).join('.');
  if (sources.filter((s) => s.config !== null).length < 2) return dotted;
  const source = sources.find((s) => has(s.config, path));
  return source ? `${dotted} (in ${source.label})` : dotted;
}

function has(obj: unknown, path: readonly PropertyKey[]): boolean {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || !(String(key) in cur)) return false;
    cur = (cur as Record<string, unknown>)[String(key)];
  }
  return true;
}
