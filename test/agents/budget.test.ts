import { describe, expect, it } from 'vitest';
import { parseAgentOutput } from '../../src/agents/agent-stream.js';
import { budgetMessage, BudgetMeter, remainingBudget } from '../../src/agents/budget.js';
import { claude } from '../../src/agents/claude.js';
import { parseClaudeStreamLine } from '../../src/agents/claude-stream.js';
import type { AgentEvent } from '../../src/agents/profile.js';
import { builtInProfiles } from '../../src/agents/registry.js';
import { of, sample } from './harness.js';

const turn = (id?: string): AgentEvent => (id === undefined ? { type: 'turn' } : { type: 'turn', id });
const cost = (usd: number): AgentEvent => ({ type: 'usage', inputTokens: 10, outputTokens: 5, costUsd: usd });

describe('the budget meter', () => {
  it('allows the budgeted turns and is spent by the first turn past them', () => {
    const meter = new BudgetMeter({ maxTurns: 2 });
    expect(meter.add(turn())).toBeUndefined();
    expect(meter.add(turn())).toBeUndefined();
    expect(meter.add(turn())).toEqual({ kind: 'turns', limit: 2, used: 3 });
    // Said once: the run is being stopped.
    expect(meter.add(turn())).toBeUndefined();
    expect(meter.spent).toEqual({ kind: 'turns', limit: 2, used: 3 });
  });

  it('counts the lines of one model response (one message id) as one turn', () => {
    const meter = new BudgetMeter({ maxTurns: 1 });
    for (const e of [turn('msg_1'), turn('msg_1'), turn('msg_1')]) expect(meter.add(e)).toBeUndefined();
    expect(meter.turns).toBe(1);
    expect(meter.add(turn('msg_2'))).toMatchObject({ kind: 'turns' });
  });

  it('adds up the reported cost and is spent once it reaches the budget; usage without a cost counts nothing', () => {
    const meter = new BudgetMeter({ maxCostUsd: 0.03 });
    expect(meter.add({ type: 'usage', inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBeUndefined();
    expect(meter.add(cost(0.01))).toBeUndefined();
    expect(meter.add(cost(0.01))).toBeUndefined();
    expect(meter.add(cost(0.015))).toEqual({ kind: 'cost', limit: 0.03, used: 0.035 });
  });

  it('leaves a budget the CLI enforces itself to the CLI, and still counts it', () => {
    const meter = new BudgetMeter({ maxTurns: 1, maxCostUsd: 0.01 }, ['turns', 'cost']);
    for (const e of [turn('a'), turn('b'), cost(5)]) expect(meter.add(e)).toBeUndefined();
    expect(meter.turns).toBe(2);
    expect(meter.costUsd).toBe(5);
  });

  it('with no budget, is never spent', () => {
    const meter = new BudgetMeter({});
    for (let i = 0; i < 1000; i += 1) expect(meter.add(i % 2 === 0 ? turn() : cost(100))).toBeUndefined();
  });

  it("counts what an earlier run of the same job used (a follow-up's failed resume) against the same budget", () => {
    const meter = new BudgetMeter({ maxTurns: 5, maxCostUsd: 1 }, [], { turns: 4, costUsd: 0.9 });
    expect(meter.add(turn())).toBeUndefined();
    expect(meter.add(cost(0.1))).toEqual({ kind: 'cost', limit: 1, used: 1 });
    expect(remainingBudget({ maxTurns: 5, maxCostUsd: 1 }, { turns: 4, costUsd: 0.25 })).toEqual({ maxTurns: 1, maxCostUsd: 0.75 });
    expect(remainingBudget({ maxTurns: 5 }, { turns: 5 })).toBeUndefined();
    expect(remainingBudget({ maxCostUsd: 1 }, { turns: 0, costUsd: 1 })).toBeUndefined();
    expect(remainingBudget({}, { turns: 1000, costUsd: 1000 })).toEqual({});
  });

  it('names the budget that ran out, with its figures', () => {
    expect(budgetMessage('Codex', { kind: 'turns', limit: 30, used: 31 })).toBe(
      'Codex was stopped because its turn budget ran out: it used 30 of the 30 turns (model requests) one job may make. Comment again to let it continue with a new budget, or ask for a smaller change.',
    );
    expect(budgetMessage('OpenCode', { kind: 'cost', limit: 2, used: 2.0123 })).toContain('its cost budget ran out: it spent $2.01 of the $2.00 one job may spend.');
  });
});

describe('turns in the streams', () => {
  it("counts Claude Code's assistant messages by id, and not the synthetic message of an API error", () => {
    const es = parseAgentOutput(claude, sample('claude-stream-json-max-turns.jsonl'));
    expect(of(es, 'turn')).toEqual([{ type: 'turn', id: 'msg_mock_1' }]);
    const synthetic = JSON.stringify({ type: 'assistant', message: { id: 'x', model: '<synthetic>', content: [{ type: 'text', text: 'API Error: 401' }] } });
    expect(of(parseClaudeStreamLine(synthetic), 'turn')).toEqual([]);
  });

  it("reads Claude Code's error_max_budget_usd as out of money", () => {
    const line = JSON.stringify({ type: 'result', subtype: 'error_max_budget_usd', is_error: true, total_cost_usd: 0.51, errors: ['Reached maximum budget ($0.5)'] });
    expect(of(parseClaudeStreamLine(line), 'result')).toEqual([{ type: 'result', ok: false, summary: 'Reached maximum budget ($0.5)', reason: 'max_cost' }]);
  });
});

describe('budget flags on the command line', () => {
  const input = { promptFile: '/tmp/p', workdir: '/home/user/repo', budget: { maxTurns: 12, maxCostUsd: 1.5 } };

  it('gives Claude Code --max-turns and --max-budget-usd, and nothing when there is no budget', () => {
    expect(claude.command(input)).toContain('--max-turns 12 --max-budget-usd 1.5');
    expect(claude.command({ promptFile: '/tmp/p', workdir: '/w' })).not.toMatch(/max-turns|max-budget/);
  });

  it.each(builtInProfiles.filter((p) => p.name !== 'claude').map((p) => p.name))('gives %s no budget flag: its CLI has none, the app enforces it', (name) => {
    const profile = builtInProfiles.find((p) => p.name === name);
    expect(profile?.budgetFlags).toBeUndefined();
    expect(profile?.command(input)).not.toMatch(/max-turns|max-budget|12|1\.5/);
  });
});
