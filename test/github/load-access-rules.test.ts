import { describe, expect, it } from 'vitest';
import type { AccessRules } from '../../src/access/access-rules.js';
import { loadAccessRules } from '../../src/github/load-access-rules.js';
import type { Octokit } from '../../src/github/octokit.js';
import { recordingLogger } from '../helpers/jobs.js';

const DEFAULTS: AccessRules = { permission: 'write', allowedUsers: undefined };
const octokit = {} as Octokit;

function load(raw: Record<string, unknown> | Error) {
  const log = recordingLogger();
  const loader = { load: async () => (raw instanceof Error ? Promise.reject(raw) : { raw, sources: [], sha: undefined }) };
  return { log, rules: loadAccessRules({ octokit, loader, defaults: DEFAULTS, owner: 'o', repo: 'r', branch: 'main', log }) };
}

describe('loadAccessRules', () => {
  it("takes the repository's permission and allowed_users (lowercase)", async () => {
    expect(await load({ permission: 'admin', allowed_users: ['Hubot'] }).rules).toEqual({ permission: 'admin', allowedUsers: ['hubot'] });
  });

  it("keeps the app's defaults when the file has neither", async () => {
    expect(await load({ default_agent: 'codex' }).rules).toEqual(DEFAULTS);
  });

  it('enforces a stricter rule even when another part of the file is broken', async () => {
    expect(await load({ permission: 'maintain', agents: 'not a mapping' }).rules).toEqual({ permission: 'maintain', allowedUsers: undefined });
  });

  it("applies the app's defaults, and logs it, when the file cannot be read", async () => {
    const { rules, log } = load(new Error('GitHub is down'));
    expect(await rules).toEqual(DEFAULTS);
    expect(log.lines).toEqual([expect.objectContaining({ level: 'warn', msg: expect.stringContaining("the app's access rules apply") })]);
  });

  it('applies the default of a rule that does not parse, and logs it', async () => {
    const { rules, log } = load({ permission: 'superuser', allowed_users: ['hubot'] });
    expect(await rules).toEqual({ permission: 'write', allowedUsers: ['hubot'] });
    expect(log.lines).toHaveLength(1);
  });
});
