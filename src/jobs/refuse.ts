import type { Refusal } from '../access/authorize.js';
import type { RefusalLimiter } from '../access/refusal-limiter.js';
import { refusalComment, type RefusedAction } from '../report/refusal-messages.js';
import type { Logger } from '../logger.js';

export interface RefuseInput {
  installationId: number;
  login: string;
  /** The least role the repository asks for, named in the reply. */
  required: string;
  action: RefusedAction;
  /** Posts the reply on the issue or pull request; called only when the person is to be answered. */
  reply: (body: string) => Promise<void>;
}

/**
 * The one way a refusal is answered, for jobs, follow-ups, controls and outsiders stopped at the
 * webhook: a log line always; a polite reply for people (never bots), at most one per person and
 * installation in the limiter's window, so a flood of comments cannot make the app flood the issue.
 * A reply that cannot be posted is logged, not thrown: the refusal stands either way.
 */
export async function answerRefusal(refusal: Refusal, o: RefuseInput, deps: { limiter?: RefusalLimiter | undefined; log: Logger }): Promise<void> {
  const who = { requester: o.login, action: o.action, reason: refusal.reason };
  if (refusal.reason === 'permission-lookup-failed') {
    const err = refusal.error as { status?: number; message?: string } | undefined;
    deps.log.warn({ ...who, status: err?.status, err: String(err?.message ?? err).slice(0, 300) }, 'refused: GitHub could not say what role the requester has');
  } else deps.log.info({ ...who, ...('permission' in refusal ? { permission: refusal.permission } : {}) }, `refused: ${refusal.reason}`);
  if (refusal.reason === 'bot') return;
  if (deps.limiter !== undefined && !deps.limiter.allow(o.installationId, o.login)) {
    deps.log.info(who, 'refusal reply dropped: this person was answered a short while ago');
    return;
  }
  await o
    .reply(refusalComment(refusal.reason, o.login, o.required, o.action))
    .catch((err: unknown) => deps.log.warn({ ...who, err: String((err as Error)?.message ?? err).slice(0, 300) }, 'could not post the refusal'));
}
