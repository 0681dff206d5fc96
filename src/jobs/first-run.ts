import { runFailureMessage } from '../agents/failure-message.js';
import { withImages } from '../agents/image-prompt.js';
import { buildPrompt } from '../agents/prompt.js';
import type { Job } from '../job.js';
import type { JobDeps, Outcome } from './job-deps.js';
import { bringImages, firstRunTexts } from './steps/bring-images.js';
import { chooseAgent } from './steps/choose-agent.js';
import { letAgentWork } from './steps/let-agent-work.js';
import { openSandbox } from './steps/open-sandbox.js';
import { startOnBranch } from './steps/start-status.js';
import { newPullRequest } from './steps/new-pull-request.js';
import { Turn } from './steps/turn.js';
import { vetAgentChange } from './steps/vet-change.js';

/**
 * A first run on an issue, once the job is authorized:
 *  1. choose the agent and check its key and the request's options (model=, base=), before any sandbox
 *     exists; then the status starts: the check run on the base branch's head, the comment linking it;
 *  2. open a sandbox: a read-only token for this repository alone, the base branch cloned, the
 *     repository's instructions file and setup steps; the job's check run (its transcript) is on the
 *     commit the agent works from (moved, should the branch have moved since), as no pull request exists yet;
 *  3. let the agent work: the request's images (the issue's and the asking comment's, on GitHub's own
 *     hosts) brought into the sandbox beside the prompt, outside the work tree (one that cannot be had
 *     is a note, not a failure); the prompt with their paths in a file, the agent run with a hard time
 *     limit, its change read out as a binary patch (capped in the sandbox before it is read);
 *  4. vet the change on git's own view of it (size, limits, workflows, submodules, symlinks, secrets);
 *  5. push it as one commit on a new branch, with a write token minted right before;
 *  6. open the draft pull request with the signed state;
 *  7. keep the sandbox paused and the agent's session saved for a follow-up.
 * The status follows each step; a stopped job throws JobStopped before anything is pushed. The
 * sandbox is ended (or kept) and every token revoked on every path.
 */
export async function firstRun(job: Job, deps: JobDeps): Promise<Outcome> {
  const turn = new Turn(job, deps);
  try {
    const agent = await chooseAgent(turn, job.profile);
    await startOnBranch(turn, agent.request.base);
    const ws = await openSandbox(turn, agent);
    turn.progress.checkRun(ws.baseSha, { onBase: true });
    const images = await bringImages(turn, ws, firstRunTexts(job));
    const { run, change } = await letAgentWork(
      turn,
      ws,
      agent,
      withImages(buildPrompt({ ...job, title: job.issue.title, body: job.issue.body, requester: job.requester.login, repositoryInstructions: turn.repo.instructions }), images),
    );
    const sandboxId = ws.sandbox.id;
    const failed = run.ok ? undefined : runFailureMessage(agent.profile, run);
    if (change.bytes === 0) {
      if (failed === undefined) return { kind: 'no-changes', profile: agent.profile, run, stats: turn.stats(run), sandboxId };
      return { kind: 'agent-failed', profile: agent.profile, run, reason: failed, stats: turn.stats(run), sandboxId };
    }
    return await newPullRequest(turn, { agent, run, vetted: await vetAgentChange(turn, ws, change), failed, sandboxId });
  } finally {
    await turn.end();
  }
}
