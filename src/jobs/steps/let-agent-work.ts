import { remainingBudget, type BudgetUsed } from '../../agents/budget.js';
import type { CollectedChange } from '../../sandbox/repo-in-sandbox.js';
import type { Continuation } from '../job-deps.js';
import type { ChosenAgent } from './choose-agent.js';
import { collectWork } from './collect-change.js';
import type { FollowUpPrompts } from './follow-up-prompt.js';
import type { Workspace } from './open-sandbox.js';
import { runAgent, type AgentRun } from './run-agent.js';
import type { Turn } from './turn.js';

export interface AgentWork {
  run: AgentRun;
  /** Its change against the starting commit, collected in the sandbox (`bytes` 0: no change). */
  change: CollectedChange;
}

/**
 * The prompt written to a file in the sandbox, the agent run on it with a hard time limit and the job's
 * budget (turns, cost), and its change read out: a run stopped by either keeps what it did so far.
 */
export async function letAgentWork(turn: Turn, ws: Workspace, agent: ChosenAgent, prompt: string, resume?: string, usedBefore?: BudgetUsed): Promise<AgentWork> {
  const { deps } = turn;
  await ws.sandbox.writeFile(ws.promptFile, prompt);
  turn.stopped();
  turn.progress.phase('working');
  const { settings } = deps;
  const model = agent.request.model;
  const run = await runAgent({
    sandbox: ws.sandbox,
    profile: agent.profile,
    command: agent.profile.command({
      promptFile: ws.promptFile,
      workdir: ws.workdir,
      timeoutMs: settings.jobTimeoutMs,
      // A CLI enforcing a budget itself is given what is left of it.
      budget: remainingBudget(settings.budget, usedBefore) ?? settings.budget,
      ...(resume !== undefined ? { resume } : {}),
      ...(model !== undefined ? { model } : {}),
    }),
    timeoutMs: settings.jobTimeoutMs,
    ...(deps.signal ? { signal: deps.signal } : {}),
    onEvent: (e) => turn.progress.event(e),
    budget: settings.budget,
    ...(usedBefore !== undefined ? { usedBefore } : {}),
  });
  turn.progress.agentEnded?.();
  // A stopped agent's work is dropped: nothing is pushed.
  turn.stopped();
  return { run, change: await collectWork(ws, turn.repo, settings) };
}

/**
 * A follow-up's agent: its session resumed by id when there is one; when it cannot pick the session up
 * (its state is missing or unreadable: a crash with no change), it runs once more afresh with the whole context.
 */
export async function letAgentGoOn(
  turn: Turn,
  ws: Workspace & { continuation: Continuation },
  agent: ChosenAgent,
  prompts: FollowUpPrompts,
  session: string | undefined,
): Promise<AgentWork & { continuation: Continuation }> {
  const resume = ws.continuation === 'fresh' ? undefined : session;
  if (resume === undefined) return { ...(await letAgentWork(turn, ws, agent, await prompts.fresh())), continuation: 'fresh' };
  const work = await letAgentWork(turn, ws, agent, prompts.resumed, resume);
  if (work.run.ok || work.run.reason !== 'crash' || work.change.bytes > 0) return { ...work, continuation: ws.continuation };
  // The failed attempt's requests count against the job's budget; with none of it left, there is no second try.
  const used = { turns: work.run.turns ?? 0, costUsd: work.run.costUsd };
  if (remainingBudget(turn.deps.settings.budget, used) === undefined) return { ...work, continuation: ws.continuation };
  turn.deps.log.warn(
    { session: resume, continuation: ws.continuation, output: turn.deps.redactor.redact(work.run.outputTail) },
    'the agent could not resume its session; running it afresh',
  );
  return { ...(await letAgentWork(turn, ws, agent, await prompts.fresh(), undefined, used)), continuation: 'fresh' };
}
