import nock from 'nock';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Probot } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import issuesmith from '../../src/index.js';
import { MemoryRepoLimiter } from '../../src/queue/repo-limiter.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { sandboxBudgetMs } from '../../src/jobs/steps/open-sandbox.js';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import type { CreateOptions, SandboxProvider } from '../../src/sandbox/provider.js';
import { GitServer } from '../helpers/git-server.js';
import { MockGitHubApi } from '../helpers/github-api.js';
import { useStrictNock } from '../helpers/nock-harness.js';
import { commentPayload, labeledPayload } from '../helpers/payloads.js';
import { testProbot } from '../helpers/probot.js';

const FIXTURE_BIN = join(import.meta.dirname, '..', 'fixtures', 'bin');
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const ANTHROPIC_KEY = 'sk-ant-test-key-0123456789abcdef';
const MISTRAL_KEY = 'mistral-test-key-abcdefghijklmnop';
const READ_TOKEN = 'ghs_readonlytoken000000000000000000000000000000000000000';
const WRITE_TOKEN = 'ghs_writetoken11111111111111111111111111111111111111111';
// Quotes, command substitution and a separator, with no space (an option's value is one word).
const HOSTILE_MODEL = `$(touch\${IFS}pwned)';touch\${IFS}pwned2;'\`touch\${IFS}pwned3\``;

