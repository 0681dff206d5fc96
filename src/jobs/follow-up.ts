import { authorize } from '../access/authorize.js';
import { failureMessage } from '../agents/failure-message.js';
import { buildFollowUpPrompt, buildFreshFollowUpPrompt, repositoryInstructionParts, type DiffNote } from '../agents/prompt.js';
import { repoSettings } from '../config/repo-settings.js';
import { prepareCheckout } from '../sandbox/prepare-checkout.js';
import { requestOptions } from './request-options.js';
import type { AgentProfile } from '../agents/profile.js';
import { UserError } from '../errors.js';
import type { PullRequestInfo } from '../github/pull-request-info.js';
import { readStateMarker, renderStateMarker, type PullRequestState } from '../github/state-marker.js';
import { pushOntoBranch, type PushedCommit } from '../git/push-patch.js';
import type { JobStats } from '../report/job-stats.js';
import * as messages from '../report/messages.js';
import { sandboxOwner, type Sandbox } from '../sandbox/provider.js';
import { checkoutInSandbox, cloneInSandbox } from '../sandbox/repo-in-sandbox.js';
import { readSessionState, writeSessionState } from '../sessions/sandbox-session.js';
import { sessionKey } from '../keys.js';
import type { Job } from './job.js';
import { vetChange } from './vet-change.js';
import { silentProgress } from './progress.js';
import { throwIfStopped } from './stopped.js';
import {
  chooseProfile,
  cleanUp,
  CLONE_TIMEOUT_MS,
  commitMessage,
  readPatch,
  sandboxBudgetMs,
  stateSeal,
  statsOf,
  type Outcome,
  type PipelineDeps,
} from './pipeline.js';
import { runAgent, type AgentRun } from './run-agent.js';

/** The pull request a job continues, and the state its marker holds (undefined: not the app's, or unreadable). */
export interface FollowUpTarget {
  pr: PullRequestInfo;
  state: PullRequestState | undefined;
}

/** How the agent picked up the conversation: its paused sandbox, its saved session in a new one, or afresh. */
export type Continuation = 'paused' | 'restored' | 'fresh';

/**
 * Which pull request a job continues: the one a follow-up was typed on, or, for `/agent` on an issue,
 * the app's open pull request whose marker names that issue. Undefined: a fresh run on the issue.
 */
export async function findFollowUp(job: Job, deps: PipelineDeps): Promise<FollowUpTarget | undefined> {
  if (job.kind === 'continue' && job.pull !== undefined) {
    const pr = await deps.github.pullRequest(job.pull.number);
    if (!pr.sameRepository) throw new UserError(forkMessage(job.requester.login));
    if (!pr.open) throw new UserError(`Pull request #${pr.number} is closed, so the agent cannot push to it. Reopen it, or ask on the issue for a new pull request.`);
    return { pr, state: await stateOf(pr, job, deps) };
  }
  if (job.kind !== 'run' || job.trigger.type !== 'comment') return undefined;
  const prefix = (deps.repo ?? repoSettings({}, deps.settings)).pullRequest.branchPrefix;
  for (const pr of await deps.github.openAppPullRequests(prefix)) {
    const state = await stateOf(pr, job, deps);
    if (state?.issue === job.number) return { pr, state };
  }
  return undefined;
}

/**
 * One follow-up turn on a pull request:
 *  1. choose the agent: the one named, else the pull request's own;
 *  2. mint a read-only token for the sandbox's git;
 *  3. pick the conversation up: the last turn's paused sandbox, brought to the branch's head; or a new
 *     sandbox with the branch cloned and the saved session restored at the same paths; or afresh;
 *  4. write the prompt: the new request (and the diff lines it is about), with the whole context when
 *     the session could not be resumed;
 *  5. run the agent, resuming its session by id; a resume that fails without a change runs afresh once;
 *  6. collect its changes and refuse secrets;
 *  7. on the host: a new commit on top of the branch's current head, pushed without force;
 *  8. rewrite the pull request body (the turn's summary, the new marker); the worker's status comment
 *     says which turn it was;
 *  9. keep the sandbox paused and the session saved for the next turn.
 */
export async function continuePullRequest(job: Job, target: FollowUpTarget, deps: PipelineDeps): Promise<Outcome> {
  // One turn at a time on a pull request, whether it was asked for on the pull request or on its issue.
  const release = await deps.lock?.(pullRequestLockKey(job.owner, job.repo, target.pr.number));
  try {
    return await takeTurn(job, target, deps);
  } finally {
    release?.();
  }
}

