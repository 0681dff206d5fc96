import { describe, expect, it } from 'vitest';
import { parseRepoConfig, type RepoConfigContext } from '../../src/config/repo-config.js';
import { jobSettings, repoSettings } from '../../src/config/repo-settings.js';
import { settingsFromEnv } from '../../src/config/settings.js';
import { builtInProfiles } from '../../src/agents/registry.js';

const ctx: RepoConfigContext = { builtIns: builtInProfiles, customAgentSecrets: new Set(), protectedEnv: new Set() };
const operator = settingsFromEnv({ ISSUESMITH_MAX_TURNS: '40', ISSUESMITH_MAX_COST_USD: '2' });

describe("a job's budget", () => {
  it("is the operator's when the repository names none", () => {
    const repo = repoSettings({}, operator);
    expect(jobSettings(operator, repo, {}).budget).toEqual({ maxTurns: 40, maxCostUsd: 2 });
  });

  it('has no limit when neither the operator nor the repository names one', () => {
    const app = settingsFromEnv({});
    expect(jobSettings(app, repoSettings({}, app), {}).budget).toEqual({});
  });

  it("is lowered by the repository's budget, and an agent's own lowers it further, one value at a time", () => {
    const repo = repoSettings({ budget: { max_turns: 10, max_cost_usd: 0.5 } }, operator);
    expect(jobSettings(operator, repo, {}).budget).toEqual({ maxTurns: 10, maxCostUsd: 0.5 });
    expect(jobSettings(operator, repo, { budget: { max_turns: 3 } }).budget).toEqual({ maxTurns: 3, maxCostUsd: 0.5 });
    expect(repo.warnings).toEqual([]);
  });

  it("lets an agent's budget go above the file's own, but never above the operator's", () => {
    const repo = repoSettings({ budget: { max_turns: 10 } }, operator);
    expect(jobSettings(operator, repo, { budget: { max_turns: 30 } }).budget).toEqual({ maxTurns: 30, maxCostUsd: 2 });
    expect(jobSettings(operator, repo, { budget: { max_turns: 400 } }).budget).toEqual({ maxTurns: 40, maxCostUsd: 2 });
  });

  it("clamps a repository asking for a billion dollars to the operator's ceiling, and says so", () => {
    const file = { budget: { max_cost_usd: 1e9, max_turns: 1e6 }, agents: { codex: { budget: { max_cost_usd: 1e9 } } } };
    const repo = repoSettings(file, operator);
    expect(jobSettings(operator, repo, file.agents.codex).budget).toEqual({ maxTurns: 40, maxCostUsd: 2 });
    expect(repo.warnings).toEqual([
      'budget.max_turns: 1000000 turns is more than this app allows for one job; limited to 40',
      'budget.max_cost_usd: $1000000000.00 is more than this app allows for one job; limited to $2.00',
      'agents.codex.budget.max_cost_usd: $1000000000.00 is more than this app allows for one job; limited to $2.00',
    ]);
  });

  it('takes any positive budget from a repository when the operator sets no ceiling', () => {
    const app = settingsFromEnv({});
    expect(jobSettings(app, repoSettings({ budget: { max_cost_usd: 1e9 } }, app), {}).budget).toEqual({ maxCostUsd: 1e9 });
  });

  it.each([
    [{ budget: { max_turns: 0 } }, 'budget.max_turns: must be more than 0, got 0'],
    [{ budget: { max_turns: '20' } }, 'budget.max_turns: expected a number, got "20"'],
    [{ budget: { max_cost_usd: -1 } }, 'budget.max_cost_usd: must be more than 0, got -1'],
    [{ agents: { claude: { budget: { max_turns: 1.5 } } } }, 'agents.claude.budget.max_turns: expected a whole number, got 1.5'],
  ])('refuses %j with a message that says what is wrong', (raw, problem) => {
    expect(parseRepoConfig(raw, ctx)).toMatchObject({ ok: false, problems: [problem] });
  });

  it('warns of an unknown key in a budget, like any other', () => {
    expect(parseRepoConfig({ budget: { max_tokens: 5 } }, ctx)).toMatchObject({ ok: true, warnings: ['budget.max_tokens: unknown setting, ignored'] });
  });

  it.each([
    ['ISSUESMITH_MAX_TURNS', '0'],
    ['ISSUESMITH_MAX_TURNS', '2.5'],
    ['ISSUESMITH_MAX_COST_USD', '-1'],
    ['ISSUESMITH_MAX_COST_USD', 'lots'],
  ])('refuses %s=%s at start', (name, value) => {
    expect(() => settingsFromEnv({ [name]: value })).toThrow(new RegExp(`invalid environment: ${name}`));
  });
});
