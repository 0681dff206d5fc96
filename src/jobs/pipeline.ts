import { authorize, type RefusalReason } from '../access/authorize.js';
import type { RefusalLimiter } from '../access/refusal-limiter.js';
import { failureMessage, missingKeyMessage } from '../agents/failure-message.js';
import { buildPrompt } from '../agents/prompt.js';
import type { AgentProfile } from '../agents/profile.js';
import type { ProfileRegistry } from '../agents/registry.js';
import { repoSettings, type RepoSettings } from '../config/repo-settings.js';
import type { Settings } from '../config/settings.js';
import { UserError } from '../errors.js';
import type { JobGitHub } from '../github/job-github.js';
import { renderStateMarker, type StateSeal } from '../github/state-marker.js';
import { pushNewBranch } from '../git/push-patch.js';
import type { JobStats } from '../report/job-stats.js';
import * as messages from '../report/messages.js';
import type { FileChange } from '../report/file-change.js';
import type { Redactor } from '../security/redact.js';
import type { Sandbox, SandboxProvider } from '../sandbox/provider.js';
import { prepareCheckout } from '../sandbox/prepare-checkout.js';
import { cloneInSandbox, collectPatch, PatchTooLargeError } from '../sandbox/repo-in-sandbox.js';
import { sandboxProviders } from '../sandbox/registry.js';
import type { SessionStore } from '../sessions/session-store.js';
import { cleanUpPullRequest, continuePullRequest, findFollowUp, keepForFollowUp, type Continuation } from './follow-up.js';
import type { Job } from './job.js';
import { requestOptions } from './request-options.js';
import { silentProgress, type Progress } from './progress.js';
import { answerRefusal } from './refuse.js';
import { runAgent, type AgentRun } from './run-agent.js';
import { isInterrupted } from './interrupted.js';
import { throwIfStopped } from './stopped.js';
import { patchCap, patchTooLarge, vetChange } from './vet-change.js';

export interface PipelineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface PipelineDeps {
  github: JobGitHub;
  sandboxes: SandboxProvider | undefined;
  profiles: ProfileRegistry;
  settings: Settings;
  /** The repository's settings (.github/issuesmith.yml); the app's defaults when absent. */
  repo?: RepoSettings;
  redactor: Redactor;
  log: PipelineLogger;
  now?: () => number;
  /** Aborted when the job is stopped; `stoppedBy` then says by whom (undefined: a shutdown). */
  signal?: AbortSignal;
  stoppedBy?: () => string | undefined;
  /**
   * Holds `key` for this job alone, across every worker, until the returned release is called; a job
   * stopped while it waits throws JobStopped. Follow-ups take their pull request's key, since one typed
   * on the issue and one typed on the pull request are queued under different keys.
   */
  lock?: (key: string) => Promise<() => void>;
  /** The status comment and check run, or nothing. */
  progress?: Progress;
  /** Where agents' sessions wait between turns; without one, a lost sandbox means a fresh session. */
  sessions?: SessionStore;
  /** Refusal replies, at most one per person and installation in a while; without one, every refusal is answered. */
  refusals?: RefusalLimiter;
}

/** How a job ended; the worker turns it into the status comment's final state. */
export type Outcome =
  | { kind: 'refused'; reason: RefusalReason }
  | { kind: 'help' }
  | { kind: 'cleaned' }
  | { kind: 'no-changes'; profile: AgentProfile; run: AgentRun; stats: JobStats; sandboxId: string; followUp?: FollowUpInfo }
  | { kind: 'agent-failed'; profile: AgentProfile; run: AgentRun; reason: string; stats: JobStats; sandboxId: string }
  | {
      kind: 'pull-request';
      profile: AgentProfile;
      url: string;
      branch: string;
      /** Why the work is incomplete, when it is. */
      partial?: string;
      run: AgentRun;
      files: FileChange[];
      stats: JobStats;
      sandboxId: string;
      /** A follow-up's new commit on an existing pull request. */
      followUp?: FollowUpInfo;
    };

/** A follow-up turn: which one, and how the agent picked the conversation up. */
export interface FollowUpInfo {
  turn: number;
  resumed: Continuation;
}

export const CLONE_TIMEOUT_MS = 5 * 60_000;

