import type { AgentEvent, Budget, BudgetKind } from './profile.js';

/** What earlier runs of the same job used of its budget. */
export interface BudgetUsed {
  turns: number;
  costUsd?: number | undefined;
}

/** What is left of a budget once `used` is taken off; undefined when a part of it is used up. */
export function remainingBudget(budget: Budget, used: BudgetUsed | undefined): Budget | undefined {
  if (used === undefined) return budget;
  const left: Budget = {};
  if (budget.maxTurns !== undefined) left.maxTurns = budget.maxTurns - used.turns;
  if (budget.maxCostUsd !== undefined) left.maxCostUsd = budget.maxCostUsd - (used.costUsd ?? 0);
  if ((left.maxTurns !== undefined && left.maxTurns < 1) || (left.maxCostUsd !== undefined && left.maxCostUsd <= 0)) return undefined;
  return left;
}

/** A budget that ran out: which one, its limit, and what the run had used when it was stopped. */
export interface BudgetSpent {
  kind: BudgetKind;
  limit: number;
  used: number;
}

/**
 * Counts a run's turns (`turn` events; one model request each, the same id counted once) and its cost
 * (`usage` events that carry one), and says when a budget is spent. A budget the agent's CLI enforces
 * itself (given as a flag) is counted but not enforced here: the CLI stops at the same limit more precisely.
 */
export class BudgetMeter {
  #turns = 0;
  #costUsd: number | undefined;
  #ids = new Set<string>();
  #spent: BudgetSpent | undefined;

  constructor(
    private readonly budget: Budget,
    private readonly enforcedByCli: readonly BudgetKind[] = [],
    usedBefore?: BudgetUsed,
  ) {
    this.#turns = usedBefore?.turns ?? 0;
    this.#costUsd = usedBefore?.costUsd;
  }

  get turns(): number {
    return this.#turns;
  }

  get costUsd(): number | undefined {
    return this.#costUsd;
  }

  /** The budget this meter found spent, once one is. */
  get spent(): BudgetSpent | undefined {
    return this.#spent;
  }

  /** Counts one event; returns the spent budget the first time one is. */
  add(e: AgentEvent): BudgetSpent | undefined {
    if (e.type === 'turn') {
      if (e.id !== undefined) {
        if (this.#ids.has(e.id)) return undefined;
        this.#ids.add(e.id);
      }
      this.#turns += 1;
    } else if (e.type === 'usage' && e.costUsd !== undefined) {
      this.#costUsd = (this.#costUsd ?? 0) + e.costUsd;
    } else {
      return undefined;
    }
    if (this.#spent !== undefined) return undefined;
    this.#spent = this.#check();
    return this.#spent;
  }

  #check(): BudgetSpent | undefined {
    const { maxTurns, maxCostUsd } = this.budget;
    // A turn past the limit is a request the budget did not allow: the run stops as it starts.
    if (maxTurns !== undefined && !this.enforcedByCli.includes('turns') && this.#turns > maxTurns) return { kind: 'turns', limit: maxTurns, used: this.#turns };
    // Money is counted after it is spent: the run stops once the total reaches the limit.
    if (maxCostUsd !== undefined && !this.enforcedByCli.includes('cost') && this.#costUsd !== undefined && this.#costUsd >= maxCostUsd) {
      return { kind: 'cost', limit: maxCostUsd, used: this.#costUsd };
    }
    return undefined;
  }
}

/** "$0.0123", "$12.50": enough digits to tell a small figure from zero. */
export function formatUsd(usd: number): string {
  return `$${usd.toFixed(usd < 1 ? 4 : 2)}`;
}

/** Why a run was stopped by its budget, with the figures: the sentence of the status, the check run and the pull request. */
export function budgetMessage(displayName: string, spent: BudgetSpent): string {
  const figures =
    spent.kind === 'turns'
      ? `its turn budget ran out: it used ${Math.min(spent.used, spent.limit)} of the ${spent.limit} turns (model requests) one job may make`
      : `its cost budget ran out: it spent ${formatUsd(spent.used)} of the ${formatUsd(spent.limit)} one job may spend`;
  return `${displayName} was stopped because ${figures}. Comment again to let it continue with a new budget, or ask for a smaller change.`;
}
