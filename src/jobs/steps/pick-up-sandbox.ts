import { setupTotalMs } from '../../config/repo-settings.js';
import type { PullRequestState } from '../../github/state-marker.js';
import type { PullRequestInfo } from '../../github/pull-request-info.js';
import { sandboxOwner, type Sandbox } from '../../sandbox/provider.js';
import { prepareCheckout } from '../../sandbox/prepare-checkout.js';
import { checkoutInSandbox, cloneInSandbox } from '../../sandbox/repo-in-sandbox.js';
import { writeSessionState } from '../../sessions/sandbox-session.js';
import { sessionKey } from '../../keys.js';
import type { Continuation } from '../job-deps.js';
import type { ChosenAgent } from './choose-agent.js';
import { workdirOf } from './keep-sandbox.js';
import { CLONE_TIMEOUT_MS, sandboxBudgetMs, sandboxMetadata, sandboxProvider, workspace, type Workspace } from './open-sandbox.js';
import type { Turn } from './turn.js';

/** The pull request a follow-up continues, and the state its marker holds (undefined: not the app's, or unreadable). */
export interface FollowUpTarget {
  pr: PullRequestInfo;
  state: PullRequestState | undefined;
}

export interface PickedUp extends Workspace {
  continuation: Continuation;
}

/**
 * A sandbox holding the pull request branch's head, and as much of the agent's conversation as can be
 * had: the last turn's paused sandbox (same agent), brought to the branch's head; else a new sandbox
 * with the branch cloned and the saved session restored at the same paths; else afresh. A new sandbox
 * gets the repository's instructions file and setup steps; a resumed one has them.
 */
export async function pickUpSandbox(turn: Turn, agent: ChosenAgent, target: FollowUpTarget, issue: number | undefined): Promise<PickedUp> {
  const { deps } = turn;
  turn.stopped();
  const token = await deps.github.mintToken('read');
  turn.progress.phase('starting');
  const sameAgent = target.state !== undefined && target.state.profile === agent.profile.name;
  const checkout = { url: deps.github.remoteUrl(), branch: target.pr.headRef, token, timeoutMs: CLONE_TIMEOUT_MS };
  const paused = await resumePaused(turn, target.state, sameAgent);
  if (paused !== undefined) {
    turn.own(paused);
    const baseSha = await checkoutInSandbox(paused, { ...checkout, workdir: workdirOf(paused) });
    return { ...workspace(paused, baseSha), continuation: target.state?.session !== undefined ? 'paused' : 'fresh' };
  }
  const sandbox = turn.own(
    await sandboxProvider(deps).create({
      template: agent.profile.template,
      agent: agent.profile.name,
      envs: agent.env,
      // A new sandbox runs the repository's setup steps too.
      timeoutMs: sandboxBudgetMs(deps.settings.jobTimeoutMs) + setupTotalMs(turn.repo),
      metadata: sandboxMetadata(turn.job, { issue: issue ?? target.pr.number, pull: target.pr.number }),
    }),
  );
  const baseSha = await cloneInSandbox(sandbox, { ...checkout, workdir: workdirOf(sandbox) });
  const continuation = await restoreSession(turn, agent, sandbox, sameAgent ? target : undefined);
  await prepareCheckout(sandbox, {
    workdir: workdirOf(sandbox),
    repo: turn.repo,
    profile: agent.profile,
    redactor: deps.redactor,
    log: deps.log,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  return { ...workspace(sandbox, baseSha), continuation };
}

/** The last turn's paused sandbox, when the same agent goes on and its metadata names this installation and repository. */
async function resumePaused(turn: Turn, state: PullRequestState | undefined, sameAgent: boolean): Promise<Sandbox | undefined> {
  const { deps, job } = turn;
  const provider = sandboxProvider(deps);
  if (state?.sandbox === undefined) return undefined;
  if (!sameAgent) {
    // Another agent takes over: the last one's sandbox is of no more use.
    await provider.kill(state.sandbox, sandboxOwner(job)).catch((err: unknown) => deps.log.warn({ err, sandbox: state.sandbox }, 'could not kill the previous agent sandbox'));
    return undefined;
  }
  return provider.connect(state.sandbox, sandboxOwner(job)).catch((err: unknown) => {
    deps.log.warn({ err, sandbox: state.sandbox }, 'could not resume the paused sandbox; starting a new one');
    return undefined;
  });
}

/**
 * The saved session of the same agent, restored in a new sandbox at the same paths. The session id
 * comes only from a marker this app signed for this installation and repository, and the saved files
 * are keyed by repository and pull request: a forged or copied marker cannot reach another's conversation.
 */
async function restoreSession(turn: Turn, agent: ChosenAgent, sandbox: Sandbox, target: FollowUpTarget | undefined): Promise<Continuation> {
  if (target?.state?.session === undefined) return 'fresh';
  // An agent whose conversation lives on its own service resumes by id alone.
  if (agent.profile.sessionState({ home: sandbox.homeDir, workdir: workdirOf(sandbox) }).length === 0) return 'restored';
  const saved = await turn.deps.sessions?.load(sessionKey(turn.job.owner, turn.job.repo, target.pr.number));
  if (saved === undefined) return 'fresh';
  await writeSessionState(sandbox, saved, `${sandbox.homeDir}/.issuesmith/session.tar.gz`);
  return 'restored';
}