/** How long a job's sandbox may live: the agent's limit plus time to clone and collect. */
export function sandboxBudgetMs(jobTimeoutMs: number): number {
  return jobTimeoutMs + 2 * CLONE_TIMEOUT_MS;
}

/**
 * One job, end to end:
 *  1. authorize: the person who asked has the required role, or gets one polite reply;
 *  2. acknowledge with 👀 on the comment (or the issue, for a label);
 *  3. choose the profile and check its key, before any sandbox exists,
 *     and the request's options (model=, base=) against the repository's settings;
 *  4. mint a read-only token for this repository alone, for the sandbox's clone;
 *  5. create the sandbox;
 *  6. clone the base branch (the default branch unless base=) into it,
 *     then the repository's instructions file and setup commands;
 *  7. write the prompt to a file there;
 *  8. run the agent on it, with a hard time limit;
 *  9. collect its changes as a binary patch;
 *     and refuse it when it would commit a secret or a token, or break the repository's limits;
 * 10. on the host: branch, apply, commit and push with a write token;
 * 11. open the draft pull request;
 * 12. keep the sandbox paused and the agent's session saved for a follow-up.
 * Follow-ups (a comment on the pull request, or on an issue that has one) go to `follow-up.ts` after
 * step 2; a closed pull request's cleanup needs no authorization and reports nothing.
 * The status comment follows each step (`deps.progress`); the worker writes its final state from the
 * outcome. A stopped job throws JobStopped before anything is pushed. The sandbox is killed and every
 * token revoked on every path.
 */
