import type { CiEvidence } from '../agents/ci-prompt.js';
import { runFailureMessage } from '../agents/failure-message.js';
import { UserError } from '../errors.js';
import { pullRequestLockKey } from '../keys.js';
import type { Job } from '../job.js';
import type { JobDeps, Outcome } from './job-deps.js';
import { bringImages, followUpTexts } from './steps/bring-images.js';
import { chooseAgent } from './steps/choose-agent.js';
import { followUpPrompts, withRequestImages } from './steps/follow-up-prompt.js';
import { letAgentGoOn } from './steps/let-agent-work.js';
import { pullRequestOutcome } from './steps/new-pull-request.js';
import { pickUpSandbox, type FollowUpTarget } from './steps/pick-up-sandbox.js';
import { recordTurn } from './steps/publish.js';
import { pushChange } from './steps/push-change.js';
import { Turn } from './steps/turn.js';
import { vetAgentChange } from './steps/vet-change.js';

/**
 * One follow-up turn on a pull request (one at a time per pull request, across workers):
 *  1. choose the agent: the one named, else the pull request's own; base= has no place here; the
 *     status starts (the check run on the pull request's head, then the comment linking it), and the
 *     turn waits for the pull request's lock;
 *  2. pick the conversation up: the last turn's paused sandbox brought to the branch's head, or a new
 *     sandbox with the branch cloned and the saved session restored at the same paths, or afresh;
 *  3. write the prompts: the new request (and the diff lines it is about, or the failing checks for
 *     `fix ci`), with the whole context when the session cannot be resumed, and the new comment's
 *     images brought into the sandbox;
 *  4. let the agent go on, resuming its session by id (afresh once when it cannot), and read out its change;
 *  5. vet the change;
 *  6. push a new commit on top of the branch's current head, never forced;
 *  7. record the turn in the pull request body (summary, new signed marker) and keep the sandbox and
 *     session for the next turn; the worker's status comment says which turn it was.
 */
export async function followUpTurn(job: Job, target: FollowUpTarget, deps: JobDeps, ci?: CiEvidence): Promise<Outcome> {
  const turn = new Turn(job, deps);
  let release: (() => void) | undefined;
  try {
    const { pr, state } = target;
    if (job.options?.base !== undefined) throw new UserError('`base=` chooses the branch of a new pull request; this one already targets its base. Ask again without it.');
    const agent = await chooseAgent(turn, job.profileNamed === true || state === undefined ? job.profile : state.profile);
    const number = (state?.turns ?? 0) + 1;
    const issue = state?.issue ?? (job.kind === 'run' ? job.number : undefined);
    turn.progress.turn(number);
    // The turn's check run is on the head it starts from, with a Stop button while it runs: made
    // before the status comment, which links it from its first write.
    turn.progress.checkRun(pr.headSha);
    await turn.progress.start();
    // One turn at a time on a pull request, whether it was asked for on the pull request or on its issue.
    release = await deps.lock?.(pullRequestLockKey(job.owner, job.repo, pr.number));
    const ws = await pickUpSandbox(turn, agent, target, issue);
    turn.stopped();
    const prompts = withRequestImages(await followUpPrompts(turn, target, issue, ci), await bringImages(turn, ws, followUpTexts(job)));
    const { run, change, continuation } = await letAgentGoOn(turn, ws, agent, prompts, state?.session);
    const sandboxId = ws.sandbox.id;
    const followUp = { turn: number, resumed: continuation };
    const record = { profile: agent.profile, run, number, issue: issue ?? pr.number, sandboxId };
    const failed = run.ok ? undefined : runFailureMessage(agent.profile, run);
    if (change.bytes === 0) {
      if (failed !== undefined) return { kind: 'agent-failed', profile: agent.profile, run, reason: failed, stats: turn.stats(run), sandboxId };
      // The conversation went on without a change: the turn still counts, and the session is kept.
      await recordTurn(turn, target, { ...record, stats: turn.stats(run) });
      return { kind: 'no-changes', profile: agent.profile, run, stats: turn.stats(run), sandboxId, followUp };
    }
    const vetted = await vetAgentChange(turn, ws, change);
    const pushed = await pushChange(turn, vetted, { profile: agent.profile, to: { branch: pr.headRef, issue: issue ?? pr.number, pull: pr.number } });
    await recordTurn(turn, target, { ...record, ...(failed !== undefined ? { partial: { why: failed } } : {}), stats: turn.stats(run) });
    turn.progress.checkRun(pushed.sha);
    return { ...pullRequestOutcome(turn, { agent, run, url: pr.url, branch: pr.headRef, failed, vetted, via: pushed.via, sandboxId }), followUp };
  } finally {
    await turn.end();
    release?.();
  }
}