export function pullRequestLockKey(owner: string, repo: string, pull: number): string {
  return `${owner}/${repo}#pull/${pull}`.toLowerCase();
}

async function takeTurn(job: Job, target: FollowUpTarget, deps: PipelineDeps): Promise<Outcome> {
  const now = deps.now ?? Date.now;
  const started = now();
  const { github, settings } = deps;
  const progress = deps.progress ?? silentProgress;
  const stopped = (): void => throwIfStopped(deps.signal, deps.stoppedBy);
  const { pr, state } = target;
  const { profile, env } = chooseProfile({ ...job, profile: job.profileNamed === true || state === undefined ? job.profile : state.profile }, deps);
  const sameAgent = state !== undefined && state.profile === profile.name;
  const turn = (state?.turns ?? 0) + 1;
  const key = sessionKey(job.owner, job.repo, pr.number);
  const issue = state?.issue ?? (job.kind === 'run' ? job.number : undefined);
  const repo = deps.repo ?? repoSettings({}, settings);
  if (job.options?.base !== undefined) {
    throw new UserError(`\`base=\` chooses the branch of a new pull request; this one already targets its base. Ask again without it.`);
  }
  const request = await requestOptions(job, profile, repo, (b) => github.branchExists(b));
  progress.agent(profile.displayName, ...(request.model !== undefined ? [request.model] : []));
  progress.turn(turn);
  // The turn's check run is on the head it starts from, with a Stop button while it runs.
  progress.checkRun(pr.headSha);

  let sandbox: Sandbox | undefined;
  let keep = false;
  try {
    stopped();
    const readToken = await github.mintToken('read');
    progress.phase('starting');
    const picked = await pickUp({ job, target, profile, env, sameAgent, issue, readToken, key }, deps);
    sandbox = picked.sandbox;
    const sandboxId = sandbox.id;
    progress.sandbox(sandboxId);
    const { workdir, baseSha } = picked;
    let continuation = picked.continuation;
    // A new sandbox gets the repository's instructions file and setup steps; a resumed one has them.
    if (!picked.reused) await prepareCheckout(sandbox, { workdir, repo, profile, redactor: deps.redactor, log: deps.log, ...(deps.signal ? { signal: deps.signal } : {}) });
    stopped();

    const notes = await diffNotes(job, pr.number, deps);
    const promptFile = `${sandbox.homeDir}/.issuesmith/prompt.md`;
    const turnRequest = { owner: job.owner, repo: job.repo, pull: pr.number, branch: pr.headRef, instructions: job.instructions, requester: job.requester.login, notes };
    const withRepositoryInstructions = (prompt: string): string => [...repositoryInstructionParts(repo.instructions), prompt].join('\n');
    // The session (an Amp thread, a Claude Code session) is resumed by an id read only from a marker
    // this app signed for this installation and repository (the id the agent reported on an earlier
    // turn here), and the saved session files are keyed by repository and pull request: a forged or
    // copied marker cannot point a turn at another repository's conversation.
    const resume = continuation === 'fresh' ? undefined : state?.session;
    const freshPrompt = async (): Promise<string> => withRepositoryInstructions(buildFreshFollowUpPrompt({ ...turnRequest, ...(await context(job, target, issue, deps)) }));
    await sandbox.writeFile(promptFile, resume !== undefined ? withRepositoryInstructions(buildFollowUpPrompt(turnRequest)) : await freshPrompt());
    const agent = (resumeId: string | undefined): Promise<AgentRun> =>
      runAgent({
        sandbox: sandbox as Sandbox,
        profile,
        command: profile.command({ promptFile, workdir, timeoutMs: settings.jobTimeoutMs, ...(resumeId !== undefined ? { resume: resumeId } : {}), ...(request.model !== undefined ? { model: request.model } : {}) }),
        timeoutMs: settings.jobTimeoutMs,
        ...(deps.signal ? { signal: deps.signal } : {}),
        onEvent: (e) => progress.event(e),
      });
    progress.phase('working');
    let run = await agent(resume);
    stopped();
    const patchFile = `${sandbox.homeDir}/.issuesmith/changes.patch`;
    let patch = await readPatch(sandbox, { workdir, baseSha, patchFile }, repo, settings);
    if (resume !== undefined && !run.ok && run.reason === 'crash' && patch.byteLength === 0) {
      // The agent could not pick its session up (its state is missing or unreadable): start it afresh.
      deps.log.warn({ pull: pr.number, session: resume, continuation, output: deps.redactor.redact(run.outputTail) }, 'the agent could not resume its session; running it afresh');
      continuation = 'fresh';
      await sandbox.writeFile(promptFile, await freshPrompt());
      run = await agent(undefined);
      stopped();
      patch = await readPatch(sandbox, { workdir, baseSha, patchFile }, repo, settings);
    }
    const stats = (): JobStats => statsOf(run, now() - started);
    const followUp = { turn, resumed: continuation };
    const ours = state !== undefined;
    const newBody = (partial?: { why: string }): string =>
      messages.pullRequestBodyWithTurn(pr.body, {
        turn,
        agent: profile.displayName,
        requester: job.requester.login,
        summary: run.summary,
        ...(partial ? { partial } : {}),
        stats: stats(),
        stateMarker: renderStateMarker(
          {
            v: 1,
            repo: `${job.owner}/${job.repo}`,
            issue: issue ?? pr.number,
            profile: profile.name,
            branch: pr.headRef,
            ...(run.sessionId !== undefined ? { session: run.sessionId } : {}),
            sandbox: sandboxId,
            turns: turn,
          },
          stateSeal(job, settings),
        ),
      });

    if (patch.byteLength === 0) {
      if (!run.ok) return { kind: 'agent-failed', profile, run, reason: failureMessage(profile, run.reason ?? 'crash'), stats: stats(), sandboxId };
      // The conversation went on without a change: the turn still counts, and the session is kept.
      if (ours) {
        await github.updatePullRequestBody(pr.number, newBody());
        keep = true;
      }
      return { kind: 'no-changes', profile, run, stats: stats(), sandboxId, followUp };
    }
    stopped();
    const vetted = await vetChange({ remoteUrl: github.remoteUrl(), readToken: await github.readToken(), baseSha, patch, repo, settings, redactor: deps.redactor });
    const partial = run.ok ? undefined : { why: failureMessage(profile, run.reason ?? 'crash') };
    let pushed: PushedCommit;
    try {
      const author = await github.botIdentity();
      stopped();
      progress.phase('pushing');
      const writeToken = await github.mintToken('write', { workflows: vetted.touchesWorkflows });
      pushed = await pushOntoBranch(vetted.staged, {
        remoteUrl: github.remoteUrl(),
        token: writeToken,
        branch: pr.headRef,
        message: deps.redactor.redact(commitMessage({ ...job, number: issue ?? pr.number }, profile, author.email.split('@')[1] ?? 'users.noreply.github.com')),
        author,
      });
    } finally {
      await vetted.staged.dispose();
    }
    if (pushed.movedOn || pushed.retried) deps.log.info({ pull: pr.number, movedOn: pushed.movedOn, retried: pushed.retried }, 'the branch had moved on: the commit went on top of its new head');
    if (ours) {
      await github.updatePullRequestBody(pr.number, newBody(partial));
      keep = true;
    }
    progress.checkRun(pushed.sha);
    return {
      kind: 'pull-request',
      profile,
      url: pr.url,
      branch: pr.headRef,
      ...(partial ? { partial: partial.why } : {}),
      run,
      files: vetted.files,
      stats: stats(),
      sandboxId,
      followUp,
    };
  } finally {
    if (sandbox !== undefined && keep) sandbox = await keepForFollowUp(sandbox, profile, { job, pull: pr.number, workdir: `${sandbox.homeDir}/repo` }, deps);
    await cleanUp(sandbox, deps);
  }
}

