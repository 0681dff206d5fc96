import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { builtInProfiles } from '../../src/agents/registry.js';
import { parseRepoConfig } from '../../src/config/repo-config.js';
import type { Octokit } from '../../src/github/octokit.js';
import { RepoConfigLoader } from '../../src/github/repo-config-loader.js';
import { useStrictNock } from '../helpers/nock-harness.js';
import { testProbot } from '../helpers/probot.js';

const BASE = 'https://ghe.test';
const API = '/api/v3';
const SHA1 = '1'.repeat(40);
const SHA2 = '2'.repeat(40);

async function installation(): Promise<Octokit> {
  nock(BASE)
    .post(`${API}/app/installations/1/access_tokens`)
    .reply(201, { token: 'ghs_loader', expires_at: new Date(Date.now() + 3600_000).toISOString() });
  return (await testProbot(`${BASE}${API}`).auth(1)) as Octokit;
}

function head(sha: string, repo = 'acme/widgets'): void {
  nock(BASE).get(`${API}/repos/${repo}/commits/main`).reply(200, sha, { 'content-type': 'application/vnd.github.sha; charset=utf-8' });
}

function file(repo: string, text: string | undefined, ref?: string): nock.Scope {
  const scope = nock(BASE).get(`${API}/repos/${repo}/contents/.github%2Fissuesmith.yml`);
  const q = ref !== undefined ? scope.query({ ref }) : scope.query(true);
  return text === undefined ? q.reply(404, { message: 'Not Found' }) : q.reply(200, text, { 'content-type': 'text/plain; charset=utf-8' });
}

describe('reading .github/issuesmith.yml', () => {
  useStrictNock();

  it("follows _extends to the organisation's repository and merges it under the repository's own", async () => {
    const octokit = await installation();
    head(SHA1);
    file('acme/widgets', '_extends: .github\nagents:\n  codex:\n    model: gpt-5.5\n', SHA1);
    file('acme/.github', 'permission: maintain\nagents:\n  codex:\n    timeout_minutes: 20\n    model: gpt-5\nsetup: [npm ci]\n');
    const loaded = await new RepoConfigLoader().load(octokit, 'acme', 'widgets', 'main');
    expect(loaded.raw).toEqual({ permission: 'maintain', agents: { codex: { timeout_minutes: 20, model: 'gpt-5.5' } }, setup: ['npm ci'] });
    expect(loaded.sources.map((s) => s.label)).toEqual(['acme/widgets:.github/issuesmith.yml', 'acme/.github:.github/issuesmith.yml']);
    expect(loaded.sha).toBe(SHA1);
  });

  it("uses the owner's .github repository when the repository has no file, and names the file a problem is in", async () => {
    const octokit = await installation();
    head(SHA1);
    file('acme/widgets', undefined, SHA1);
    file('acme/.github', 'limits:\n  max_patch_bytes: lots\n');
    const loaded = await new RepoConfigLoader().load(octokit, 'acme', 'widgets', 'main');
    const parsed = parseRepoConfig(loaded.raw, { builtIns: builtInProfiles, customAgentSecrets: new Set() }, loaded.sources);
    expect(parsed).toMatchObject({ ok: false, problems: ['limits.max_patch_bytes: expected a number, got "lots"'] });
  });

  it('reads the file once for a burst of jobs at the same commit, and again after a new commit', async () => {
    const octokit = await installation();
    let now = 0;
    const loader = new RepoConfigLoader(5 * 60_000, () => now);
    head(SHA1);
    file('acme/widgets', 'permission: admin\n', SHA1);
    const first = await loader.load(octokit, 'acme', 'widgets', 'main');
    now = 2_500;
    head(SHA1);
    const second = await loader.load(octokit, 'acme', 'widgets', 'main');
    expect(second).toBe(first);
    now = 5_000;
    head(SHA2);
    file('acme/widgets', 'permission: write\n', SHA2);
    expect((await loader.load(octokit, 'acme', 'widgets', 'main')).raw).toEqual({ permission: 'write' });
  });

  it('asks for the branch head once for a burst of deliveries within two seconds, at the same time or one after another', async () => {
    const octokit = await installation();
    let now = 0;
    const loader = new RepoConfigLoader(5 * 60_000, () => now);
    head(SHA1);
    file('acme/widgets', 'permission: admin\n', SHA1);
    // Twenty at once, then five more a second later: one head request, one read (the strict nock harness fails on a second).
    const burst = await Promise.all(Array.from({ length: 20 }, () => loader.load(octokit, 'acme', 'widgets', 'main')));
    now = 1_000;
    for (let i = 0; i < 5; i++) burst.push(await loader.load(octokit, 'acme', 'widgets', 'main'));
    expect(new Set(burst.map((b) => b.sha))).toEqual(new Set([SHA1]));
    // Past the two seconds, the head is asked again: a new commit is seen.
    now = 2_001;
    head(SHA2);
    file('acme/widgets', 'permission: write\n', SHA2);
    expect((await loader.load(octokit, 'acme', 'widgets', 'main')).raw).toEqual({ permission: 'write' });
  });

  it('reads it again when the entry is older than its time to live (for files of other repositories)', async () => {
    const octokit = await installation();
    let now = 0;
    const loader = new RepoConfigLoader(60_000, () => now);
    head(SHA1);
    file('acme/widgets', 'permission: admin\n', SHA1);
    await loader.load(octokit, 'acme', 'widgets', 'main');
    now = 61_000;
    head(SHA1);
    file('acme/widgets', 'permission: maintain\n', SHA1);
    expect((await loader.load(octokit, 'acme', 'widgets', 'main')).raw).toEqual({ permission: 'maintain' });
  });

  it('says the file is not YAML as a problem for the maintainer', async () => {
    const octokit = await installation();
    head(SHA1);
    file('acme/widgets', 'permission: [write\n', SHA1);
    await expect(new RepoConfigLoader().load(octokit, 'acme', 'widgets', 'main')).rejects.toMatchObject({
      name: 'UserError',
      message: expect.stringContaining('`.github/issuesmith.yml` could not be read: Configuration could not be parsed from'),
    });
  });
});
