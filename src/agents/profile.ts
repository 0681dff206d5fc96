/**
 * One thing an agent did or said, parsed from its output stream. `usage` counts the work since the
 * previous `usage` event (a run's total is their sum); `result` is how the run ended (the last one
 * counts); `error` is a failure the agent reported (a run that has one did not succeed).
 */
export type AgentEvent =
  | { type: 'session'; id: string; model?: string }
  | { type: 'text'; text: string }
  | { type: 'tool'; name: string; detail: string }
  /** What a tool call gave back, as the agent saw it (for the transcript). */
  | { type: 'tool-result'; output: string; failed?: boolean }
  | { type: 'usage'; inputTokens: number; outputTokens: number; costUsd?: number }
  /** One model request (a turn), as the stream shows it; the same `id` seen again is the same request. */
  | { type: 'turn'; id?: string }
  | { type: 'result'; ok: boolean; summary: string; reason?: AgentFailureReason }
  | { type: 'error'; message: string; reason?: AgentFailureReason }
  | { type: 'log'; text: string };

/** Why a run failed, in the agent's own signals, so the report can say it in plain words. */
export type AgentFailureReason = 'auth' | 'rate_limit' | 'max_turns' | 'max_cost' | 'timeout' | 'crash';

/** What one job's agent run may use: model requests (turns) and money. Absent: no limit. */
export interface Budget {
  maxTurns?: number;
  maxCostUsd?: number;
}

export type BudgetKind = 'turns' | 'cost';

export interface CommandInput {
  /** Absolute path of the file holding the prompt; the command reads it on stdin. */
  promptFile: string;
  /** Absolute path of the repository checkout the agent works in. */
  workdir: string;
  /** Session or thread id to resume. */
  resume?: string;
  model?: string;
  /** The run's hard time limit; agents with a limit of their own are given it so they do not stop sooner. */
  timeoutMs?: number;
  /** The job's budget; an agent whose CLI has a flag for one (`budgetFlags`) is given it. */
  budget?: Budget;
}

/**
 * Parses one run's output, line by line, keeping what it needs between lines: the final message for
 * the result's summary, or an output that spans lines (OpenClaw prints one pretty-printed object).
 */
export interface AgentStreamParser {
  /** One line of standard output, without its newline. Never throws. */
  line(line: string): AgentEvent[];
  /** The process has exited: whatever the output still owes (a buffered object, as logs or events). */
  end(): AgentEvent[];
}

/** An npm package at one exact version. */
export interface PinnedCli {
  package: string;
  version: string;
}

export interface AgentProfile {
  name: string;
  /** Names people may type for this profile besides `name` (`claude-code`, `openai`, ...). */
  aliases: string[];
  /** Human name for messages: "Claude Code". */
  displayName: string;
  /**
   * The sandbox template the agent runs in (its provider's: the local provider ignores it). A built-in
   * agent's is named after its CLI's pinned version (`templateName`), so an upgrade never runs an
   * agent in a template built for another version.
   */
  template: string;
  /** The agent's CLI as its template installs it: an npm package at a pinned version. Built-in agents only. */
  cli?: PinnedCli;
  /**
   * Environment variables forwarded into the sandbox. `required` lists alternatives: at least one
   * must be set in the app's environment. `optional` are endpoint overrides, sent when set.
   */
  secrets: { required: string[]; optional: string[] };
  /** Fixed, non-secret variables the agent needs in the sandbox (e.g. IS_SANDBOX=1). */
  env: Record<string, string>;
  /** The file the agent reads for project context. */
  instructionsFile: string;
  /**
   * The budgets the CLI enforces itself when its command is given them (Claude Code's --max-turns and
   * --max-budget-usd); the app enforces the others from the events of the stream.
   */
  budgetFlags?: readonly BudgetKind[];
  /** False for agents whose CLI takes no model (the model comes from their own configuration). */
  takesModel?: boolean;
  /**
   * The files the agent keeps its conversations in, as absolute paths in the sandbox. They are saved
   * at the end of a turn, so a follow-up in a new sandbox can restore them at the same paths and
   * resume by id. Empty when the conversation lives on the agent's own service.
   */
  sessionState(o: { home: string; workdir: string }): string[];
  /** Builds the shell command. The prompt is never part of it: it arrives on stdin. */
  command(input: CommandInput): string;
  /**
   * The name a custom agent's `output:` gives this agent's stream format, so a repository can run
   * another CLI that prints it; absent when the format is this agent's alone.
   */
  outputFormat?: string;
  /** Parses one line of the agent's output into events. Never throws. */
  parse(line: string): AgentEvent[];
  /**
   * A parser for one whole run, for agents whose output cannot be read one line at a time. When it is
   * absent, `parse` is that parser. Use `agentStream(profile)` rather than calling either directly.
   */
  createParser?(): AgentStreamParser;
}
