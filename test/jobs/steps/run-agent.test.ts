import { describe, expect, it } from 'vitest';
import { amp } from '../../../src/agents/amp.js';
import { claude } from '../../../src/agents/claude.js';
import { opencode } from '../../../src/agents/opencode.js';
import { runAgent } from '../../../src/jobs/steps/run-agent.js';
import type { RunOptions, Sandbox } from '../../../src/sandbox/provider.js';

// OpenCode's real shapes: a step is a model request, its step_finish carries the step's cost.
const step = (cost: number, reason: string): string[] => [
  JSON.stringify({ type: 'step_start', sessionID: 'ses_1', part: { type: 'step-start' } }),
  JSON.stringify({ type: 'step_finish', sessionID: 'ses_1', part: { type: 'step-finish', reason, tokens: { input: 10, output: 2 }, cost } }),
];

/** A sandbox whose command prints `lines` and then exits 0, or 137 when it was aborted meanwhile (as local and E2B do). */
function printing(lines: string[]): Sandbox & { aborted: () => boolean } {
  let aborted = false;
  return {
    id: 'sbx',
    homeDir: '/home/user',
    async run(_cmd: string, o: RunOptions = {}) {
      for (const l of lines) o.onStdout?.(`${l}\n`);
      aborted = o.signal?.aborted === true;
      return { exitCode: aborted ? 137 : 0, stdout: '', stderr: '' };
    },
    writeFile: async () => undefined,
    readFile: async () => new Uint8Array(),
    pause: async () => undefined,
    kill: async () => undefined,
    aborted: () => aborted,
  };
}

describe('runAgent with a budget', () => {
  it('stops a run whose cost reaches the budget, and says which budget and by how much', async () => {
    const sandbox = printing([...step(0.02, 'tool-calls'), ...step(0.02, 'tool-calls'), ...step(0.02, 'tool-calls')]);
    const run = await runAgent({ sandbox, profile: opencode, command: 'opencode', timeoutMs: 60_000, budget: { maxCostUsd: 0.04 } });
    expect(sandbox.aborted()).toBe(true);
    expect(run).toMatchObject({ ok: false, reason: 'max_cost', budget: { kind: 'cost', limit: 0.04, used: 0.04 } });
  });

  it('keeps a run that finished on the very step that spent its budget as finished', async () => {
    const sandbox = printing([...step(0.02, 'tool-calls'), ...step(0.02, 'stop')]);
    const run = await runAgent({ sandbox, profile: opencode, command: 'opencode', timeoutMs: 60_000, budget: { maxCostUsd: 0.04 } });
    expect(run.ok).toBe(true);
    expect(run.budget).toBeUndefined();
  });

  it('does not stop a run within its budget', async () => {
    const sandbox = printing([...step(0.01, 'tool-calls'), ...step(0.01, 'stop')]);
    const run = await runAgent({ sandbox, profile: opencode, command: 'opencode', timeoutMs: 60_000, budget: { maxTurns: 2, maxCostUsd: 1 } });
    expect(sandbox.aborted()).toBe(false);
    expect(run).toMatchObject({ ok: true, costUsd: 0.02 });
  });

  it("reports Claude Code's stop at the --max-budget-usd it was given as the cost budget, with Claude Code's own figure", async () => {
    const result = { type: 'result', subtype: 'error_max_budget_usd', is_error: true, total_cost_usd: 0.52, usage: { input_tokens: 1, output_tokens: 1 }, errors: ['budget'] };
    const sandbox = printing([JSON.stringify(result)]);
    const run = await runAgent({ sandbox, profile: claude, command: 'claude', timeoutMs: 60_000, budget: { maxCostUsd: 0.5 } });
    expect(sandbox.aborted()).toBe(false);
    expect(run).toMatchObject({ ok: false, reason: 'max_cost', budget: { kind: 'cost', limit: 0.5, used: 0.52 } });
  });

  it("does not take an agent's own turn limit for the job's budget, which the app never gave it", async () => {
    const result = { type: 'result', subtype: 'error_max_turns', is_error: true, error: 'max turns' };
    const run = await runAgent({ sandbox: printing([JSON.stringify(result)]), profile: amp, command: 'amp', timeoutMs: 60_000, budget: { maxTurns: 50 } });
    expect(run).toMatchObject({ ok: false, reason: 'max_turns' });
    expect(run.budget).toBeUndefined();
  });
});
