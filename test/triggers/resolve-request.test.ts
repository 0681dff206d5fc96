import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/job.js';
import { makeJob } from '../helpers/jobs.js';
import { resolveRequest, type RequestTrigger } from '../../src/triggers/resolve-request.js';

const job = (o: Partial<Job>): Job => makeJob({ trigger: { type: 'comment', commentId: 1 }, ...o });
const repo: RequestTrigger = { labelPrefix: 'ai', command: '/ai', defaultProfile: 'codex', isProfile: (w) => ['claude', 'codex', 'mine'].includes(w) };

describe("reading a request with the repository's own trigger", () => {
  it("takes the repository's label prefix and default agent", () => {
    expect(resolveRequest(job({ trigger: { type: 'label', label: 'AI' } }), repo)).toEqual({ kind: 'run', profile: 'codex', instructions: '', options: {}, named: false });
    expect(resolveRequest(job({ trigger: { type: 'label', label: 'ai:mine' } }), repo)).toMatchObject({ kind: 'run', profile: 'mine' });
    expect(resolveRequest(job({ trigger: { type: 'label', label: 'agent' } }), repo).kind).toBe('ignore');
  });

  it("takes the repository's command and its custom agents, and ignores the app's command there", () => {
    expect(resolveRequest(job({ comment: '/ai mine model=m go' }), repo)).toEqual({ kind: 'run', profile: 'mine', instructions: 'go', options: { model: 'm' }, named: true });
    expect(resolveRequest(job({ comment: '/ai help' }), repo)).toEqual({ kind: 'help' });
    expect(resolveRequest(job({ comment: '/agent claude go' }), repo).kind).toBe('ignore');
    expect(resolveRequest(job({ comment: '/lgtm' }), repo).kind).toBe('ignore');
  });

  it('keeps what the handler parsed for a job without the comment text', () => {
    expect(resolveRequest(job({ profile: 'claude', instructions: 'x', options: { base: 'b' } }), repo)).toEqual({
      kind: 'run',
      profile: 'claude',
      instructions: 'x',
      options: { base: 'b' },
      named: true,
    });
  });
});
