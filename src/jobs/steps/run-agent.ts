import { agentStream } from '../../agents/agent-stream.js';
import { BudgetMeter, type BudgetSpent, type BudgetUsed } from '../../agents/budget.js';
import { classifyFailureText } from '../../agents/failure-reason.js';
import type { AgentEvent, AgentFailureReason, AgentProfile, Budget, BudgetKind } from '../../agents/profile.js';
import { CommandTimeoutError, type Sandbox } from '../../sandbox/provider.js';

export interface AgentRun {
  ok: boolean;
  reason?: AgentFailureReason;
  sessionId?: string;
  /** The agent's own summary: its result text, or its last message. */
  summary: string;
  inputTokens: number;
  outputTokens: number;
  costUsd?: number;
  exitCode: number | undefined;
  /** The last lines of what the agent printed (stdout and stderr), for failure reports. */
  outputTail: string;
  /** Model requests the stream showed (see BudgetMeter). */
  turns?: number;
  /** The budget that stopped the run (`reason` is then max_turns or max_cost), with its figures. */
  budget?: BudgetSpent;
}

export interface RunAgentInput {
  sandbox: Sandbox;
  profile: AgentProfile;
  command: string;
  timeoutMs: number;
  signal?: AbortSignal;
  onEvent?: (e: AgentEvent) => void;
  /** The job's budget: what the profile's CLI does not enforce itself (its `budgetFlags`) is enforced here. */
  budget?: Budget;
  /** What earlier runs of the same job used: they count against the same budget. */
  usedBefore?: BudgetUsed;
}

/** Runs the agent's command in the sandbox and folds its event stream into one result. */
export async function runAgent(input: RunAgentInput): Promise<AgentRun> {
  const events: AgentEvent[] = [];
  const tail = new TailBuffer(40);
  // Some agents (OpenClaw) print one JSON object over many lines: the profile's stream parser copes.
  const stream = agentStream(input.profile);
  const budget = input.budget ?? {};
  const meter = new BudgetMeter(budget, input.profile.budgetFlags ?? [], input.usedBefore);
  // A spent budget stops the command the way a stop does: the sandbox kills it, what it did so far stays.
  const overBudget = new AbortController();
  const feed = (es: AgentEvent[]): void => {
    for (const e of es) {
      events.push(e);
      input.onEvent?.(e);
      if (meter.add(e) !== undefined) overBudget.abort();
    }
  };
  const onStdout = (chunk: string): void => {
    tail.push(chunk);
    feed(stream.write(chunk));
  };
  let exitCode: number | undefined;
  let timedOut = false;
  try {
    const r = await input.sandbox.run(input.command, {
      timeoutMs: input.timeoutMs,
      onStdout,
      onStderr: (s) => tail.push(s),
      signal: input.signal ? AbortSignal.any([input.signal, overBudget.signal]) : overBudget.signal,
    });
    exitCode = r.exitCode;
  } catch (err) {
    if (!(err instanceof CommandTimeoutError)) throw err;
    timedOut = true;
  }
  feed(stream.end());
  // The exit code of a command killed for its budget is the kill's, not the agent's.
  const run = fold(events, exitCode, timedOut, tail.text(), overBudget.signal.aborted);
  return withBudget({ ...run, turns: meter.turns - (input.usedBefore?.turns ?? 0) }, meter, budget, input.profile.budgetFlags ?? []);
}

/**
 * A run the app stopped for its budget, or one the CLI stopped at the budget it was given (Claude
 * Code's error_max_turns / error_max_budget_usd), says which budget ran out and by how much.
 */
function withBudget(run: AgentRun, meter: BudgetMeter, budget: Budget, cliFlags: readonly BudgetKind[]): AgentRun {
  const spent = meter.spent;
  if (spent !== undefined && !run.ok) return { ...run, reason: spent.kind === 'turns' ? 'max_turns' : 'max_cost', budget: spent };
  if (spent !== undefined) return run;
  // Only a limit the app gave the CLI is the job's budget; an agent's own default limit is not.
  if (run.reason === 'max_turns' && budget.maxTurns !== undefined && cliFlags.includes('turns'))
    return { ...run, budget: { kind: 'turns', limit: budget.maxTurns, used: Math.max(meter.turns, budget.maxTurns) } };
  if (run.reason === 'max_cost' && budget.maxCostUsd !== undefined && cliFlags.includes('cost'))
    return { ...run, budget: { kind: 'cost', limit: budget.maxCostUsd, used: meter.costUsd ?? budget.maxCostUsd } };
  return run;
}

function fold(events: AgentEvent[], exitCode: number | undefined, timedOut: boolean, outputTail: string, killed = false): AgentRun {
  let sessionId: string | undefined;
  let lastText = '';
  let result: Extract<AgentEvent, { type: 'result' }> | undefined;
  let error: Extract<AgentEvent, { type: 'error' }> | undefined;
  let inputTokens = 0;
  let outputTokens = 0;
  let costUsd: number | undefined;
  for (const e of events) {
    if (e.type === 'session') sessionId = e.id;
    else if (e.type === 'text') lastText = e.text;
    else if (e.type === 'result') result = e;
    else if (e.type === 'error') error = e;
    else if (e.type === 'usage') {
      inputTokens += e.inputTokens;
      outputTokens += e.outputTokens;
      if (e.costUsd !== undefined) costUsd = (costUsd ?? 0) + e.costUsd;
    }
  }
  const run: AgentRun = { ok: false, summary: result?.summary || lastText, inputTokens, outputTokens, exitCode, outputTail };
  if (sessionId !== undefined) run.sessionId = sessionId;
  if (costUsd !== undefined) run.costUsd = costUsd;
  if (timedOut) run.reason = 'timeout';
  else if (result !== undefined && !result.ok) run.reason = result.reason ?? 'crash';
  else if (error !== undefined) run.reason = error.reason ?? 'crash';
  else if ((exitCode !== 0 && !killed) || result === undefined) run.reason = classifyFailureText(outputTail);
  else run.ok = true;
  if (!run.ok && run.summary === '' && error !== undefined) run.summary = error.message;
  return run;
}

/**
 * Keeps the last `lines` lines of a stream without holding all of it. Only whole lines are kept: the
 * text is redacted later, and a line cut in the middle of a secret would keep the part that no longer
 * matches.
 */
export class TailBuffer {
  #text = '';
  /** The buffer starts inside a line whose beginning was dropped. */
  #fragment = false;
  constructor(private readonly lines: number) {}
  push(chunk: string): void {
    this.#text += chunk;
    if (this.#text.length > 64_000) {
      this.#text = this.#text.slice(-32_000);
      this.#fragment = true;
    }
    if (this.#fragment) {
      const nl = this.#text.indexOf('\n');
      if (nl !== -1) {
        this.#text = this.#text.slice(nl + 1);
        this.#fragment = false;
      }
    }
  }
  text(): string {
    const whole = this.#fragment ? '' : this.#text;
    return whole.split('\n').slice(-this.lines).join('\n').trim();
  }
}
