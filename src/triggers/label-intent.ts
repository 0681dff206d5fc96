import { z } from 'zod';
import { isBot } from '../access/is-bot.js';
import { ignore } from './ignore.js';
import type { Intent, TriggerOptions } from './intent-types.js';
import { issue, sent } from './payload-fields.js';
import { toJob } from './to-job.js';

const labeledPayload = z.object({
  action: z.literal('labeled'),
  label: z.object({ name: z.string() }),
  issue,
  ...sent,
});

// The shape a repository's own trigger label can take (see the `trigger:` settings' patterns).
const CANDIDATE_LABEL = /^[a-z0-9][a-z0-9._-]{0,49}(?::[a-z0-9][a-z0-9-]{0,39})?$/;

export function intentFromLabel(payload: unknown, deliveryId: string, o: TriggerOptions): Intent {
  const p = labeledPayload.safeParse(payload);
  if (!p.success) return ignore('payload without the fields of an issue label');
  const { label, sender } = p.data;
  if (isBot(sender)) return ignore('labelled by a bot');
  const name = label.name.trim().toLowerCase();
  const prefix = o.labelPrefix.toLowerCase();
  let profile: string;
  if (name === prefix) profile = o.defaultProfile;
  else if (name.startsWith(`${prefix}:`) && name.length > prefix.length + 1) profile = name.slice(prefix.length + 1);
  else if (CANDIDATE_LABEL.test(name)) {
    if (p.data.issue.pull_request !== undefined) return ignore('label on a pull request');
    return { kind: 'candidate', job: toJob(p.data, deliveryId, o, { profile: o.defaultProfile, instructions: '', trigger: { type: 'label', label: label.name } }) };
  } else return ignore(`label ${label.name} is not ours`);
  if (p.data.issue.pull_request !== undefined) return ignore('label on a pull request');
  return { kind: 'run', job: toJob(p.data, deliveryId, o, { profile, instructions: '', trigger: { type: 'label', label: label.name } }) };
}
