import { z } from 'zod';
import { isBot } from '../access/is-bot.js';
import { ignore } from './ignore.js';
import type { Intent } from './intent-types.js';
import { installation, user } from './payload-fields.js';

const checkRunActionPayload = z.object({
  action: z.literal('requested_action'),
  requested_action: z.object({ identifier: z.string() }),
  check_run: z.object({ external_id: z.string().nullish() }),
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }), default_branch: z.string().optional() }),
  sender: user,
  installation,
});

/** The Stop button of a job's check run: `external_id` is `<number>:<delivery>` (see the reporter). */
export function intentFromCheckRunAction(payload: unknown, deliveryId: string): Intent {
  const p = checkRunActionPayload.safeParse(payload);
  if (!p.success) return ignore('payload without the fields of a check run action');
  if (p.data.requested_action.identifier !== 'stop') return ignore(`check run action ${p.data.requested_action.identifier} is not ours`);
  const m = /^(\d+):/.exec(p.data.check_run.external_id ?? '');
  const number = Number(m?.[1]);
  if (!Number.isSafeInteger(number) || number <= 0) return ignore('check run without our external id');
  if (isBot(p.data.sender)) return ignore('action by a bot');
  const { repository, sender } = p.data;
  return {
    kind: 'control',
    request: {
      action: 'stop',
      deliveryId,
      installationId: p.data.installation.id,
      owner: repository.owner.login,
      repo: repository.name,
      number,
      requester: { login: sender.login, id: sender.id },
      ...(repository.default_branch !== undefined ? { defaultBranch: repository.default_branch } : {}),
    },
  };
}
