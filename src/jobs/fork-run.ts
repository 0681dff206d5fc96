import { buildForkPrompt } from '../agents/fork-prompt.js';
import { failureMessage } from '../agents/failure-message.js';
import { UserError } from '../errors.js';
import type { PullRequestInfo } from '../github/pull-request-info.js';
import type { Job } from '../job.js';
import type { JobDeps, Outcome } from './job-deps.js';
import { chooseAgent } from './steps/choose-agent.js';
import { letAgentWork } from './steps/let-agent-work.js';
import { openForkSandbox } from './steps/open-fork-sandbox.js';
import { newPullRequest } from './steps/new-pull-request.js';
import { Turn } from './steps/turn.js';
import { vetAgentChangeOnHost } from './steps/vet-change.js';
import { vetForkCommits, withForkCommits } from './steps/vet-fork-commits.js';

/**
 * A request on a pull request from a fork, which the app cannot push to, once the job is authorized:
 *  1. choose the agent and check its key; `base=` has no place here (the new pull request targets the fork's base);
 *  2. vet the fork's commits on the host, commit by commit, before any sandbox exists: they go into a
 *     branch of this repository with the agent's work, so they pass the same gate (workflows, secrets, limits);
 *  3. open a sandbox on the fork's head, fetched from this repository's `refs/pull/N/head` with a read
 *     token for this repository alone; this repository's settings, instruction files and setup steps;
 *  4. let the agent work on top of the contributor's commits;
 *  5. vet its change, then both together against the repository's limits;
 *  6. push a new branch of this repository: the fork's commits and the agent's commit on top (the fork
 *     is never pushed to), with a write token minted right before;
 *  7. open a pull request against the fork's base that names the original; the status comment on the
 *     original links it. The sandbox and session are kept: follow-ups go on the new pull request.
 */
export async function forkRun(job: Job, fork: PullRequestInfo, deps: JobDeps): Promise<Outcome> {
  const turn = new Turn(job, deps);
  try {
    if (job.options?.base !== undefined) {
      throw new UserError(`\`base=\` has no place on a pull request from a fork: the new pull request goes against its base, \`${fork.baseRef}\`. Ask again without it.`);
    }
    const agent = await chooseAgent(turn, job.profile);
    const commits = await vetForkCommits(turn, fork);
    const ws = await openForkSandbox(turn, agent, fork);
    turn.progress.checkRun(ws.baseSha, { onBase: true });
    const prompt = buildForkPrompt({
      owner: job.owner,
      repo: job.repo,
      number: job.number,
      title: fork.title,
      body: fork.body,
      author: fork.author,
      headRepo: fork.headRepo,
      baseRef: fork.baseRef,
      instructions: job.instructions,
      requester: job.requester.login,
      repositoryInstructions: turn.repo.instructions,
    });
    const { run, change } = await letAgentWork(turn, ws, agent, prompt);
    const sandboxId = ws.sandbox.id;
    const failed = run.ok ? undefined : failureMessage(agent.profile, run.reason ?? 'crash');
    if (change.bytes === 0) {
      if (failed === undefined) return { kind: 'no-changes', profile: agent.profile, run, stats: turn.stats(run), sandboxId };
      return { kind: 'agent-failed', profile: agent.profile, run, reason: failed, stats: turn.stats(run), sandboxId };
    }
    const vetted = await withForkCommits(
      // Host git: the new branch carries the fork's commits, fetched from this repository's refs/pull/N/head.
      await vetAgentChangeOnHost(turn, ws, await change.patch(), "the branch carries the fork's commits"),
      commits,
      turn,
      change.bytes,
    );
    return await newPullRequest(turn, { agent, run, vetted, failed, sandboxId, fork });
  } finally {
    await turn.end();
  }
}
