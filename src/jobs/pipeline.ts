import { failureMessage, missingKeyMessage } from '../agents/failure-message.js';
import { buildPrompt } from '../agents/prompt.js';
import type { AgentEvent, AgentProfile } from '../agents/profile.js';
import type { ProfileRegistry } from '../agents/registry.js';
import { repoSettings, type RepoSettings } from '../config/repo-settings.js';
import type { Settings } from '../config/settings.js';
import { UserError } from '../errors.js';
import type { JobGitHub } from '../github/job-github.js';
import { renderStateMarker } from '../github/state-marker.js';
import { pushPatch } from '../git/push-patch.js';
import type { JobStats } from '../report/job-stats.js';
import * as messages from '../report/messages.js';
import { patchFileStats, type FileChange } from '../report/patch-stats.js';
import { hasPermission } from '../security/has-permission.js';
import { filesWithSecrets } from '../security/scan-patch.js';
import type { Redactor } from '../security/redact.js';
import { checkPatch } from '../security/check-patch.js';
import { notAllowedUserComment } from '../report/config-messages.js';
import type { Sandbox, SandboxProvider } from '../sandbox/provider.js';
import { prepareCheckout } from '../sandbox/prepare-checkout.js';
import { cloneInSandbox, collectPatch } from '../sandbox/repo-in-sandbox.js';
import type { SessionStore } from '../sessions/session-store.js';
import { cleanUpPullRequest, continuePullRequest, findFollowUp, keepForFollowUp, type Continuation } from './follow-up.js';
import type { Job } from './job.js';
import { requestOptions } from './request-options.js';
import { silentProgress, type Progress } from './progress.js';
import { runAgent, type AgentRun } from './run-agent.js';
import { isInterrupted } from './interrupted.js';
import { throwIfStopped } from './stopped.js';

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
}

/** How a job ended; the worker turns it into the status comment's final state. */
export type Outcome =
  | { kind: 'refused' }
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

  const allowed = await authorize(job, deps);
  if (!allowed) return { kind: 'refused' };
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
    const patch = await collectPatch(sandbox, { workdir, baseSha, patchFile: `${sandbox.homeDir}/.issuesmith/changes.patch` });
    const stats = (): JobStats => statsOf(run, now() - started);

    if (patch.byteLength === 0) {
      if (run.ok) return { kind: 'no-changes', profile, run, stats: stats(), sandboxId };
      return { kind: 'agent-failed', profile, run, reason: failureMessage(profile, run.reason ?? 'crash'), stats: stats(), sandboxId };
    }
    const patchText = vetPatch(patch, repo, deps.redactor);

    const partial = run.ok ? undefined : { why: failureMessage(profile, run.reason ?? 'crash') };
    const author = await github.botIdentity();
    // Minted right before the push: installation tokens live one hour, agents may run longer.
    stopped();
    progress.phase('pushing');
    const writeToken = await github.mintToken('write');
    const pushed = await pushPatch({
      remoteUrl: github.remoteUrl(),
      token: writeToken,
      baseSha,
      number: job.number,
      title: job.issue.title,
      patch,
      message: deps.redactor.redact(commitMessage(job, profile, author.email.split('@')[1] ?? 'users.noreply.github.com')),
      author,
      workDir: settings.workDir,
      branchPrefix: repo.pullRequest.branchPrefix,
    });
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
          stateMarker: renderStateMarker({
            v: 1,
            repo: `${job.owner}/${job.repo}`,
            issue: job.number,
            profile: profile.name,
            branch: pushed.branch,
            ...(run.sessionId ? { session: run.sessionId } : {}),
            sandbox: sandboxId,
            turns: 1,
          }),
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
      files: patchFileStats(patchText),
      stats: stats(),
      sandboxId,
    };
  } finally {
    if (sandbox !== undefined && keep !== undefined) sandbox = await keepForFollowUp(sandbox, profile, { job, ...keep }, deps);
    await cleanUp(sandbox, deps);
  }
}

/**
 * Every check an outgoing patch passes, for first runs and follow-ups alike: no secret or token, the
 * repository's limits and workflow guard. Returns the patch as text; throws a UserError naming the problem.
 */
export function vetPatch(patch: Uint8Array, repo: RepoSettings, redactor: Redactor): string {
  const text = new TextDecoder().decode(patch);
  refuseSecrets(text, redactor);
  checkPatch(patch, { ...repo.limits, allowWorkflowChanges: repo.allowWorkflowChanges });
  return text;
}

function refuseSecrets(patch: string, redactor: Redactor): void {
  const files = filesWithSecrets(patch, redactor);
  if (files.length === 0) return;
  const names = files.map((f) => `\`${f}\``).join(', ');
  throw new UserError(`The agent's change would commit a secret or an access token (in ${names}), so nothing was pushed. Ask again without putting credentials in files.`);
}

async function authorize(job: Job, deps: PipelineDeps): Promise<boolean> {
  const permission = await deps.github.permissionOf(job.requester.login);
  const listed = deps.repo?.allowedUsers;
  if (hasPermission(permission, deps.settings.permission) && listed !== undefined && !listed.includes(job.requester.login.toLowerCase())) {
    deps.log.info({ requester: job.requester.login }, 'refused: not in allowed_users');
    await deps.github.comment(notAllowedUserComment(job.requester.login));
    return false;
  }
  if (hasPermission(permission, deps.settings.permission)) return true;
  deps.log.info({ requester: job.requester.login, permission }, 'refused: not enough permission');
  await deps.github.comment(messages.refusedComment(job.requester.login, deps.settings.permission));
  return false;
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
    throw new UserError('The app has no sandbox to run agents in. Its operator needs to set `E2B_API_KEY` (or `ISSUESMITH_SANDBOX=local` for development).');
  }
  return deps.sandboxes.create({
    template: profile.template,
    envs: env,
    // The repository's setup commands run before the agent, each with its own limit.
    timeoutMs: sandboxBudgetMs(deps.settings.jobTimeoutMs) + (deps.repo?.setup ?? []).reduce((sum, s) => sum + s.timeoutMs, 0),
    metadata: { app: 'issuesmith', repo: `${job.owner}/${job.repo}`, issue: String(job.number), job: job.deliveryId },
  });
}

export function commitMessage(job: Job, profile: AgentProfile, noreplyDomain: string): string {
  const { requester } = job;
  // Control characters go with the whitespace (git stops reading a message at a NUL), and the cut
  // falls between characters, never inside a surrogate pair.
  const title = Array.from(job.issue.title.replace(/[\s\x00-\x1f\x7f]+/g, ' ').trim()).slice(0, 60).join('') || `issue #${job.number}`;
  // GitHub logins are letters, digits, dashes (and `[bot]`); anything else could start a trailer of its own.
  const login = requester.login.replace(/[^A-Za-z0-9\-[\]]/g, '') || 'ghost';
  return [
    `${title} (#${job.number})`,
    '',
    `Made by ${profile.displayName} for #${job.number}, at @${login}'s request.`,
    '',
    `Co-authored-by: ${login} <${requester.id}+${login}@${noreplyDomain}>`,
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