/**
 * Keeps a finished turn's sandbox for the next one: the agent's session files go to the session store
 * (for when the sandbox is gone by then), and the sandbox is paused. Returns the sandbox when it
 * could not be paused and must be killed, undefined when it is kept.
 */
export async function keepForFollowUp(
  sandbox: Sandbox,
  profile: AgentProfile,
  o: { job: Job; pull: number; workdir: string },
  deps: PipelineDeps,
): Promise<Sandbox | undefined> {
  const paths = profile.sessionState({ home: sandbox.homeDir, workdir: o.workdir });
  if (deps.sessions !== undefined && paths.length > 0) {
    try {
      const data = await readSessionState(sandbox, paths, `${sandbox.homeDir}/.issuesmith/session.tar.gz`);
      if (data !== undefined) await deps.sessions.save(sessionKey(o.job.owner, o.job.repo, o.pull), data);
      else deps.log.warn({ pull: o.pull, profile: profile.name }, 'the agent left no session files to save');
    } catch (err) {
      deps.log.warn({ err, pull: o.pull }, 'could not save the agent session');
    }
  }
  try {
    await sandbox.pause();
    return undefined;
  } catch (err) {
    deps.log.warn({ err, sandbox: sandbox.id }, 'could not pause the sandbox; killing it');
    return sandbox;
  }
}

