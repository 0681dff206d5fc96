import type { Job } from '../../src/jobs/job.js';

/** A plain job: an `/agent` comment on issue #1 of o/r; tests override what they look at. */
export function sampleJob(o: Partial<Job> = {}): Job {
  return {
    deliveryId: 'd',
    installationId: 1,
    owner: 'o',
    repo: 'r',
    number: 1,
    kind: 'run',
    profile: 'claude',
    instructions: '',
    issue: { title: 't', body: '' },
    defaultBranch: 'main',
    requester: { login: 'u', id: 1 },
    trigger: { type: 'comment', commentId: 1 },
    receivedAt: '2026-11-23T00:00:00Z',
    ...o,
  };
}
