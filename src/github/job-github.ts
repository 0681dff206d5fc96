import { DEFAULT_BRANCH_PREFIX } from '../git/branch-name.js';
import type { Job } from '../job.js';
import type { Redactor } from '../security/redact.js';
import type { Permission } from '../access/has-permission.js';
import { BotIdentityCache, type BotIdentity } from './bot-identity.js';
import { GitData } from './git-data.js';
import { createCheckRun, updateCheckRun, type CheckRunUpdate } from './check-runs.js';
import { CiGitHub } from './ci-github.js';
import { gitRemoteUrl } from './git-url.js';
import { IssueGitHub, type Reaction, type ReactionTarget } from './issue-github.js';
import type { CheckRunInput, ConversationComment, ReviewLineComment } from './job-github-types.js';
import { apiBaseUrl, type Octokit } from './octokit.js';
import { pullInfo, type PullRequestInfo } from './pull-request-info.js';
import type { PermissionCache } from './permission.js';
import { branchHeadSha } from './repo-config-loader.js';
import { mintRepoToken, revokeToken } from './tokens.js';

/** Where a job's reactions go: the comment that asked, or the issue for a label or a review; nowhere for a cleanup or a check suite, which nobody asked for. */
export function reactionTarget(trigger: Job['trigger']): ReactionTarget | undefined {
  if (trigger.type === 'comment') return { type: 'issue-comment', commentId: trigger.commentId };
  if (trigger.type === 'review-comment') return { type: 'review-comment', commentId: trigger.commentId };
  if (trigger.type === 'closed' || trigger.type === 'check-suite') return undefined;
  return { type: 'issue' };
}

export type { CheckRunInput, ConversationComment, ReviewLineComment } from './job-github-types.js';

/**
 * Everything one job does on GitHub, bound to its repository and issue. Every text it posts passes
 * through the job's redactor here, and every token it mints is added to that redactor and revoked
 * at the end.
 */
export class JobGitHub {
  readonly #minted: string[] = [];
  #note = '';
  #read: { token: string; at: number } | undefined;
  readonly baseUrl: string;
  readonly #issue: IssueGitHub;
  /** Reactions on their way: nothing on the job's path waits for them. */
  readonly #reactions = new Set<Promise<void>>();

  constructor(
    private readonly job: Job,
    private readonly installation: Octokit,
    private readonly app: Octokit,
    private readonly redactor: Redactor,
    private readonly permissions: PermissionCache,
    private readonly identity: BotIdentityCache,
  ) {
    this.baseUrl = apiBaseUrl(installation);
    this.#issue = new IssueGitHub(installation, job, redactor);
  }

  permissionOf(login: string): Promise<Permission> {
    return this.permissions.get(this.installation, this.job.owner, this.job.repo, login);
  }

