import { setupTotalMs } from '../../config/repo-settings.js';
import type { PullRequestInfo } from '../../github/pull-request-info.js';
import { prepareCheckout } from '../../sandbox/prepare-checkout.js';
import { fetchPullInSandbox, keepBaseInstructions } from '../../sandbox/pull-in-sandbox.js';
import type { ChosenAgent } from './choose-agent.js';
import { workdirOf } from './keep-sandbox.js';
import { CLONE_TIMEOUT_MS, sandboxBudgetMs, sandboxMetadata, sandboxProvider, workspace, type Workspace } from './open-sandbox.js';
import type { Turn } from './turn.js';

/**
 * A new sandbox for a fork's pull request: its head fetched from the base repository's
 * `refs/pull/N/head` with a read-only token for the base repository alone; the instruction files as
 * the base branch has them; then the base repository's own settings (read from its default branch,
 * never the fork's `.github/issuesmith.yml`): its instructions file and setup steps, which run on the
 * fork's code.
 */
export async function openForkSandbox(turn: Turn, agent: ChosenAgent, fork: PullRequestInfo): Promise<Workspace> {
  const { job, deps, repo } = turn;
  turn.stopped();
  // The token that read the fork's commits on the host, while it is fresh: it covers this repository alone.
  const token = await deps.github.readToken();
  turn.progress.phase('starting');
  const sandbox = turn.own(
    await sandboxProvider(deps).create({
      template: agent.profile.template,
      envs: agent.env,
      timeoutMs: sandboxBudgetMs(deps.settings.jobTimeoutMs) + setupTotalMs(repo),
      metadata: sandboxMetadata(job, { issue: job.number }),
    }),
  );
  turn.stopped();
  turn.progress.phase('cloning');
  const workdir = workdirOf(sandbox);
  const headSha = await fetchPullInSandbox(sandbox, {
    url: deps.github.remoteUrl(),
    pull: fork.number,
    headSha: fork.headSha,
    baseRef: fork.baseRef,
    token,
    workdir,
    timeoutMs: CLONE_TIMEOUT_MS,
  });
  await keepBaseInstructions(sandbox, { workdir, paths: [agent.profile.instructionsFile, ...(repo.instructionsFile !== undefined ? [repo.instructionsFile] : [])] });
  await prepareCheckout(sandbox, { workdir, repo, profile: agent.profile, redactor: deps.redactor, log: deps.log, ...(deps.signal ? { signal: deps.signal } : {}) });
  return workspace(sandbox, headSha);
}