export async function runPipeline(job: Job, deps: PipelineDeps): Promise<Outcome> {
  const now = deps.now ?? Date.now;
  const started = now();
  const { github, settings } = deps;
  const repo = deps.repo ?? repoSettings({}, settings);
  const progress = deps.progress ?? silentProgress;
  const stopped = (): void => throwIfStopped(deps.signal, deps.stoppedBy);
  if (job.kind === 'cleanup') return cleanUpPullRequest(job, deps);

  const refused = await authorizeJob(job, deps);
  if (refused !== undefined) return { kind: 'refused', reason: refused };
  await github.react('eyes');
  if (job.kind === 'help') return answerHelp(deps);
  await progress.start();
  const followUp = await findFollowUp(job, deps);
  if (followUp !== undefined) return continuePullRequest(job, followUp, deps);
  const { profile, env } = chooseProfile(job, deps);
  const request = await requestOptions(job, profile, repo, (b) => github.branchExists(b));
  progress.agent(profile.displayName, ...(request.model !== undefined ? [request.model] : []));

  let sandbox: Sandbox | undefined;
  let keep: { pull: number; workdir: string } | undefined;
  try {
    stopped();
    const readToken = await github.mintToken('read');
    progress.phase('starting');
    sandbox = await createSandbox(job, profile, env, deps);
    const sandboxId = sandbox.id;
    progress.sandbox(sandboxId);
    stopped();
    progress.phase('cloning');
    const workdir = `${sandbox.homeDir}/repo`;
    const baseSha = await cloneInSandbox(sandbox, { url: github.remoteUrl(), branch: request.base, token: readToken, workdir, timeoutMs: CLONE_TIMEOUT_MS });
    await prepareCheckout(sandbox, { workdir, repo, profile, redactor: deps.redactor, log: deps.log, ...(deps.signal ? { signal: deps.signal } : {}) });
    const promptFile = `${sandbox.homeDir}/.issuesmith/prompt.md`;
    await sandbox.writeFile(promptFile, buildPrompt({ ...job, title: job.issue.title, body: job.issue.body, requester: job.requester.login, repositoryInstructions: repo.instructions }));
    stopped();
    progress.phase('working');
    const run = await runAgent({
      sandbox,
      profile,
      command: profile.command({ promptFile, workdir, timeoutMs: settings.jobTimeoutMs, ...(request.model !== undefined ? { model: request.model } : {}) }),
      timeoutMs: settings.jobTimeoutMs,
      ...(deps.signal ? { signal: deps.signal } : {}),
      onEvent: (e) => progress.event(e),
    });
    // A stopped agent's work is dropped: nothing is pushed.
    stopped();
    const patch = await readPatch(sandbox, { workdir, baseSha, patchFile: `${sandbox.homeDir}/.issuesmith/changes.patch` }, repo, settings);
    const stats = (): JobStats => statsOf(run, now() - started);

    if (patch.byteLength === 0) {
      if (run.ok) return { kind: 'no-changes', profile, run, stats: stats(), sandboxId };
      return { kind: 'agent-failed', profile, run, reason: failureMessage(profile, run.reason ?? 'crash'), stats: stats(), sandboxId };
    }
    stopped();
    const vetted = await vetChange({ remoteUrl: github.remoteUrl(), readToken: await github.readToken(), baseSha, patch, repo, settings, redactor: deps.redactor });
    let pushed: { branch: string; sha: string };
    const partial = run.ok ? undefined : { why: failureMessage(profile, run.reason ?? 'crash') };
    try {
      const author = await github.botIdentity();
      // Minted right before the push: installation tokens live one hour, agents may run longer.
      stopped();
      progress.phase('pushing');
      const writeToken = await github.mintToken('write', { workflows: vetted.touchesWorkflows });
      pushed = await pushNewBranch(vetted.staged, {
        remoteUrl: github.remoteUrl(),
        token: writeToken,
        number: job.number,
        title: job.issue.title,
        message: deps.redactor.redact(commitMessage(job, profile, author.email.split('@')[1] ?? 'users.noreply.github.com')),
        author,
        branchPrefix: repo.pullRequest.branchPrefix,
      });
    } finally {
      await vetted.staged.dispose();
    }
    progress.phase('opening-pr');
    const pr = await github
      .openPullRequest({
        branch: pushed.branch,
        title: job.issue.title.trim() === '' ? `Work on #${job.number}` : job.issue.title.trim(),
        draft: settings.draftPullRequests || partial !== undefined,
        base: request.base,
        body: messages.pullRequestBody({
          number: job.number,
          agent: profile.displayName,
          summary: run.summary,
          requester: job.requester.login,
          ...(partial ? { partial } : {}),
          stats: stats(),
          stateMarker: renderStateMarker(
            {
              v: 1,
              repo: `${job.owner}/${job.repo}`,
              issue: job.number,
              profile: profile.name,
              branch: pushed.branch,
              ...(run.sessionId ? { session: run.sessionId } : {}),
              sandbox: sandboxId,
              turns: 1,
            },
            stateSeal(job, settings),
          ),
        }),
      })
      // A branch without its pull request is half-made work: take it back down.
      .catch(async (err: unknown) => {
        await github.deleteBranch(pushed.branch).catch((e: unknown) => deps.log.warn({ err: e }, 'could not delete the branch'));
        throw err;
      });
    await github.decoratePullRequest(pr.number, repo.pullRequest).catch((err: unknown) => deps.log.warn({ err }, 'could not add the labels or reviewers'));
    keep = { pull: pr.number, workdir };
    // The check run belongs to the pull request's head, which exists only now.
    progress.checkRun(pushed.sha);
    return {
      kind: 'pull-request',
      profile,
      url: pr.url,
      branch: pushed.branch,
      ...(partial ? { partial: partial.why } : {}),
      run,
      files: vetted.files,
      stats: stats(),
      sandboxId,
    };
  } finally {
    if (sandbox !== undefined && keep !== undefined) sandbox = await keepForFollowUp(sandbox, profile, { job, ...keep }, deps);
    await cleanUp(sandbox, deps);
  }
}

/** The agent's patch read out of its sandbox, at most the repository's (or the app's) cap; a UserError when larger. */
export async function readPatch(sandbox: Sandbox, o: { workdir: string; baseSha: string; patchFile: string }, repo: RepoSettings, settings: Settings): Promise<Uint8Array> {
  try {
    return await collectPatch(sandbox, { ...o, maxBytes: patchCap(repo, settings) });
  } catch (err) {
    if (err instanceof PatchTooLargeError) throw patchTooLarge(err, repo, settings);
    throw err;
  }
}

/** Step 1: who asked may start work here (access/authorize), or gets one polite reply; undefined when allowed. */
async function authorizeJob(job: Job, deps: PipelineDeps): Promise<RefusalReason | undefined> {
  const rules = { permission: deps.settings.permission, allowedUsers: deps.repo?.allowedUsers };
  const decision = await authorize(job.requester, rules, (login) => deps.github.permissionOf(login));
  if (decision.allowed) return undefined;
  const reply = async (body: string): Promise<void> => void (await deps.github.comment(body));
  await answerRefusal(decision, { installationId: job.installationId, login: job.requester.login, required: rules.permission, action: 'start', reply }, { limiter: deps.refusals, log: deps.log });
  return decision.reason;
}

