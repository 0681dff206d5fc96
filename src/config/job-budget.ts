import { formatUsd } from '../agents/budget.js';
import type { Budget } from '../agents/profile.js';

/** A `budget:` of the settings file, top-level or an agent's. */
export interface BudgetFile {
  max_turns?: number | undefined;
  max_cost_usd?: number | undefined;
}

/**
 * A budget of the file within the operator's: each value the file names replaces the one it is laid
 * over, and is lowered to the operator's ceiling (ISSUESMITH_MAX_TURNS, ISSUESMITH_MAX_COST_USD) when
 * it asks for more. The operator pays for the agents' requests: a repository may spend less, never more.
 */
export function layBudget(operator: Budget, under: Budget, file: BudgetFile | undefined): Budget {
  const turns = capped(file?.max_turns ?? under.maxTurns, operator.maxTurns);
  const cost = capped(file?.max_cost_usd ?? under.maxCostUsd, operator.maxCostUsd);
  return { ...(turns !== undefined ? { maxTurns: turns } : {}), ...(cost !== undefined ? { maxCostUsd: cost } : {}) };
}

/** What the file asks for above the operator's ceiling, as warnings for the job's comment. */
export function budgetWarnings(operator: Budget, file: BudgetFile | undefined, path: string): string[] {
  const warnings: string[] = [];
  if (file?.max_turns !== undefined && operator.maxTurns !== undefined && file.max_turns > operator.maxTurns) {
    warnings.push(`${path}.max_turns: ${file.max_turns} turns is more than this app allows for one job; limited to ${operator.maxTurns}`);
  }
  if (file?.max_cost_usd !== undefined && operator.maxCostUsd !== undefined && file.max_cost_usd > operator.maxCostUsd) {
    warnings.push(`${path}.max_cost_usd: ${formatUsd(file.max_cost_usd)} is more than this app allows for one job; limited to ${formatUsd(operator.maxCostUsd)}`);
  }
  return warnings;
}

function capped(value: number | undefined, ceiling: number | undefined): number | undefined {
  if (value === undefined) return ceiling;
  return ceiling === undefined ? value : Math.min(value, ceiling);
}