/** A closed pull request: its paused sandbox is killed and its saved session deleted. Nothing is posted. */
export async function cleanUpPullRequest(job: Job, deps: PipelineDeps): Promise<Outcome> {
  const pull = job.pull?.number ?? job.number;
  const sandboxId = job.pull?.sandbox;
  if (sandboxId !== undefined && deps.sandboxes !== undefined) {
    // The id came from the pull request's marker; the provider kills it only if its own metadata names this installation and repository.
    await deps.sandboxes.kill(sandboxId, sandboxOwner(job)).catch((err: unknown) => deps.log.warn({ err, sandbox: sandboxId }, 'could not kill the paused sandbox'));
  }
  await deps.sessions?.delete(sessionKey(job.owner, job.repo, pull));
  deps.log.info({ pull, sandbox: sandboxId ?? null }, 'pull request closed: its sandbox and session are gone');
  return { kind: 'cleaned' };
}

interface PickUpInput {
  job: Job;
  target: FollowUpTarget;
  profile: AgentProfile;
  env: Record<string, string>;
  sameAgent: boolean;
  issue: number | undefined;
  readToken: string;
  key: string;
}

/** Step 3: a sandbox holding the branch's head, and how much of the agent's conversation it has. */
async function pickUp(o: PickUpInput, deps: PipelineDeps): Promise<{ sandbox: Sandbox; workdir: string; baseSha: string; continuation: Continuation; reused: boolean }> {
  const { pr, state } = o.target;
  const provider = deps.sandboxes;
  if (provider === undefined) {
    throw new UserError('The app has no sandbox to run agents in. Its operator needs to set `E2B_API_KEY` (or `ISSUESMITH_SANDBOX=local` for development).');
  }
  const checkout = { url: deps.github.remoteUrl(), branch: pr.headRef, token: o.readToken, timeoutMs: CLONE_TIMEOUT_MS };
  if (state?.sandbox !== undefined && o.sameAgent) {
    const paused = await provider.connect(state.sandbox, sandboxOwner(o.job)).catch((err: unknown) => {
      deps.log.warn({ err, sandbox: state.sandbox }, 'could not resume the paused sandbox; starting a new one');
      return undefined;
    });
    if (paused !== undefined) {
      const workdir = `${paused.homeDir}/repo`;
      try {
        const baseSha = await checkoutInSandbox(paused, { ...checkout, workdir });
        return { sandbox: paused, workdir, baseSha, continuation: state.session !== undefined ? 'paused' : 'fresh', reused: true };
      } catch (err) {
        await paused.kill().catch(() => undefined);
        throw err;
      }
    }
  } else if (state?.sandbox !== undefined) {
    // Another agent takes over: the last one's sandbox is of no more use.
    await provider.kill(state.sandbox, sandboxOwner(o.job)).catch((err: unknown) => deps.log.warn({ err, sandbox: state.sandbox }, 'could not kill the previous agent sandbox'));
  }
  const sandbox = await provider.create({
    template: o.profile.template,
    envs: o.env,
    timeoutMs: sandboxBudgetMs(deps.settings.jobTimeoutMs),
    metadata: {
      app: 'issuesmith',
      installation: String(o.job.installationId),
      repo: `${o.job.owner}/${o.job.repo}`,
      issue: String(o.issue ?? pr.number),
      pull: String(pr.number),
      job: o.job.deliveryId,
    },
  });
  try {
    const workdir = `${sandbox.homeDir}/repo`;
    const baseSha = await cloneInSandbox(sandbox, { ...checkout, workdir });
    if (!o.sameAgent || state?.session === undefined) return { sandbox, workdir, baseSha, continuation: 'fresh', reused: false };
    if (o.profile.sessionState({ home: sandbox.homeDir, workdir }).length === 0) return { sandbox, workdir, baseSha, continuation: 'restored', reused: false };
    const saved = await deps.sessions?.load(o.key);
    if (saved === undefined) return { sandbox, workdir, baseSha, continuation: 'fresh', reused: false };
    await writeSessionState(sandbox, saved, `${sandbox.homeDir}/.issuesmith/session.tar.gz`);
    return { sandbox, workdir, baseSha, continuation: 'restored', reused: false };
  } catch (err) {
    await sandbox.kill().catch(() => undefined);
    throw err;
  }
}

