import { z } from 'zod';

/** Everything a worker needs to do one piece of work; serializable, checked when it comes back from a queue. */
export const jobSchema = z.object({
  /** The webhook delivery id (X-GitHub-Delivery): one delivery, one job, never run twice. */
  deliveryId: z.string().min(1),
  installationId: z.number().int().positive(),
  owner: z.string().min(1),
  repo: z.string().min(1),
  /** Issue (or pull request) number the work is about. */
  number: z.number().int().positive(),
  /**
   * `run` works on an issue (or continues its open pull request, when the app has one); `continue`
   * is a follow-up typed on a pull request; `cleanup` ends a closed pull request's paused sandbox
   * and saved session.
   */
  kind: z.enum(['run', 'help', 'continue', 'cleanup']),
  /** Profile name as asked for (may be unknown: the pipeline says so to the user). */
  profile: z.string().min(1),
  /** The command named the profile; otherwise a follow-up keeps the pull request's agent. */
  profileNamed: z.boolean().optional(),
  /** The pull request a follow-up or cleanup is about; for `cleanup`, the sandbox its marker named. */
  pull: z.object({ number: z.number().int().positive(), sandbox: z.string().min(1).optional() }).optional(),
  /** The maintainer's own instructions, from the command or empty for a label. */
  instructions: z.string(),
  issue: z.object({ title: z.string(), body: z.string() }),
  defaultBranch: z.string().min(1),
  requester: z.object({ login: z.string().min(1), id: z.number().int() }),
  /** What to react to: the comment that asked, or the issue itself for a label. */
  trigger: z.discriminatedUnion('type', [
    z.object({ type: z.literal('label'), label: z.string() }),
    z.object({ type: z.literal('comment'), commentId: z.number().int() }),
    /** A comment on a line of the diff: the prompt carries its file, line and hunk. */
    z.object({
      type: z.literal('review-comment'),
      commentId: z.number().int(),
      path: z.string(),
      line: z.number().int().nullable(),
      diffHunk: z.string(),
    }),
    /**
     * A submitted review: the worker reads its line comments. `changesRequested`: a review that
     * requests changes without the command, which runs only where the repository turns it on
     * (`follow_ups.on_changes_requested`); its body is the job's `instructions`.
     */
    z.object({ type: z.literal('review'), reviewId: z.number().int(), changesRequested: z.literal(true).optional() }),
    z.object({ type: z.literal('closed') }),
    /** A check suite of another app completed on the head of the app's pull request (`ci.auto_fix`). */
    z.object({ type: z.literal('check-suite'), suiteId: z.number().int(), headSha: z.string().regex(/^[0-9a-f]{40}$/), app: z.string() }),
  ]),
  receivedAt: z.string(),
  /**
   * The comment as written, for a comment trigger: the worker reads it again with the repository's
   * own command word and agents (.github/issuesmith.yml), which the webhook handler does not know.
   */
  comment: z.string().optional(),
  /** Options typed in the command (`model=gpt-5.5 base=release-2`), as typed; checked by the worker. */
  options: z.record(z.string(), z.string()).optional(),
  /** The branch to start from and to open the pull request against, when not the default branch. */
  base: z.string().min(1).optional(),
  /** `fix ci`: the failing checks of the pull request's head go to the agent with the request. */
  fixCi: z.boolean().optional(),
  /** The model the request (or the repository) asks for. */
  model: z.string().min(1).optional(),
});

export type Job = z.infer<typeof jobSchema>;

// The queues import the key from here; it is built in keys.ts with the other keys.
export { jobKey } from './keys.js';
