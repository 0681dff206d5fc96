import { E2B, type SandboxInfo } from 'e2b';
import { E2B_APP_METADATA, e2bClientOptions, type E2BConnectionOptions } from './e2b-client.js';
import type { Logger } from '../logger.js';

export interface ReapOptions {
  /** A sandbox older than this is an orphan unless a live job owns it: the longest job's budget. */
  maxAgeMs: number;
  /** Ids of the sandboxes live jobs own right now; they are never touched. */
  liveIds: () => Iterable<string>;
  connection?: E2BConnectionOptions;
  /** The metadata that marks the app's sandboxes. */
  metadata?: Readonly<Record<string, string>>;
  /**
   * Paused sandboxes wait for follow-up comments and are kept unless this is set: then those paused
   * for longer than it are killed too.
   */
  pausedMaxAgeMs?: number;
  logger?: Logger;
  now?: () => number;
  /** Sandboxes per page of E2B's list (its default is 100). */
  pageSize?: number;
}

export interface ReapResult {
  killed: string[];
  kept: string[];
  failed: string[];
}

/**
 * Kills the app's orphaned sandboxes: those E2B still runs, older than `maxAgeMs`, that no live job
 * owns. A worker that dies mid-job leaves its sandbox running until E2B's own timeout; this ends it sooner.
 */
export async function reapOrphans(o: ReapOptions): Promise<ReapResult> {
  const client = new E2B(e2bClientOptions(o.connection));
  const now = (o.now ?? Date.now)();
  const live = new Set(o.liveIds());
  const found: SandboxInfo[] = [];
  const paginator = client.Sandbox.list({
    query: { metadata: { ...(o.metadata ?? E2B_APP_METADATA) }, state: o.pausedMaxAgeMs !== undefined ? ['running', 'paused'] : ['running'] },
    ...(o.pageSize !== undefined ? { limit: o.pageSize } : {}),
  });
  // Listed in full before killing, so that the kills cannot shift the pages under us.
  while (paginator.hasNext) found.push(...(await paginator.nextItems()));
  const result: ReapResult = { killed: [], kept: [], failed: [] };
  for (const s of found) {
    const maxAge = s.state === 'paused' ? (o.pausedMaxAgeMs ?? Infinity) : o.maxAgeMs;
    if (live.has(s.sandboxId) || now - s.startedAt.getTime() < maxAge) {
      result.kept.push(s.sandboxId);
      continue;
    }
    try {
      await client.Sandbox.kill(s.sandboxId);
      result.killed.push(s.sandboxId);
      o.logger?.info({ sandbox: s.sandboxId, startedAt: s.startedAt.toISOString(), metadata: s.metadata }, 'killed an orphaned E2B sandbox');
    } catch (err) {
      result.failed.push(s.sandboxId);
      o.logger?.warn({ sandbox: s.sandboxId, reason: err instanceof Error ? err.message : String(err) }, 'could not kill an orphaned E2B sandbox');
    }
  }
  return result;
}

export interface Reaper {
  /** One pass now (or the pass already under way). */
  runOnce(): Promise<ReapResult | undefined>;
  stop(): void;
}

/** Reaps at once and then every `intervalMs` (default 5 minutes); its timer never keeps the process alive. */
export function startReaper(o: ReapOptions & { intervalMs?: number }): Reaper {
  let running: Promise<ReapResult | undefined> | undefined;
  const runOnce = (): Promise<ReapResult | undefined> => {
    running ??= reapOrphans(o)
      .catch((err: unknown) => {
        o.logger?.warn({ reason: err instanceof Error ? err.message : String(err) }, 'could not look for orphaned E2B sandboxes');
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  void runOnce();
  const timer = setInterval(() => void runOnce(), o.intervalMs ?? 5 * 60_000);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
