import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileRegistry } from '../src/agents/registry.js';
import type { AgentRun } from '../src/jobs/steps/run-agent.js';
import { Metrics } from '../src/metrics.js';
import { LocalSandboxProvider } from '../src/sandbox/local.js';
import { makeJob } from './helpers/jobs.js';

const run: AgentRun = { ok: true, summary: 'done', inputTokens: 1200, outputTokens: 300, costUsd: 0.25, exitCode: 0, outputTail: '' };

describe('Metrics', () => {
  it('keeps a registry per runtime, so two in one process do not collide', async () => {
    const a = new Metrics(async () => ({ waiting: 3, running: 1 }));
    const b = new Metrics(async () => ({ waiting: 0, running: 0 }));
    expect(await a.text()).toContain('issuesmith_jobs_queued 3');
    expect(await a.text()).toContain('issuesmith_jobs_running 1');
    expect(await b.text()).toContain('issuesmith_jobs_queued 0');
  });

  it('counts a finished job by outcome and agent, its duration, tokens and cost', async () => {
    const m = new Metrics(async () => ({ waiting: 0, running: 0 }));
    const job = makeJob({ profile: 'codex' });
    const processor = m.instrument(async (j) =>
      m.outcome(j, { kind: 'no-changes', profile: new ProfileRegistry().require('codex'), run, stats: { durationMs: 1, inputTokens: 1200, outputTokens: 300 }, sandboxId: 'sbx' }),
    );
    await processor(job, { signal: new AbortController().signal, stoppedBy: () => undefined, attempt: 2 });
    const text = await m.text();
    expect(text).toContain('issuesmith_jobs_started_total{agent="codex",restarted="true"} 1');
    expect(text).toContain('issuesmith_jobs_finished_total{outcome="no-changes",agent="codex"} 1');
    expect(text).toContain('issuesmith_job_duration_seconds_count{outcome="no-changes",agent="codex"} 1');
    expect(text).toContain('issuesmith_agent_tokens_total{agent="codex",direction="input"} 1200');
    expect(text).toContain('issuesmith_agent_tokens_total{agent="codex",direction="output"} 300');
    expect(text).toContain('issuesmith_agent_cost_usd_total{agent="codex"} 0.25');
    expect(text).toContain('issuesmith_worker_jobs_running 0');
  });

  it('counts how long each sandbox lived when it is killed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'issuesmith-metrics-'));
    try {
      const m = new Metrics(async () => ({ waiting: 0, running: 0 }));
      const provider = m.meter(new LocalSandboxProvider({ root }));
      expect(provider.name).toBe('local');
      const sandbox = await provider.create({ template: 'claude', envs: {}, timeoutMs: 60_000, metadata: {} });
      await sandbox.run('true');
      await sandbox.kill();
      await sandbox.kill();
      const line = (await m.text()).split('\n').find((l) => l.startsWith('issuesmith_sandbox_seconds_total{template="claude"}'));
      expect(Number(line?.split(' ')[1])).toBeGreaterThan(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
