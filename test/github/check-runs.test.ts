import { ProbotOctokit } from 'probot';
import { describe, expect, it } from 'vitest';
import { createCheckRun, updateCheckRun } from '../../src/github/check-runs.js';
import type { Octokit } from '../../src/github/octokit.js';
import { Redactor } from '../../src/security/redact.js';

/** An installation's client with Probot's own throttle on (a second between writes), answering from a stub. */
function client(sent: Array<{ at: number; body: Record<string, unknown> }>, t0: number): Octokit {
  return new ProbotOctokit({
    auth: { token: 'ghs_test' },
    throttle: { id: `check-runs-${Math.random()}` },
    retry: { enabled: false },
    request: {
      fetch: async (_url: string, init: { body?: string }) => {
        sent.push({ at: Date.now() - t0, body: JSON.parse(init.body ?? '{}') as Record<string, unknown> });
        return new Response(JSON.stringify({ id: 8, html_url: 'https://github.example/o/r/runs/8' }), { status: 201, headers: { 'content-type': 'application/json' } });
      },
    },
  }) as unknown as Octokit;
}

describe('a check run whose output is given as it is when the request goes out (`now`)', () => {
  it("goes out with the text of the moment GitHub's write pacing lets it go, redacted, not of the moment it was asked for", async () => {
    const sent: Array<{ at: number; body: Record<string, unknown> }> = [];
    const t0 = Date.now();
    const octokit = client(sent, t0);
    const secret = 'sk-ant-api03-' + 'S'.repeat(40);
    const redactor = new Redactor([secret]);
    let transcript = 'nothing yet';
    // A first write takes the slot; the check run waits about a second behind it.
    const first = octokit.rest.reactions.createForIssue({ owner: 'o', repo: 'r', issue_number: 1, content: 'eyes' });
    const base = { title: 'Starting', summary: 'on it', status: 'in_progress' as const };
    const now = () => ({ title: transcript === 'nothing yet' ? 'Starting' : 'Working', summary: 'on it', text: transcript });
    const created = createCheckRun(octokit, { owner: 'o', repo: 'r' }, redactor, {
      ...base,
      name: 'issuesmith / Codex',
      headSha: 'a'.repeat(40),
      externalId: '1:d',
      text: transcript,
      now,
    });
    setTimeout(() => (transcript = `ran the tests with ${secret}`), 200);
    expect(await created).toEqual({ id: 8, url: 'https://github.example/o/r/runs/8' });
    await first;
    const check = sent.find((s) => 'head_sha' in s.body);
    expect(check?.at).toBeGreaterThanOrEqual(500);
    expect(check?.body.output).toEqual({ title: 'Working', summary: 'on it', text: 'ran the tests with [REDACTED]' });
    // Without `now`, the output is sent as it was given.
    await updateCheckRun(octokit, { owner: 'o', repo: 'r' }, redactor, 8, { ...base, text: `fixed ${secret}` });
    expect(sent.at(-1)?.body.output).toEqual({ title: 'Starting', summary: 'on it', text: 'fixed [REDACTED]' });
  });
});
