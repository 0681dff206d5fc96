import type { Job } from '../job.js';

/** Who asks, through which delivery and installation, about which issue or pull request. */
interface RequestAbout {
  deliveryId: string;
  installationId: number;
  owner: string;
  repo: string;
  number: number;
  requester: { login: string; id: number };
}

/** A request about the jobs of one issue or pull request, answered at once rather than queued behind them. */
export interface ControlRequest extends RequestAbout {
  action: 'stop' | 'status';
  /** The comment that asked, to react to; absent for the check run's Stop button. */
  commentId?: number;
  /** The repository's default branch, where its settings are read; GitHub's HEAD when the payload did not say. */
  defaultBranch?: string;
}

/**
 * A request in the app's words from someone the payload shows cannot hold write access (their
 * `author_association`): not queued, but answered outside the queue by the rate-limited refusal. The
 * payload is computed without a viewer, so it cannot see a private organisation membership: a
 * maintainer whose membership is private and whose access comes through a team arrives as
 * CONTRIBUTOR or NONE. The refusal path asks GitHub once (per person, while their refusal is recent)
 * and lets such a person's request go on as `intent`.
 */
export interface OutsiderRequest extends RequestAbout {
  action: 'start' | 'stop' | 'status';
  association: string;
}

/** What a request in the app's words becomes when its author may act. */
export type ActionableIntent = { kind: 'run'; job: Job } | { kind: 'help'; job: Job } | { kind: 'continue'; job: Job } | { kind: 'control'; request: ControlRequest };

/**
 * What a webhook asks of the app, decided from the payload alone. A `candidate` is a label or a slash
 * command that is not the app's own but may be the repository's (`trigger:` in .github/issuesmith.yml,
 * which the handler cannot read without an API call): the worker reads the file and drops it silently
 * when it is not.
 */
export type Intent =
  | { kind: 'run'; job: Job }
  | { kind: 'help'; job: Job }
  | { kind: 'candidate'; job: Job }
  | { kind: 'control'; request: ControlRequest }
  | { kind: 'outsider'; request: OutsiderRequest; intent: ActionableIntent }
  | { kind: 'continue'; job: Job }
  | { kind: 'cleanup'; job: Job }
  /** Work the app may start by itself (a completed check suite, for `ci.auto_fix`): nobody waits, so nothing is acknowledged. */
  | { kind: 'automatic'; job: Job }
  | { kind: 'ignore'; reason: string };

export interface TriggerOptions {
  defaultProfile: string;
  isProfile: (word: string) => boolean;
  /** `agent` makes the labels `agent` and `agent:<profile>`. */
  labelPrefix: string;
  /** The comment command, `/agent`. */
  command: string;
  /**
   * The app's key for state markers (settings.stateKey): a closed pull request's marker is only read
   * when signed with it for the same installation and repository. Without it, no marker is trusted.
   */
  stateKey?: Uint8Array;
  /** The app's id (APP_ID): its own check suites are dropped at the webhook. */
  appId?: number;
  now?: () => Date;
}
