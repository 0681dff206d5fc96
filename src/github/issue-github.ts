import type { Redactor } from '../security/redact.js';
import type { Octokit } from './octokit.js';

export type Reaction = 'eyes' | 'rocket' | 'confused' | '+1';

/** What a reaction goes on: the issue (or pull request) itself, a comment on it, or a comment on a line of its diff. */
export type ReactionTarget = { type: 'issue' } | { type: 'issue-comment'; commentId: number } | { type: 'review-comment'; commentId: number };

export interface IssueRef {
  owner: string;
  repo: string;
  number: number;
}

/**
 * One issue or pull request on GitHub, through one installation's client: the app's comments and
 * reactions there. Every text it posts passes through the redactor here.
 */
export class IssueGitHub {
  constructor(
    private readonly installation: Octokit,
    private readonly issue: IssueRef,
    private readonly redactor: Redactor,
  ) {}

  async comment(body: string): Promise<{ id: number; url: string }> {
    const { owner, repo, number } = this.issue;
    const { data } = await this.installation.rest.issues.createComment({ owner, repo, issue_number: number, body: this.redactor.redact(body) });
    return { id: data.id, url: data.html_url };
  }

  async updateComment(id: number, body: string): Promise<void> {
    const { owner, repo } = this.issue;
    await this.installation.rest.issues.updateComment({ owner, repo, comment_id: id, body: this.redactor.redact(body) });
  }

  /**
   * A comment by an app on this issue, posted since `since` (its first hundred), holding `marker`. A
   * status marker holds the delivery id, which only the app knows, so no one else can plant it.
   */
  async findComment(marker: string, since?: string): Promise<{ id: number; body: string } | undefined> {
    const { owner, repo, number } = this.issue;
    const { data } = await this.installation.rest.issues.listComments({ owner, repo, issue_number: number, ...(since !== undefined ? { since } : {}), per_page: 100 });
    const found = data.find((c) => c.user?.type === 'Bot' && (c.body ?? '').includes(marker));
    return found === undefined ? undefined : { id: found.id, body: found.body ?? '' };
  }

  /**
   * Makes the app's comment holding `marker` read `body`: updated when it reads otherwise, left when it
   * already does, and created when there is none, unless `create` is false (a status that only
   * replaces one already shown). Returns the comment's id, or undefined when there was none to update.
   */
  async ensureStatusComment(o: { marker: string; body: string; since?: string; create?: boolean }): Promise<number | undefined> {
    const found = await this.findComment(o.marker, o.since);
    if (found === undefined) return o.create === false ? undefined : (await this.comment(o.body)).id;
    if (found.body !== this.redactor.redact(o.body)) await this.updateComment(found.id, o.body);
    return found.id;
  }

  /** Puts the app's reaction on the target; GitHub answers a reaction the app already gave with that one, so asking twice leaves one. */
  async ensureReaction(target: ReactionTarget, content: Reaction): Promise<void> {
    const { owner, repo, number } = this.issue;
    if (target.type === 'issue-comment') {
      await this.installation.rest.reactions.createForIssueComment({ owner, repo, comment_id: target.commentId, content });
    } else if (target.type === 'review-comment') {
      await this.installation.rest.reactions.createForPullRequestReviewComment({ owner, repo, comment_id: target.commentId, content });
    } else {
      await this.installation.rest.reactions.createForIssue({ owner, repo, issue_number: number, content });
    }
  }
}
