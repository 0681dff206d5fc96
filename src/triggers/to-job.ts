import type { Job } from '../job.js';
import type { TriggerOptions } from './intent-types.js';
import type { Issue, Repository, User } from './payload-fields.js';

export function toJob(
  p: { issue: Pick<Issue, 'number' | 'title' | 'body'>; repository: Repository; sender: User; installation: { id: number } },
  deliveryId: string,
  o: TriggerOptions,
  rest: Pick<Job, 'profile' | 'instructions' | 'trigger'> & Partial<Pick<Job, 'kind' | 'profileNamed' | 'pull' | 'comment' | 'options' | 'fixCi'>>,
): Job {
  return {
    ...(rest.comment !== undefined ? { comment: rest.comment } : {}),
    ...(rest.options !== undefined ? { options: rest.options } : {}),
    ...(rest.profileNamed !== undefined ? { profileNamed: rest.profileNamed } : {}),
    ...(rest.pull !== undefined ? { pull: rest.pull } : {}),
    ...(rest.fixCi === true ? { fixCi: true } : {}),
    deliveryId,
    installationId: p.installation.id,
    owner: p.repository.owner.login,
    repo: p.repository.name,
    number: p.issue.number,
    kind: rest.kind ?? 'run',
    profile: rest.profile,
    instructions: rest.instructions,
    issue: { title: p.issue.title, body: p.issue.body ?? '' },
    defaultBranch: p.repository.default_branch,
    requester: { login: p.sender.login, id: p.sender.id },
    trigger: rest.trigger,
    receivedAt: (o.now?.() ?? new Date()).toISOString(),
  };
}
