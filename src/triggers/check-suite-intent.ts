import { z } from 'zod';
import { ignore } from './ignore.js';
import type { Intent, TriggerOptions } from './intent-types.js';
import { sent } from './payload-fields.js';
import { toJob } from './to-job.js';

const checkSuitePayload = z.object({
  action: z.literal('completed'),
  check_suite: z.object({
    id: z.number().int(),
    head_sha: z.string().regex(/^[0-9a-f]{40}$/),
    conclusion: z.string().nullish(),
    app: z.object({ id: z.number().int(), slug: z.string().nullish() }).nullish(),
    // Only pull requests whose head branch is in this repository: a fork's are never listed.
    pull_requests: z.array(z.object({ number: z.number().int().positive(), head: z.object({ sha: z.string() }).optional() })),
  }),
  ...sent,
});

/**
 * A check suite that completed on the head of a pull request of this repository: a candidate for an
 * automatic `fix ci` (the repository's `ci.auto_fix`). Only the worker can tell whether the repository
 * turned that on, whether the pull request is the app's and whether every suite is done; the handler
 * drops what the payload alone rules out: the app's own suite, and a head without a pull request.
 */
export function intentFromCheckSuite(payload: unknown, deliveryId: string, o: TriggerOptions): Intent {
  const p = checkSuitePayload.safeParse(payload);
  if (!p.success) return ignore('payload without the fields of a completed check suite');
  const suite = p.data.check_suite;
  if (suite.app == null) return ignore('check suite without an app');
  if (o.appId !== undefined && suite.app.id === o.appId) return ignore("the app's own check suite");
  const pull = suite.pull_requests.find((pr) => pr.head === undefined || pr.head.sha === suite.head_sha);
  if (pull === undefined) return ignore('check suite without a pull request of this repository');
  const job = toJob({ ...p.data, issue: { number: pull.number, title: '', body: '' } }, deliveryId, o, {
    kind: 'continue',
    profile: o.defaultProfile,
    profileNamed: false,
    instructions: '',
    trigger: { type: 'check-suite', suiteId: suite.id, headSha: suite.head_sha, app: suite.app.slug ?? '' },
    pull: { number: pull.number },
    fixCi: true,
  });
  return { kind: 'automatic', job };
}