  /**
   * Puts the app's reaction on what asked, without waiting for it: a reaction is cosmetic, and with
   * GitHub's one write a second, awaiting it would hold up every write after it. A failure goes to
   * `onError`; `settled()` waits for the reactions still on their way.
   */
  react(content: Reaction, onError: (err: unknown) => void): void {
    const target = reactionTarget(this.job.trigger);
    if (target === undefined) return;
    const sent: Promise<void> = this.#issue
      .ensureReaction(target, content)
      .catch(onError)
      .finally(() => this.#reactions.delete(sent));
    this.#reactions.add(sent);
  }

  /** Every reaction sent so far has landed or failed (and was reported); never throws. */
  async settled(): Promise<void> {
    await Promise.all([...this.#reactions]);
  }

  async comment(body: string): Promise<string> {
    return (await this.postComment(body)).url;
  }

  postComment(body: string): Promise<{ id: number; url: string }> {
    return this.#issue.comment(this.#withNote(body));
  }

  updateComment(id: number, body: string): Promise<void> {
    return this.#issue.updateComment(id, this.#withNote(body));
  }

  /**
   * A comment by an app on this issue, posted since the job was received, holding `marker`: the status
   * comment posted while the job waited in the queue.
   */
  async findComment(marker: string, since: string): Promise<number | undefined> {
    return (await this.#issue.findComment(marker, since))?.id;
  }

  /** Creates the check run; its page's address too, when GitHub gives one. */
  createCheckRun(o: CheckRunInput): Promise<{ id: number; url?: string }> {
    return createCheckRun(this.installation, this.job, this.redactor, o);
  }

  updateCheckRun(id: number, o: CheckRunUpdate): Promise<void> {
    return updateCheckRun(this.installation, this.job, this.redactor, id, o);
  }

  /**
   * A token for this repository alone, with `contents` at the given level; `workflows: write` too only
   * when asked for (a change to workflow files that the repository's settings allow).
   */
  async mintToken(contents: 'read' | 'write', o: { workflows?: boolean } = {}): Promise<string> {
    const permissions = { contents, ...(o.workflows === true ? { workflows: 'write' as const } : {}) };
    const { token } = await mintRepoToken(this.app, this.job.installationId, this.job.repo, permissions);
    this.#minted.push(token);
    this.redactor.add(token);
    if (contents === 'read' && o.workflows !== true) this.#read = { token, at: Date.now() };
    return token;
  }

  /** The job's read token while it is fresh (installation tokens last an hour), or a new one. */
  async readToken(): Promise<string> {
    if (this.#read !== undefined && Date.now() - this.#read.at < 45 * 60_000) return this.#read.token;
    return this.mintToken('read');
  }

  /** Revokes every token this job minted; failures are returned, not thrown, so cleanup goes on. */
  async revokeTokens(): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (const token of this.#minted.splice(0)) {
      await revokeToken(this.baseUrl, token).catch((err: unknown) => errors.push(err));
    }
    return errors;
  }

  /**
   * The Git database through the API; `write`: with a token minted for this repository alone, in a client
   * of the installation's class (its throttling and retries) that shares the installation's write pacing.
   * Probot's throttle keys its limiters by `throttle.id` in one process-wide group: without the
   * installation's id, every installation's commits would queue behind one another, one write a second.
   */
  async gitData(o: { write?: boolean; workflows?: boolean } = {}): Promise<GitData> {
    if (o.write !== true) return new GitData(this.installation, this.job.owner, this.job.repo);
    const token = await this.mintToken('write', o);
    const client = new (this.installation.constructor as new (options: Record<string, unknown>) => Octokit)({
      auth: { token },
      baseUrl: this.baseUrl,
      log: this.installation.log,
      throttle: { id: String(this.job.installationId) },
    });
    return new GitData(client, this.job.owner, this.job.repo);
  }

  /** The repository's checks and Actions logs, for `fix ci`. */
  ci(): CiGitHub {
    return new CiGitHub(this.installation, this.job.owner, this.job.repo, this.baseUrl);
  }

  remoteUrl(): string {
    return gitRemoteUrl(this.baseUrl, this.job.owner, this.job.repo);
  }

  /** GitHub's HTML for Markdown in this repository's context (what it shows for the request's images: their signed addresses). */
  async renderMarkdown(text: string): Promise<string> {
    const { data } = await this.installation.rest.markdown.render({ text, mode: 'gfm', context: `${this.job.owner}/${this.job.repo}` });
    return data;
  }

  botIdentity(): Promise<BotIdentity> {
    return this.identity.get(this.app, this.installation, this.baseUrl);
  }

  /** Removes a branch the job pushed but could not finish with, so nothing half-made stays behind. */
  async deleteBranch(branch: string): Promise<void> {
    await this.installation.rest.git.deleteRef({ owner: this.job.owner, repo: this.job.repo, ref: `heads/${branch}` });
  }

  /**
   * Opens the pull request, as a draft when asked. Repositories whose plan has no drafts answer 422;
   * then it is opened ready for review instead.
   */
  async openPullRequest(o: { branch: string; title: string; body: string; draft: boolean; base?: string }): Promise<{ number: number; url: string }> {
    const { owner, repo, defaultBranch } = this.job;
    const request = { owner, repo, head: o.branch, base: o.base ?? defaultBranch, title: this.redactor.redact(o.title), body: this.redactor.redact(o.body) };
    try {
      const { data } = await this.installation.rest.pulls.create({ ...request, draft: o.draft });
      return { number: data.number, url: data.html_url };
    } catch (err) {
      const e = err as { status?: number; message?: string };
      if (!o.draft || e.status !== 422 || !/draft/i.test(e.message ?? '')) throw err;
      const { data } = await this.installation.rest.pulls.create({ ...request, draft: false });
      return { number: data.number, url: data.html_url };
    }
  }

  /** A note added to every comment posted or edited from now on (the repository settings' warnings). */
  addCommentNote(note: string): void {
    this.#note = note;
  }

  #withNote(body: string): string {
    return this.#note === '' ? body : `${body}\n\n${this.#note}`;
  }

  /** The branch's head commit (one small read); undefined when the repository is empty or has no such branch. */
  branchHead(branch: string): Promise<string | undefined> {
    return branchHeadSha(this.installation, this.job.owner, this.job.repo, branch);
  }

  async branchExists(branch: string): Promise<boolean> {
    try {
      await this.installation.rest.repos.getBranch({ owner: this.job.owner, repo: this.job.repo, branch });
      return true;
    } catch (err) {
      if ((err as { status?: number }).status === 404) return false;
      throw err;
    }
  }

  /** Labels and reviewers from the repository's settings, on a pull request the job opened. */
  async decoratePullRequest(number: number, o: { labels: string[]; reviewers: string[]; teamReviewers: string[] }): Promise<void> {
    const { owner, repo } = this.job;
    if (o.labels.length > 0) await this.installation.rest.issues.addLabels({ owner, repo, issue_number: number, labels: o.labels });
    if (o.reviewers.length > 0 || o.teamReviewers.length > 0) {
      await this.installation.rest.pulls.requestReviewers({ owner, repo, pull_number: number, reviewers: o.reviewers, team_reviewers: o.teamReviewers });
    }
  }
  async pullRequest(number: number): Promise<PullRequestInfo> {
    const { owner, repo } = this.job;
    const { data } = await this.installation.rest.pulls.get({ owner, repo, pull_number: number });
    return pullInfo(data, `${owner}/${repo}`);
  }

  /**
   * The open pull requests from the app's branches (`issuesmith/…`, or the repository's `branch_prefix`), newest first, in one call: GitHub
   * cannot filter by a branch prefix, so the first hundred open pull requests are read and filtered.
   */
  async openAppPullRequests(branchPrefix = DEFAULT_BRANCH_PREFIX): Promise<PullRequestInfo[]> {
    const { owner, repo } = this.job;
    const { data } = await this.installation.rest.pulls.list({ owner, repo, state: 'open', sort: 'created', direction: 'desc', per_page: 100 });
    return data.filter((p) => p.head.ref.startsWith(branchPrefix)).map((p) => pullInfo(p, `${owner}/${repo}`));
  }

  async updatePullRequestBody(number: number, body: string): Promise<void> {
    const { owner, repo } = this.job;
    await this.installation.rest.pulls.update({ owner, repo, pull_number: number, body: this.redactor.redact(body) });
  }

  /** The names of the files a pull request changes (its first three hundred). */
  async pullRequestFiles(number: number): Promise<string[]> {
    const { owner, repo } = this.job;
    const { data } = await this.installation.rest.pulls.listFiles({ owner, repo, pull_number: number, per_page: 100 });
    return data.map((f) => f.filename);
  }

  /** The commits of a pull request as GitHub lists them (at most 250: its API lists no more), by id. */
  async pullRequestCommits(number: number): Promise<string[]> {
    const { owner, repo } = this.job;
    const commits = await this.installation.paginate(this.installation.rest.pulls.listCommits, { owner, repo, pull_number: number, per_page: 100 });
    return commits.map((c) => c.sha);
  }

  async reviewComments(number: number, reviewId: number): Promise<ReviewLineComment[]> {
    const { owner, repo } = this.job;
    const { data } = await this.installation.rest.pulls.listCommentsForReview({ owner, repo, pull_number: number, review_id: reviewId, per_page: 100 });
    return data.map((c) => ({ login: c.user?.login ?? '', body: c.body, path: c.path, line: (c as { line?: number | null }).line ?? null, diffHunk: c.diff_hunk }));
  }

  async issue(number: number): Promise<{ title: string; body: string }> {
    const { owner, repo } = this.job;
    const { data } = await this.installation.rest.issues.get({ owner, repo, issue_number: number });
    return { title: data.title, body: data.body ?? '' };
  }

  /** The conversation of an issue or pull request, oldest first (its first hundred comments). */
  async conversation(number: number): Promise<ConversationComment[]> {
    const { owner, repo } = this.job;
    const { data } = await this.installation.rest.issues.listComments({ owner, repo, issue_number: number, per_page: 100 });
    return data.map((c) => ({ id: c.id, login: c.user?.login ?? '', userType: c.user?.type ?? 'User', body: c.body ?? '', createdAt: c.created_at }));
  }
}
