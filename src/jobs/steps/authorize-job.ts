import { authorize } from '../../access/authorize.js';
import * as messages from '../../report/messages.js';
import type { Job } from '../../job.js';
import type { JobDeps, Outcome } from '../job-deps.js';
import { answerRefusal } from '../refuse.js';

/** Who asked may start work here (access/authorize), or gets one polite reply (rate limited) and a refused outcome. */
export async function authorizeJob(job: Job, deps: JobDeps): Promise<Extract<Outcome, { kind: 'refused' }> | undefined> {
  const rules = { permission: deps.settings.permission, allowedUsers: deps.repo?.allowedUsers };
  const decision = await authorize(job.requester, rules, (login) => deps.github.permissionOf(login));
  if (decision.allowed) return undefined;
  // A review that requests changes did not ask the app anything: its author is not answered.
  if (job.trigger.type === 'review' && job.trigger.changesRequested === true) {
    deps.log.info({ requester: job.requester.login, reason: decision.reason }, 'a review requesting changes by someone who may not start work: ignored');
    return { kind: 'refused', reason: decision.reason };
  }
  const reply = async (body: string): Promise<void> => void (await deps.github.comment(body));
  await answerRefusal(
    decision,
    { installationId: job.installationId, login: job.requester.login, required: rules.permission, action: 'start', reply },
    { limiter: deps.refusals, log: deps.log },
  );
  return { kind: 'refused', reason: decision.reason };
}

/** `/agent help`: the commands, and only the agents that can run here (those whose key the app has). */
export async function answerHelp(deps: JobDeps): Promise<Outcome> {
  const { settings, profiles } = deps;
  const ready = profiles.all().filter((p) => p.secrets.required.length === 0 || p.secrets.required.some((name) => (settings.env[name] ?? '') !== ''));
  await deps.github.comment(
    messages.helpComment({ command: settings.command, labelPrefix: settings.labelPrefix, profiles: ready.map((p) => p.name), defaultProfile: settings.defaultAgent }),
  );
  return { kind: 'help' };
}
