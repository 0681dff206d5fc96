import examples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };

type Json = Record<string, unknown>;

function example(event: string, action: string): Json {
  const group = (examples as Array<{ name: string; examples: Json[] }>).find((e) => e.name === event);
  const found = group?.examples.find((e) => e.action === action);
  if (!found) throw new Error(`no example for ${event}.${action}`);
  return structuredClone(found);
}

export interface PayloadOptions {
  owner?: string;
  repo?: string;
  number?: number;
  title?: string;
  body?: string;
  sender?: string;
  senderType?: 'User' | 'Bot';
  installationId?: number;
}

function adjust(p: Json, o: PayloadOptions): Json {
  const repository = p.repository as Json & { owner: Json };
  if (o.owner) {
    repository.owner.login = o.owner;
    repository.full_name = `${o.owner}/${String(repository.name)}`;
  }
  if (o.repo) {
    repository.name = o.repo;
    repository.full_name = `${String(repository.owner.login)}/${o.repo}`;
  }
  repository.default_branch = 'main';
  const issue = p.issue as Json;
  if (o.number !== undefined) issue.number = o.number;
  if (o.title !== undefined) issue.title = o.title;
  if (o.body !== undefined) issue.body = o.body;
  const sender = p.sender as Json;
  if (o.sender) sender.login = o.sender;
  if (o.senderType) sender.type = o.senderType;
  p.installation = { id: o.installationId ?? 1, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==' };
  return p;
}

/** GitHub's own `issues.labeled` example, adjusted. */
export function labeledPayload(label: string, o: PayloadOptions = {}): Json {
  const p = adjust(example('issues', 'labeled'), o);
  (p.label as Json).name = label;
  return p;
}

/** GitHub's own `issue_comment.created` example, adjusted. */
export function commentPayload(body: string, o: PayloadOptions & { commentId?: number } = {}): Json {
  const p = adjust(example('issue_comment', 'created'), o);
  const comment = p.comment as Json & { user: Json };
  comment.body = body;
  if (o.commentId !== undefined) comment.id = o.commentId;
  comment.user = { ...(p.sender as Json) };
  delete (p.issue as Json).pull_request;
  return p;
}

/** GitHub's own `issue_comment.created` example, as a comment on a pull request's conversation. */
export function pullCommentPayload(body: string, o: PayloadOptions & { commentId?: number } = {}): Json {
  const p = commentPayload(body, o);
  const issue = p.issue as Json;
  issue.pull_request = { url: `https://api.github.com/repos/x/y/pulls/${String(issue.number)}` };
  return p;
}

/** GitHub's own `pull_request_review_comment.created` example, adjusted. */
export function reviewCommentPayload(body: string, o: PayloadOptions & { commentId?: number; path?: string; line?: number; diffHunk?: string } = {}): Json {
  const p = adjustPull(example('pull_request_review_comment', 'created'), o);
  const comment = p.comment as Json & { user: Json };
  comment.body = body;
  if (o.commentId !== undefined) comment.id = o.commentId;
  if (o.path !== undefined) comment.path = o.path;
  if (o.line !== undefined) comment.line = o.line;
  if (o.diffHunk !== undefined) comment.diff_hunk = o.diffHunk;
  comment.user = { ...(p.sender as Json) };
  return p;
}

/** GitHub's own `pull_request_review.submitted` example, adjusted. */
export function reviewPayload(body: string, o: PayloadOptions & { reviewId?: number } = {}): Json {
  const p = adjustPull(example('pull_request_review', 'submitted'), o);
  const review = p.review as Json & { user: Json };
  review.body = body;
  if (o.reviewId !== undefined) review.id = o.reviewId;
  review.user = { ...(p.sender as Json) };
  return p;
}

/** GitHub's own `pull_request.closed` example, adjusted: the app's pull request when `headRef` is its branch. */
export function pullClosedPayload(o: PayloadOptions & { headRef: string; author?: string; headRepo?: string; merged?: boolean }): Json {
  const p = adjustPull(example('pull_request', 'closed'), o);
  const pr = p.pull_request as Json & { head: Json & { repo: Json }; user: Json };
  const repository = p.repository as Json;
  pr.head.ref = o.headRef;
  pr.head.repo = { ...pr.head.repo, full_name: o.headRepo ?? String(repository.full_name) };
  pr.user = { ...pr.user, login: o.author ?? 'issuesmith[bot]', type: (o.author ?? 'issuesmith[bot]').endsWith('[bot]') ? 'Bot' : 'User' };
  pr.merged = o.merged ?? false;
  return p;
}

function adjustPull(p: Json, o: PayloadOptions): Json {
  const pr = p.pull_request as Json;
  p.issue = { number: 0, title: '', body: '' };
  adjust(p, o);
  const issue = p.issue as Json;
  delete p.issue;
  if (o.number !== undefined) pr.number = issue.number;
  if (o.title !== undefined) pr.title = issue.title;
  if (o.body !== undefined) pr.body = issue.body;
  if (p.number !== undefined) p.number = pr.number;
  return p;
}
