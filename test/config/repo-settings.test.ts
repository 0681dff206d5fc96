import { describe, expect, it } from 'vitest';
import { ProfileRegistry } from '../../src/agents/registry.js';
import { agentSettings, jobSettings, repoProfiles, repoSettings } from '../../src/config/repo-settings.js';
import { settingsFromEnv } from '../../src/config/settings.js';

const app = settingsFromEnv({ ISSUESMITH_JOB_TIMEOUT_MINUTES: '30' });

describe("a repository's agents and a job's settings", () => {
  it('adjusts a built-in agent (by name or alias) and adds custom ones, leaving the app registry alone', () => {
    const builtIns = new ProfileRegistry();
    const repo = repoSettings(
      {
        agents: {
          'claude-code': { template: 'claude-node22', env: { NODE_ENV: 'test' }, model: 'opus' },
          mine: { command: 'mine {prompt_file}', output: 'text', template: 'mine' },
        },
      },
      app,
    );
    const profiles = repoProfiles(builtIns, repo);
    const claude = profiles.require('claude');
    expect(claude.template).toBe('claude-node22');
    expect(claude.env).toEqual({ IS_SANDBOX: '1', NODE_ENV: 'test' });
    expect(agentSettings(repo, claude).model).toBe('opus');
    expect(profiles.require('mine')).toMatchObject({ name: 'mine', template: 'mine' });
    expect(builtIns.require('claude').template).toBe('issuesmith-claude-2-1-197');
    expect(builtIns.get('mine')).toBeUndefined();
  });

  it("shortens the time limit for an agent, but never beyond the app's", () => {
    const repo = repoSettings({ permission: 'admin', pull_request: { draft: false } }, app);
    expect(jobSettings(app, repo, { timeout_minutes: 5 })).toMatchObject({ jobTimeoutMs: 5 * 60_000, permission: 'admin', draftPullRequests: false });
    expect(jobSettings(app, repo, { timeout_minutes: 90 }).jobTimeoutMs).toBe(30 * 60_000);
  });
});
