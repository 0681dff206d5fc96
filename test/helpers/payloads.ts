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
