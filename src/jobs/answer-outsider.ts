import { authorize } from '../access/authorize.js';
import { appRedactor } from '../config/app-redactor.js';
import { IssueGitHub } from '../github/issue-github.js';
import type { OutsiderRequest } from '../triggers/intent.js';
import type { ControlDeps } from './controls.js';
import { answerRefusal } from './refuse.js';

/**
 * Someone the webhook's payload shows as an outsider asked the app to act: not queued. Refused with one
 * polite reply at most per person and installation in a while; while that reply is recent, their
 * further requests are dropped without an API call. Otherwise GitHub is asked once: the payload cannot
 * see a private organisation membership, so a maintainer may arrive as CONTRIBUTOR or NONE, and then
 * `proceed` hands the request on as if it had come in as theirs (the worker or handleControl then
 * applies every rule). Callers run one of these at a time per person.
 */
export async function answerOutsider(req: OutsiderRequest, deps: ControlDeps, proceed: () => Promise<void>): Promise<void> {
  const { owner, repo } = req;
  const who = { delivery: req.deliveryId, requester: req.requester.login, association: req.association };
  if (deps.refusals?.answeredRecently(req.installationId, req.requester.login) === true) {
    deps.log.info(who, 'an outsider refused a short while ago asked again: dropped');
    return;
  }
  const octokit = await deps.auth(req.installationId);
  // The least any rule asks for: the full check (the repository's rules included) comes after `proceed`.
  const decision = await authorize(req.requester, { permission: 'write', allowedUsers: undefined }, (login) => deps.permissions.get(octokit, owner, repo, login));
  if (decision.allowed) {
    deps.log.info({ ...who, permission: decision.permission }, 'the payload shows an outsider, GitHub a collaborator (a private membership?): the request goes on');
    await proceed();
    return;
  }
  const issue = new IssueGitHub(octokit, req, appRedactor(deps.settings, deps.profiles));
  const reply = async (body: string): Promise<void> => {
    await issue.comment(body);
  };
  await answerRefusal(
    decision,
    { installationId: req.installationId, login: req.requester.login, required: deps.settings.permission, action: req.action, reply },
    { limiter: deps.refusals, log: deps.log },
  );
}