async function answerHelp(deps: PipelineDeps): Promise<Outcome> {
  const { settings, profiles } = deps;
  // Only agents that can run here: those whose key the app has.
  const ready = profiles.all().filter((p) => p.secrets.required.length === 0 || p.secrets.required.some((name) => (settings.env[name] ?? '') !== ''));
  await deps.github.comment(
    messages.helpComment({ command: settings.command, labelPrefix: settings.labelPrefix, profiles: ready.map((p) => p.name), defaultProfile: settings.defaultAgent }),
  );
  return { kind: 'help' };
}

/** The profile asked for and the variables it takes from the app's environment; a UserError when either is missing. */
export function chooseProfile(job: Job, deps: PipelineDeps): { profile: AgentProfile; env: Record<string, string> } {
  const profile = deps.profiles.require(job.profile);
  const env: Record<string, string> = { ...profile.env };
  const source = deps.settings.env;
  const present = profile.secrets.required.filter((name) => (source[name] ?? '') !== '');
  // A custom agent may need no key at all; the built-in ones need one of theirs.
  if (present.length === 0 && profile.secrets.required.length > 0) throw new UserError(`${missingKeyMessage(profile)} Ask the app's operator to set it.`);
  for (const name of [...present, ...profile.secrets.optional]) {
    const value = source[name];
    if (value !== undefined && value !== '') env[name] = value;
  }
  return { profile, env };
}

async function createSandbox(job: Job, profile: AgentProfile, env: Record<string, string>, deps: PipelineDeps): Promise<Sandbox> {
  if (deps.sandboxes === undefined) {
    throw new UserError(sandboxProviders.missingMessage());
  }
  return deps.sandboxes.create({
    template: profile.template,
    envs: env,
    // The repository's setup commands run before the agent, each with its own limit.
    timeoutMs: sandboxBudgetMs(deps.settings.jobTimeoutMs) + (deps.repo?.setup ?? []).reduce((sum, s) => sum + s.timeoutMs, 0),
    metadata: { app: 'issuesmith', installation: String(job.installationId), repo: `${job.owner}/${job.repo}`, issue: String(job.number), job: job.deliveryId },
  });
}

/** What this job's state markers are signed with and for: the app's key, its installation and repository. */
export function stateSeal(job: Pick<Job, 'installationId' | 'owner' | 'repo'>, settings: Pick<Settings, 'stateKey'>): StateSeal {
  return { key: settings.stateKey, installation: job.installationId, repo: `${job.owner}/${job.repo}` };
}

export function commitMessage(job: Job, profile: AgentProfile, noreplyDomain: string): string {
  const { requester } = job;
  const title = job.issue.title.replace(/\s+/g, ' ').trim().slice(0, 60) || `issue #${job.number}`;
  return [
    `${title} (#${job.number})`,
    '',
    `Made by ${profile.displayName} for #${job.number}, at @${requester.login}'s request.`,
    '',
    `Co-authored-by: ${requester.login} <${requester.id}+${requester.login}@${noreplyDomain}>`,
  ].join('\n');
}

export function statsOf(run: AgentRun, durationMs: number): JobStats {
  const s: JobStats = { durationMs, inputTokens: run.inputTokens, outputTokens: run.outputTokens };
  if (run.costUsd !== undefined) s.costUsd = run.costUsd;
  return s;
}

export async function cleanUp(sandbox: Sandbox | undefined, deps: PipelineDeps): Promise<void> {
  // A worker shutting down with a shared queue keeps the sandbox paused: the job goes back to the queue.
  if (sandbox !== undefined && isInterrupted(deps.signal)) await sandbox.pause().catch((err: unknown) => deps.log.error({ err, sandbox: sandbox.id }, 'could not pause the sandbox'));
  else if (sandbox !== undefined) await sandbox.kill().catch((err: unknown) => deps.log.error({ err, sandbox: sandbox.id }, 'could not kill the sandbox'));
  for (const err of await deps.github.revokeTokens()) deps.log.warn({ err }, 'could not revoke a token');
}
