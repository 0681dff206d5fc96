/** The shapes of what a job reads from and writes to GitHub (src/github/job-github.ts). */

export interface CheckRunOutput {
  title: string;
  summary: string;
  text?: string;
}

export interface CheckRunInput {
  name: string;
  headSha: string;
  /** Ties the run to its job, for the Stop button: `<number>:<delivery>`. */
  externalId: string;
  status: 'in_progress' | 'completed';
  conclusion?: 'success' | 'failure' | 'cancelled' | 'neutral';
  title: string;
  summary: string;
  /** The details below the summary (the job's transcript); GitHub keeps 65,535 characters. */
  text?: string;
  /**
   * The output as it is when the request goes out, after GitHub's write pacing held it (a second or
   * more), in place of `title`, `summary` and `text`: what happened meanwhile rides along.
   */
  now?: () => CheckRunOutput;
  /** Buttons shown on the check run while it runs. */
  actions?: Array<{ label: string; description: string; identifier: string }>;
}

export interface ReviewLineComment {
  login: string;
  body: string;
  path: string;
  line: number | null;
  diffHunk: string;
}

export interface ConversationComment {
  id: number;
  login: string;
  userType: string;
  body: string;
  createdAt: string;
}
