export interface JobStats {
  durationMs: number;
  inputTokens: number;
  outputTokens: number;
  costUsd?: number;
}

/** "2m 05s · 1,234 tokens in, 567 out · $0.0123" */
export function formatStats(s: JobStats): string {
  const parts = [formatDuration(s.durationMs), `${s.inputTokens.toLocaleString('en-US')} tokens in, ${s.outputTokens.toLocaleString('en-US')} out`];
  if (s.costUsd !== undefined) parts.push(`$${s.costUsd.toFixed(s.costUsd < 1 ? 4 : 2)}`);
  return parts.join(' · ');
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return m > 0 ? `${m}m ${String(s).padStart(2, '0')}s` : `${s}s`;
}
