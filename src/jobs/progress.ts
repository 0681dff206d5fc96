import type { AgentEvent } from '../agents/profile.js';
import type { Phase } from '../report/status.js';

/** What the pipeline tells whoever watches the job, as it goes. Every method is cheap and never throws. */
export interface Progress {
  /** The job is authorized and starting: the status comment appears (or the queued one is taken over). */
  start(): Promise<void>;
  phase(p: Phase): void;
  agent(displayName: string, model?: string): void;
  /** A follow-up's turn on its pull request (1 for the first run). */
  turn(n: number): void;
  sandbox(id: string): void;
  event(e: AgentEvent): void;
  /**
   * The commit the job's check run belongs to: the one the agent starts from, then the pull request's
   * new head. Each commit gets its own run, and every run ends with the job. `onBase`: the commit is the
   * base branch's (a first run's start), where a failure shows as neutral, never as a red X on it.
   */
  checkRun(headSha: string, o?: { onBase?: boolean }): void;
  /** A problem worth knowing that does not stop the job (an image of the request left out), shown with the status. */
  warn?(text: string): void;
  /**
   * The agent's process ended: what is left (its change read out and vetted, the push, the pull request)
   * takes seconds and the final state follows, so no live edit goes before them.
   */
  agentEnded?(): void;
}

export const silentProgress: Progress = {
  start: async () => undefined,
  phase: () => undefined,
  agent: () => undefined,
  turn: () => undefined,
  sandbox: () => undefined,
  event: () => undefined,
  checkRun: () => undefined,
};
