import type { Job } from '../job.js';
import type { Redactor } from '../security/redact.js';
import type { CheckRunInput, CheckRunOutput } from './job-github-types.js';
import type { Octokit } from './octokit.js';

export type CheckRunUpdate = Omit<CheckRunInput, 'name' | 'headSha' | 'externalId'>;

type Repo = Pick<Job, 'owner' | 'repo'>;

/** Creates a job's check run on `o.headSha`; its page's address too, when GitHub gives one. */
export async function createCheckRun(octokit: Octokit, { owner, repo }: Repo, redactor: Redactor, o: CheckRunInput): Promise<{ id: number; url?: string }> {
  const { data } = await octokit.rest.checks.create({
    owner,
    repo,
    name: o.name,
    head_sha: o.headSha,
    external_id: o.externalId,
    status: o.status,
    ...(o.conclusion !== undefined ? { conclusion: o.conclusion, completed_at: new Date().toISOString() } : {}),
    output: checkOutput(redactor, o),
    ...(o.actions !== undefined ? { actions: o.actions } : {}),
  });
  return { id: data.id, ...(typeof data.html_url === 'string' ? { url: data.html_url } : {}) };
}

/** Rewrites a job's check run: its status, its output, and its buttons (none once it ends). */
export async function updateCheckRun(octokit: Octokit, { owner, repo }: Repo, redactor: Redactor, id: number, o: CheckRunUpdate): Promise<void> {
  await octokit.rest.checks.update({
    owner,
    repo,
    check_run_id: id,
    status: o.status,
    ...(o.conclusion !== undefined ? { conclusion: o.conclusion, completed_at: new Date().toISOString() } : {}),
    output: checkOutput(redactor, o),
    actions: o.actions ?? [],
  });
}

function checkOutput(redactor: Redactor, o: CheckRunOutput & Pick<CheckRunInput, 'now'>): CheckRunOutput {
  const output = redacted(redactor, o);
  const { now } = o;
  if (now === undefined) return output;
  // Octokit serialises the body when the request goes out, after its throttle held it: JSON.stringify
  // calls toJSON then (and again on a retry), so the output sent is the one of that moment.
  return { ...output, toJSON: () => redacted(redactor, now()) } as CheckRunOutput;
}

function redacted(redactor: Redactor, o: CheckRunOutput): CheckRunOutput {
  const output = { title: redactor.redact(o.title).slice(0, 255), summary: redactor.redact(o.summary) };
  // The text was redacted entry by entry before it was cut to GitHub's cap; this pass only repeats it.
  return o.text === undefined ? output : { ...output, text: redactor.redact(o.text) };
}
