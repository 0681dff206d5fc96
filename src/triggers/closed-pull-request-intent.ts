import { z } from 'zod';
import { readStateMarker } from '../github/state-marker.js';
import { ignore } from './ignore.js';
import type { Intent, TriggerOptions } from './intent-types.js';
import { pullRequest, sent, user } from './payload-fields.js';
import { toJob } from './to-job.js';

const closedPayload = z.object({
  action: z.literal('closed'),
  pull_request: pullRequest.extend({
    user,
    head: z.object({ ref: z.string(), repo: z.object({ full_name: z.string() }).nullish() }),
  }),
  ...sent,
});

/**
 * A closed pull request (merged or not) whose body holds the app's marker: its paused sandbox and
 * saved session go. The marker is read from the payload, so the handler makes no API call.
 */
export function intentFromPullRequestClosed(payload: unknown, deliveryId: string, o: TriggerOptions): Intent {
  const p = closedPayload.safeParse(payload);
  if (!p.success) return ignore('payload without the fields of a closed pull request');
  const pr = p.data.pull_request;
  const repo = `${p.data.repository.owner.login}/${p.data.repository.name}`;
  // Anyone can open a pull request and copy a marker into it: only the app's own pull requests count.
  if (pr.user.type !== 'Bot' || pr.head.repo?.full_name.toLowerCase() !== repo.toLowerCase()) return ignore('closed pull request the app did not open');
  const seal = o.stateKey === undefined ? undefined : { key: o.stateKey, installation: p.data.installation.id, repo };
  const read = readStateMarker(pr.body ?? '', seal);
  if (read.kind === 'none') return ignore('closed pull request the app did not open');
  if (read.kind === 'invalid') return ignore(`closed pull request: ${read.reason}; ignored`);
  const { state } = read;
  if (state.repo.toLowerCase() !== repo.toLowerCase()) return ignore(`the state marker names another repository (${state.repo})`);
  if (state.branch !== pr.head.ref) return ignore('the state marker names another branch than the pull request head');
  const job = toJob({ ...p.data, issue: { number: pr.number, title: pr.title, body: pr.body } }, deliveryId, o, {
    kind: 'cleanup',
    profile: state.profile,
    instructions: '',
    trigger: { type: 'closed' },
    pull: { number: pr.number, ...(state.sandbox !== undefined ? { sandbox: state.sandbox } : {}) },
  });
  return { kind: 'cleanup', job };
}
