/** One short line that says what a tool call did, for progress and reports: "Edited `src/a.ts`". */
export function toolDetail(name: string, input: unknown): string {
  const o = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const path = str('file_path') ?? str('path') ?? str('filePath') ?? str('notebook_path');
  const lower = name.toLowerCase();
  if (lower === 'bash' || lower === 'shell' || lower === 'exec' || lower === 'command') {
    const cmd = str('command') ?? str('cmd');
    if (cmd !== undefined) return `Ran \`${oneLine(cmd)}\``;
  }
  if (path !== undefined) {
    if (['write', 'edit', 'multiedit', 'notebookedit', 'patch', 'apply_patch'].includes(lower)) return `Edited \`${oneLine(path)}\``;
    if (lower === 'read') return `Read \`${oneLine(path)}\``;
    return `${name} \`${oneLine(path)}\``;
  }
  const pattern = str('pattern') ?? str('query') ?? str('url') ?? str('description');
  if (pattern !== undefined) return `${name} \`${oneLine(pattern)}\``;
  return name;
}

/**
 * First line, trimmed, safe inside inline code; at most `max` characters when given. Text that may
 * hold a secret (an agent's command, path or message) is never cut here: a cut secret no longer
 * matches the redactor, so its prefix would leak. The status cuts it after redacting (report/step-line.ts).
 */
export function oneLine(s: string, max?: number): string {
  const first = (s.split('\n')[0] ?? '').trim().replaceAll('`', "'");
  return max !== undefined && first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