/** The lines of the diff a follow-up is about: the review comment's own, or a review's line comments. */
async function diffNotes(job: Job, pull: number, deps: PipelineDeps): Promise<DiffNote[]> {
  const t = job.trigger;
  if (t.type === 'review-comment') return [{ path: t.path, line: t.line, diffHunk: t.diffHunk, body: '', login: job.requester.login }];
  if (t.type !== 'review') return [];
  const comments = await deps.github.reviewComments(pull, t.reviewId);
  return comments.map((c) => ({ path: c.path, line: c.line, diffHunk: c.diffHunk, body: c.body, login: c.login }));
}

/**
 * What a fresh session needs to know: the issue, the pull request, the earlier `/agent` requests of
 * people who may start work here (access/authorize, with the repository's `permission` and
 * `allowed_users`: anyone else could steer the agent), oldest first, and the files changed so far.
 */
async function context(job: Job, target: FollowUpTarget, issue: number | undefined, deps: PipelineDeps) {
  const { github } = deps;
  const { pr } = target;
  const issueText = issue !== undefined && issue !== pr.number ? { number: issue, ...(await github.issue(issue)) } : undefined;
  const threads = [pr.number, ...(issueText !== undefined ? [issueText.number] : [])];
  const all = (await Promise.all(threads.map((n) => github.conversation(n)))).flat();
  const command = deps.settings.command.toLowerCase();
  const current = job.trigger.type === 'comment' ? job.trigger.commentId : undefined;
  const requests = all
    .filter((c) => c.id !== current && c.userType !== 'Bot' && c.body.trimStart().toLowerCase().startsWith(command))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const rules = { permission: deps.settings.permission, allowedUsers: deps.repo?.allowedUsers };
  const allowed = new Map<string, boolean>();
  for (const login of new Set(requests.map((c) => c.login))) {
    const decision = await authorize({ login }, rules, (l) => github.permissionOf(l));
    if (!decision.allowed && decision.reason === 'permission-lookup-failed') deps.log.warn({ login }, "an earlier request is left out: GitHub could not say what role its author has");
    allowed.set(login, decision.allowed);
  }
  const earlier = requests.filter((c) => allowed.get(c.login) === true).map((c) => ({ login: c.login, text: c.body.trimStart().slice(command.length) }));
  return {
    ...(issueText !== undefined ? { issue: issueText } : {}),
    pullTitle: pr.title,
    pullBody: pr.body,
    earlier,
    files: await github.pullRequestFiles(pr.number),
  };
}

/** The marker of a pull request, when the app signed it, opened the pull request and it names this repository; otherwise undefined, with a log line. */
async function stateOf(pr: PullRequestInfo, job: Job, deps: PipelineDeps): Promise<PullRequestState | undefined> {
  // Only a marker this app signed for this installation and repository counts, the last one in the body.
  const read = readStateMarker(pr.body, stateSeal(job, deps.settings));
  if (read.kind === 'none') return undefined;
  if (read.kind === 'invalid') {
    deps.log.info({ pull: pr.number, reason: read.reason }, 'ignoring the pull request state marker');
    return undefined;
  }
  const { state } = read;
  if (state.repo.toLowerCase() !== `${job.owner}/${job.repo}`.toLowerCase()) {
    deps.log.info({ pull: pr.number, names: state.repo }, 'ignoring a state marker that names another repository');
    return undefined;
  }
  // A marker is only trusted on the app's own pull request: anyone could paste one into theirs.
  const bot = await deps.github.botIdentity();
  if (pr.author.toLowerCase() !== bot.name.toLowerCase() || state.branch !== pr.headRef) {
    deps.log.info({ pull: pr.number, author: pr.author }, 'ignoring a state marker on a pull request the app did not open');
    return undefined;
  }
  return state;
}

function forkMessage(login: string): string {
  return `Sorry @${login}, this pull request comes from a fork, and the app can only push to branches of this repository. Open an issue (or a pull request from a branch here) and ask there.`;
}
