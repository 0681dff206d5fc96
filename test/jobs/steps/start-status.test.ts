import { describe, expect, it } from 'vitest';
import { settingsFromEnv } from '../../../src/config/settings.js';
import type { JobGitHub } from '../../../src/github/job-github.js';
import type { JobDeps } from '../../../src/jobs/job-deps.js';
import { silentProgress } from '../../../src/jobs/progress.js';
import { startOnBranch } from '../../../src/jobs/steps/start-status.js';
import { Turn } from '../../../src/jobs/steps/turn.js';
import { Redactor } from '../../../src/security/redact.js';
import { makeJob } from '../../helpers/jobs.js';

/** What startOnBranch told the status, in order, when GitHub answers the branch's head with `head`. */
async function started(head: () => Promise<string | undefined>): Promise<{ said: string[]; logged: string[] }> {
  const said: string[] = [];
  const logged: string[] = [];
  const deps = {
    github: { branchHead: head } as unknown as JobGitHub,
    settings: settingsFromEnv({}),
    log: { info: () => undefined, warn: (o: unknown, m: string) => logged.push(`${m} ${JSON.stringify(o)}`), error: () => undefined },
    redactor: new Redactor(['ghs_secret_in_an_error_0000000000000000']),
    progress: {
      ...silentProgress,
      checkRun: (sha: string, o?: { onBase?: boolean }) => void said.push(`check run ${sha}${o?.onBase === true ? ' on base' : ''}`),
      start: async () => void said.push('start'),
    },
  } as unknown as JobDeps;
  await startOnBranch(new Turn(makeJob({}), deps), 'main');
  return { said, logged };
}

describe("a first run's status starts on its base branch's head", () => {
  it('makes the check run there before the status comment', async () => {
    expect((await started(async () => 'c'.repeat(40))).said).toEqual([`check run ${'c'.repeat(40)} on base`, 'start']);
  });

  it('starts with the comment alone when GitHub has no head for the branch, or cannot say (the clone then makes the check run), with the error redacted in the log', async () => {
    expect((await started(async () => undefined)).said).toEqual(['start']);
    const failing = await started(async () => {
      throw Object.assign(new Error('Server Error with ghs_secret_in_an_error_0000000000000000'), { status: 500 });
    });
    expect(failing.said).toEqual(['start']);
    expect(failing.logged.join('\n')).toContain('could not read the base branch head');
    expect(failing.logged.join('\n')).not.toContain('ghs_secret_in_an_error');
  });
});