describe("a job shaped by the repository's .github/issuesmith.yml", () => {
  useStrictNock();
  let git: GitServer;
  let sandboxRoot: string;
  let probot: Probot;
  let runtime: Runtime;
  let slots: Array<{ repo: string; max: number | undefined; running: number }>;
  let created: CreateOptions[];

  beforeEach(async () => {
    git = await new GitServer().start();
    git.createRepo(OWNER, REPO, { 'README.md': '# Hello\n', 'docs/agents.md': 'Use tabs, not spaces.\nMore.\n' });
    git.tokens.set(READ_TOKEN, 'read');
    git.tokens.set(WRITE_TOKEN, 'write');
    sandboxRoot = mkdtempSync(join(tmpdir(), 'issuesmith-test-cfg-'));
    probot = testProbot(`${git.url}/api/v3`);
    slots = [];
    created = [];
    const limiter = new MemoryRepoLimiter();
    const local = new LocalSandboxProvider({ path: `${FIXTURE_BIN}:${process.env.PATH ?? ''}`, root: sandboxRoot });
    const sandboxes: SandboxProvider = {
      name: 'local',
      create: (o) => (created.push(o), local.create(o)),
      connect: (id, owner) => local.connect(id, owner),
      kill: (id, owner) => local.kill(id, owner),
      killTagged: (m) => local.killTagged(m),
    };
    runtime = createRuntime(
      probot,
      {
        ANTHROPIC_API_KEY: ANTHROPIC_KEY,
        MISTRAL_API_KEY: MISTRAL_KEY,
        ISSUESMITH_CUSTOM_AGENT_SECRETS: 'MISTRAL_API_KEY',
        ISSUESMITH_WORK_DIR: sandboxRoot,
        ISSUESMITH_JOB_TIMEOUT_MINUTES: '1',
      },
      {
        sandboxes,
        limiter: {
          acquire: async (repo, max, signal) => {
            const release = await limiter.acquire(repo, max, signal);
            slots.push({ repo, max, running: limiter.running(repo) });
            return release;
          },
        },
      },
    );
    issuesmith(probot, {}, runtime);
  });

  afterEach(async () => {
    await runtime.queue.close();
    await git.stop();
    rmSync(sandboxRoot, { recursive: true, force: true });
  });

  function api(config: string | undefined, o: { commentId?: number; role?: string; login?: string } = {}): MockGitHubApi {
    return new MockGitHubApi(git.url, {
      owner: OWNER,
      repo: REPO,
      number: 1,
      login: 'Codertocat',
      readToken: READ_TOKEN,
      writeToken: WRITE_TOKEN,
      ...(config !== undefined ? { configFiles: { [`${OWNER}/${REPO}`]: config } } : {}),
      ...o,
    });
  }

  async function receive(name: 'issues' | 'issue_comment', payload: Record<string, unknown>): Promise<void> {
    await probot.receive({ id: `delivery-${Math.random()}`, name, payload } as never);
    await runtime.queue.drain();
  }

  it('runs a custom agent from the file end to end, its placeholders quoted, with its own key, setup, instructions and pull request settings', async () => {
    const record = join(sandboxRoot, 'record.json');
    const config = [
      'agents:',
      '  mini:',
      '    command: mini-agent --model {model} --prompt {prompt_file}',
      '    output: text',
      '    secrets: [MISTRAL_API_KEY]',
      '    env: { MINI_MODE: fast }',
      'setup:',
      `  - echo prepared > ${join(sandboxRoot, 'setup-ran')}`,
      '  - run: "true"',
      '    timeout_minutes: 2',
      'instructions: Always be brief.',
      'instructions_file: docs/agents.md',
      'pull_request:',
      '  branch_prefix: bot/',
      '  labels: [agent-made]',
      '  reviewers: [octocat, acme/reviewers]',
      '  draft: false',
    ].join('\n');
    const mock = api(config, { commentId: 6001 })
      .installationToken()
      .permission()
      .reaction('eyes')
      .scopedToken('read')
      .botIdentity()
      .scopedToken('write')
      .pullRequest()
      .labels()
      .reviewers()
      .status()
      .openPulls()
      .checkRuns()
      .reaction('rocket')
      .revoke(2);
    await receive(
      'issue_comment',
      commentPayload(`/agent mini model=${HOSTILE_MODEL} add a file\nfake-agent: record ${record}\nfake-agent: write out.txt hi\nfake-agent: say Added out.txt.`, {
        commentId: 6001,
        title: 'Add out',
      }),
    );

    const branch = 'bot/1-add-out';
    expect(git.branches(OWNER, REPO).sort()).toEqual([branch, 'main']);
    // Only the agent's file: the copied AGENTS.md and the quoted model's would-be files are not in it.
    expect(git.git(OWNER, REPO, ['ls-tree', '-r', '--name-only', branch]).split('\n').sort()).toEqual(['README.md', 'docs/agents.md', 'out.txt']);
    const seen = JSON.parse(readFileSync(record, 'utf8')) as { argv: string[]; env: Record<string, string>; stdin: string; cwd: string };
    expect(seen.argv).toEqual(['--model', HOSTILE_MODEL, '--prompt', expect.stringMatching(/\/\.issuesmith\/prompt\.md$/)]);
    expect(seen.env.MISTRAL_API_KEY).toBe(MISTRAL_KEY);
    expect(seen.env.MINI_MODE).toBe('fast');
    expect(seen.env.ANTHROPIC_API_KEY).toBeUndefined();
    expect(seen.stdin).toContain('<repository-instructions>\nAlways be brief.\n</repository-instructions>');
    expect(seen.stdin).toContain('add a file');
    expect(readFileSync(join(sandboxRoot, 'setup-ran'), 'utf8').trim()).toBe('prepared');
    // E2B's general template for a custom agent, its key and variables, and a lifetime that covers the setup steps.
    expect(created).toEqual([
      expect.objectContaining({ template: 'base', envs: { MINI_MODE: 'fast', MISTRAL_API_KEY: MISTRAL_KEY }, timeoutMs: sandboxBudgetMs(60_000) + 10 * 60_000 + 2 * 60_000 }),
    ]);

    const pr = mock.record.pulls[0] as { head: string; base: string; draft: boolean; body: string };
    expect(pr).toMatchObject({ head: branch, base: 'main', draft: false });
    expect(pr.body).toContain('read AGENTS.md: Use tabs, not spaces.');
    expect(mock.record.pulls.slice(1)).toEqual([{ labels: ['agent-made'] }, { requested: { reviewers: ['octocat'], team_reviewers: ['reviewers'] } }]);
    expect(mock.finalStatus).toMatch(/\*\*mini\*\*.* opened a pull request/);
    expect(mock.record.status.join('\n')).not.toContain(MISTRAL_KEY);
  });

  it('answers a file with mistakes with one comment listing them, and creates no sandbox', async () => {
    const mock = api('agents:\n  codex:\n    timeout_minutes: ten\npermission: owner\n', { commentId: 6002 }).installationToken().finalStatusOnly().reaction('confused');
    await receive('issue_comment', commentPayload('/agent claude go', { commentId: 6002 }));
    expect(mock.record.comments).toEqual([]);
    expect(mock.record.status).toHaveLength(1);
    expect(mock.finalStatus).toContain('`.github/issuesmith.yml` has 2 problems, so nothing ran:');
    expect(mock.finalStatus).toContain('- agents.codex.timeout_minutes: expected a number, got "ten"');
    expect(mock.finalStatus).toContain('- permission: expected one of "write", "maintain", "admin", got "owner"');
    expect(readdirSync(sandboxRoot)).toEqual([]);
    expect(git.requests).toEqual([]);
  });

  it('stays silent about a broken file for a label that was never meant for it', async () => {
    const mock = api('permission: owner\n').installationToken();
    await receive('issues', labeledPayload('bug'));
    expect(mock.record.comments).toEqual([]);
  });

  it('stays silent when GitHub fails to give the file for a label that was never meant for it', async () => {
    // Registered first, so it answers before the helper's usual head commit.
    nock(git.url).get(`/api/v3/repos/${OWNER}/${REPO}/commits/main`).reply(502, { message: 'Server Error' });
    const mock = api(undefined).installationToken();
    await receive('issues', labeledPayload('bug'));
    expect(mock.record.comments).toEqual([]);
    expect(mock.record.status).toEqual([]);
  });

  it('refuses a change to a workflow by default, naming it, and pushes nothing', async () => {
    const mock = api(undefined, { commentId: 6003 }).firstRunRefused();
    await receive('issue_comment', commentPayload('/agent claude ci\nfake-agent: write .github/workflows/ci.yml on: push', { commentId: 6003 }));
    expect(mock.finalStatus).toContain('touches GitHub Actions workflows (`.github/workflows/ci.yml`)');
    expect(mock.finalStatus).toContain('allow_workflow_changes: true');
    expect(git.branches(OWNER, REPO)).toEqual(['main']);
  });

  it('pushes a change to a workflow when the repository allows it', async () => {
    const record = join(sandboxRoot, 'claude.json');
    const config = 'allow_workflow_changes: true\nagents:\n  claude:\n    model: opus-x\n    timeout_minutes: 90\n';
    const mock = api(config, { commentId: 6004 }).firstRunOpeningPullRequest();
    await receive(
      'issue_comment',
      commentPayload(`/agent claude ci\nfake-agent: record ${record}\nfake-agent: write .github/workflows/ci.yml on: push`, { commentId: 6004, title: 'CI' }),
    );
    expect(git.git(OWNER, REPO, ['show', 'issuesmith/1-ci:.github/workflows/ci.yml'])).toBe('on: push');
    expect(mock.record.pulls).toHaveLength(1);
    // Only this push's token may change workflows; the sandbox's stays read-only.
    expect(mock.record.tokenRequests).toEqual([
      { repositories: [REPO], permissions: { contents: 'read' } },
      { repositories: [REPO], permissions: { contents: 'write', workflows: 'write' } },
    ]);
    // The agent's settings from the file: its model, and a time limit cut down to the app's, with a note.
    expect((JSON.parse(readFileSync(record, 'utf8')) as { argv: string[] }).argv).toEqual(expect.arrayContaining(['--model', 'opus-x']));
    expect(mock.finalStatus).toContain('the time limit of `claude` (90 minutes) is more than this app allows; 1 minutes apply');
  });

  it('reports a failed setup command with its redacted output, and never starts the agent', async () => {
    const token = `ghp_${'z'.repeat(36)}`;
    const config = `setup:\n  - run: echo installing; echo "using ${token}"; echo broken >&2; exit 3\n    timeout_minutes: 1\n`;
    const mock = api(config, { commentId: 6005 }).firstRunRefused();
    await receive('issue_comment', commentPayload('/agent claude go\nfake-agent: write never.txt x', { commentId: 6005 }));
    const body = mock.finalStatus;
    expect(body).toContain('Setup step 1 (`echo installing; echo "using [REDACTED]"; echo broken >&2...`) failed with exit code 3, so the agent did not run');
    expect(body).toContain('<details><summary>Last lines of its output</summary>');
    expect(body).toContain('broken');
    expect(body).not.toContain(token);
    expect(git.branches(OWNER, REPO)).toEqual(['main']);
    expect(readdirSync(sandboxRoot)).toEqual([]);
  });

  it('refuses a writer when the repository asks for admin, and someone not in allowed_users', async () => {
    const mock = api('permission: admin\n', { commentId: 6006, role: 'write' }).installationToken().permission().comment().noQueuedStatus();
    await receive('issue_comment', commentPayload('/agent claude go', { commentId: 6006 }));
    expect(mock.record.comments).toEqual([expect.stringContaining('Sorry @Codertocat, only people with admin access')]);
    expect(git.requests).toEqual([]);
  });

  it('refuses someone not in allowed_users, even with write access', async () => {
    const mock = api('allowed_users: [hubot]\n', { commentId: 6007, role: 'admin' }).installationToken().permission().comment().noQueuedStatus();
    await receive('issue_comment', commentPayload('/agent claude go', { commentId: 6007 }));
    expect(mock.record.comments).toEqual([expect.stringContaining('only lets the people listed in `allowed_users`')]);
    expect(git.requests).toEqual([]);
  });

  it("answers the repository's own command and ignores the app's there; the file is read once per commit", async () => {
    const mock = api('trigger:\n  command: /ai\ncolour: blue\nagents:\n  mini:\n    command: mini-agent\n    output: text\n', { commentId: 6008 })
      .installationToken()
      .permission()
      .reaction('eyes')
      .comment()
      .noQueuedStatus();
    await receive('issue_comment', commentPayload('/agent help', { commentId: 6008 }));
    // In the app's words but not this repository's: nothing is posted (a "Queued" status, had the job waited, would say it will not run).
    expect(mock.record.comments).toEqual([]);
    await receive('issue_comment', commentPayload('/ai help', { commentId: 6008 }));
    expect(mock.record.comments).toHaveLength(1);
    expect(mock.record.comments[0]).toContain('`/ai <agent> <instructions>`');
    // A custom agent that needs no key is ready.
    expect(mock.record.comments[0]).toMatch(/Agents: .*`mini`/);
    // The unknown key is named under the job's comment.
    expect(mock.record.comments[0]).toContain('colour: unknown setting, ignored');
    // Two jobs within two seconds: the branch head is asked once, the file read once.
    expect(mock.record.headReads).toBe(1);
    expect(mock.record.configReads).toEqual([`${OWNER}/${REPO}`]);
  });

  it("holds a slot of the repository's job limit for the job", async () => {
    const mock = api('limits:\n  max_concurrent_jobs: 1\n', { commentId: 6011 }).installationToken().permission().reaction('eyes').comment();
    await receive('issue_comment', commentPayload('/agent help', { commentId: 6011 }));
    expect(mock.record.comments).toHaveLength(1);
    expect(slots).toEqual([{ repo: `${OWNER}/${REPO}`, max: 1, running: 1 }]);
  });

  it('starts from another branch with base= and opens the pull request against it', async () => {
    git.git(OWNER, REPO, ['branch', 'release-2', 'main']);
    const mock = api(undefined, { commentId: 6009 })
      .installationToken()
      .permission()
      .reaction('eyes')
      .branch('release-2')
      .scopedToken('read')
      .botIdentity()
      .scopedToken('write')
      .pullRequest()
      .status()
      .openPulls()
      .checkRuns()
      .reaction('rocket')
      .revoke(2);
    await receive('issue_comment', commentPayload('/agent claude base=release-2 fix\nfake-agent: write fix.txt ok', { commentId: 6009, title: 'Fix' }));
    expect(mock.record.pulls[0]).toMatchObject({ base: 'release-2', head: 'issuesmith/1-fix' });
  });

  it('names an unknown option and runs nothing', async () => {
    const mock = api(undefined, { commentId: 6010 }).installationToken().permission().reaction('eyes').status().openPulls().reaction('confused');
    await receive('issue_comment', commentPayload('/agent claude colour=blue fix', { commentId: 6010 }));
    expect(mock.finalStatus).toContain('`colour=` is not an option of `/agent`');
    expect(existsSync(sandboxRoot) && readdirSync(sandboxRoot)).toEqual([]);
  });
});
