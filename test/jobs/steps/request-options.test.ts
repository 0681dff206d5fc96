import { describe, expect, it } from 'vitest';
import { amp } from '../../../src/agents/amp.js';
import { codex } from '../../../src/agents/codex.js';
import { repoSettings } from '../../../src/config/repo-settings.js';
import { settingsFromEnv } from '../../../src/config/settings.js';
import type { Job } from '../../../src/job.js';
import { makeJob } from '../../helpers/jobs.js';
import { isBranchName, requestOptions } from '../../../src/jobs/steps/request-options.js';

const app = settingsFromEnv({});
const job = (options?: Record<string, string>): Job => makeJob({ profile: 'codex', trigger: { type: 'comment', commentId: 1 }, ...(options ? { options } : {}) });
const branches = async (b: string): Promise<boolean> => ['release-2', 'main'].includes(b);

describe("a request's options", () => {
  it("takes model= and base= over the repository's defaults", async () => {
    const repo = repoSettings({ agents: { codex: { model: 'gpt-5' } } }, app);
    expect(await requestOptions(job(), codex, repo, branches)).toEqual({ model: 'gpt-5', base: 'main' });
    expect(await requestOptions(job({ model: 'gpt-5.5', base: 'release-2' }), codex, repo, branches)).toEqual({ model: 'gpt-5.5', base: 'release-2' });
  });

  it('names unknown options and refuses those the repository does not allow', async () => {
    const repo = repoSettings({ options: { allow: ['model'] } }, app);
    await expect(requestOptions(job({ colour: 'blue', size: 'xl' }), codex, repo, branches)).rejects.toThrow(
      '`colour=`, `size=` are not options of `/agent`; the options are `model=`, `base=`',
    );
    await expect(requestOptions(job({ base: 'release-2' }), codex, repo, branches)).rejects.toThrow('This repository does not allow `base=` in requests (`options.allow`');
  });

  it('refuses a base branch that does not exist or is not a branch name, and a model for an agent without one', async () => {
    const repo = repoSettings({}, app);
    await expect(requestOptions(job({ base: 'nope' }), codex, repo, branches)).rejects.toThrow('There is no branch `nope` in this repository.');
    await expect(requestOptions(job({ base: '--upload-pack=x' }), codex, repo, branches)).rejects.toThrow('is not a valid branch name');
    await expect(requestOptions(job({ model: 'x' }), amp, repo, branches)).rejects.toThrow('Amp takes no model');
  });

  it('knows what a branch name is', () => {
    expect(['main', 'release-2', 'feature/x.y'].every(isBranchName)).toBe(true);
    expect(['-x', 'a..b', 'a b', 'a~1', 'x.lock', 'a/.b', '@', 'a@{1}', 'x/'].some(isBranchName)).toBe(false);
  });
});
