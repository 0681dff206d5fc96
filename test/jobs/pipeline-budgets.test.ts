import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import issuesmith from '../../src/index.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import { GitServer } from '../helpers/git-server.js';
import { MockGitHubApi } from '../helpers/github-api.js';
import { useStrictNock } from '../helpers/nock-harness.js';
import { commentPayload } from '../helpers/payloads.js';
import { testProbot } from '../helpers/probot.js';

const FIXTURE_BIN = join(import.meta.dirname, '..', 'fixtures', 'bin');
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const BRANCH = 'issuesmith/1-spelling-error-in-the-readme-file';
const READ_TOKEN = 'ghs_budgetreadtoken00000000000000000000000000000000000';
const WRITE_TOKEN = 'ghs_budgetwritetoken1111111111111111111111111111111111';
const KEYS = { ANTHROPIC_API_KEY: 'sk-ant-budget-test-0123456789abcdef', CODEX_API_KEY: 'sk-codex-budget-test-0123456789abcdef' };

describe('per-job budgets on turns and spend', () => {
  useStrictNock();
  let git: GitServer;
  let root: string;
  let runtime: Runtime | undefined;

  beforeEach(async () => {
    git = await new GitServer().start();
    git.createRepo(OWNER, REPO, { 'README.md': '# Hello\n' });
    git.tokens.set(READ_TOKEN, 'read');
    git.tokens.set(WRITE_TOKEN, 'write');
    root = mkdtempSync(join(tmpdir(), 'issuesmith-budgets-'));
  });

  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
    await git.stop();
    rmSync(root, { recursive: true, force: true });
  });

  function api(commentId: number, config?: string): MockGitHubApi {
    return new MockGitHubApi(git.url, {
      owner: OWNER,
      repo: REPO,
      number: 1,
      login: 'Codertocat',
      readToken: READ_TOKEN,
      writeToken: WRITE_TOKEN,
      commentId,
      ...(config !== undefined ? { configFiles: { [`${OWNER}/${REPO}`]: config } } : {}),
    });
  }

  async function run(env: Record<string, string>, body: string, commentId: number): Promise<void> {
    const probot = testProbot(`${git.url}/api/v3`);
    const sandboxes = new LocalSandboxProvider({ path: `${FIXTURE_BIN}:${process.env.PATH ?? ''}`, root });
    runtime = createRuntime(probot, { ...KEYS, ISSUESMITH_WORK_DIR: root, ISSUESMITH_JOB_TIMEOUT_MINUTES: '1', ...env }, { sandboxes });
    issuesmith(probot, {}, runtime);
    await probot.receive({ id: `d-${commentId}`, name: 'issue_comment', payload: commentPayload(body, { commentId }) } as never);
    await runtime.queue.drain();
  }

  /**
   * A job that runs a while shows its check run on the base commit before the pull request exists, and
   * opens a second one on the pull request's head; a quick one only the second.
   */
  function withCheckOnBase(mock: MockGitHubApi): MockGitHubApi {
    mock.scope
      .post(`${mock.repoPath}/check-runs`)
      .optionally()
      .reply(201, (_uri, body) => {
        mock.record.checkRuns.push(body as Record<string, unknown>);
        return { id: 8001, html_url: `https://github.example/${OWNER}/${REPO}/runs/8001` };
      });
    return mock;
  }

  function argv(record: string): string[] {
    return (JSON.parse(readFileSync(record, 'utf8')) as { argv: string[] }).argv;
  }

  it('stops OpenCode once its cost budget is spent and keeps the work as a draft pull request marked incomplete, naming the cost budget', async () => {
    const mock = api(7001).firstRunOpeningPullRequest();
    withCheckOnBase(mock);
    // Each request costs a cent; left alone, the agent would go on for a hundred of them and then sleep past the time limit.
    await run({ ISSUESMITH_MAX_COST_USD: '0.05' }, '/agent opencode fix it\nfake-agent: write started.txt half done\nfake-agent: turns 100 0.01\nfake-agent: sleep 120', 7001);
    expect(git.git(OWNER, REPO, ['show', `${BRANCH}:started.txt`])).toBe('half done');
    const pr = mock.record.pulls[0] as { body: string; draft: boolean };
    expect(pr.draft).toBe(true);
    const why = 'OpenCode was stopped because its cost budget ran out: it spent $0.0502 of the $0.0500 one job may spend.';
    expect(pr.body).toContain(`This change is incomplete: ${why}`);
    expect(pr.body).toContain('Refs #1');
    expect(mock.finalStatus).toContain(`did not finish: ${why}`);
    // The pull request's head carries the failed check run (the base commit's, if one was made by then, ends neutral).
    const check = mock.record.checkRuns.find((c) => c.conclusion === 'failure') as { output: { title: string; summary: string } } | undefined;
    expect(check?.output.title).toBe('OpenCode ran out of its cost budget; partial work pushed');
    expect(check?.output.summary).toContain(why);
  });

  it('passes the turn budget to Claude Code as --max-turns and reports the turn budget when Claude Code stops at it', async () => {
    const record = join(root, 'claude.json');
    const mock = api(7002).firstRunOpeningPullRequest();
    withCheckOnBase(mock);
    await run({ ISSUESMITH_MAX_TURNS: '3' }, `/agent claude fix it\nfake-agent: record ${record}\nfake-agent: write started.txt half done\nfake-agent: turns 10`, 7002);
    expect(argv(record)).toEqual(expect.arrayContaining(['--max-turns', '3']));
    expect(argv(record)).not.toContain('--max-budget-usd');
    expect(git.git(OWNER, REPO, ['show', `${BRANCH}:started.txt`])).toBe('half done');
    const pr = mock.record.pulls[0] as { body: string; draft: boolean };
    expect(pr.draft).toBe(true);
    expect(pr.body).toContain('This change is incomplete: Claude Code was stopped because its turn budget ran out: it used 3 of the 3 turns (model requests) one job may make.');
  });

  it('enforces the turn budget itself for an agent without a turn flag (Codex), and keeps its work', async () => {
    const mock = api(7003).firstRunOpeningPullRequest();
    withCheckOnBase(mock);
    // The fake codex refuses any flag the real one lacks: the run getting this far shows none was added.
    await run({ ISSUESMITH_MAX_TURNS: '3' }, '/agent codex fix it\nfake-agent: write started.txt half done\nfake-agent: turns 50\nfake-agent: sleep 120', 7003);
    expect(git.git(OWNER, REPO, ['show', `${BRANCH}:started.txt`])).toBe('half done');
    const why = 'Codex was stopped because its turn budget ran out: it used 3 of the 3 turns (model requests) one job may make.';
    expect((mock.record.pulls[0] as { body: string }).body).toContain(`This change is incomplete: ${why}`);
    expect(mock.finalStatus).toContain(`did not finish: ${why}`);
  });

  it("lets a repository's budget lower the operator's, an agent's own lower still", async () => {
    const record = join(root, 'claude.json');
    const config = 'budget:\n  max_turns: 5\n  max_cost_usd: 0.25\nagents:\n  claude:\n    budget:\n      max_turns: 2\n';
    const mock = api(7004, config).firstRunOpeningPullRequest();
    withCheckOnBase(mock);
    await run({ ISSUESMITH_MAX_TURNS: '50', ISSUESMITH_MAX_COST_USD: '2' }, `/agent claude fix it\nfake-agent: record ${record}\nfake-agent: write done.txt done`, 7004);
    expect(argv(record)).toEqual(expect.arrayContaining(['--max-turns', '2', '--max-budget-usd', '0.25']));
    expect(mock.finalStatus).toContain('opened a pull request');
  });

  it("lowers a repository's budget above the operator's to the operator's, with a warning (max_cost_usd: 1e9)", async () => {
    const record = join(root, 'claude.json');
    const config = 'budget:\n  max_cost_usd: 1e9\n  max_turns: 100000\nagents:\n  claude:\n    budget:\n      max_cost_usd: 1000000000\n';
    const mock = api(7005, config).firstRunOpeningPullRequest();
    withCheckOnBase(mock);
    await run({ ISSUESMITH_MAX_TURNS: '40', ISSUESMITH_MAX_COST_USD: '0.5' }, `/agent claude fix it\nfake-agent: record ${record}\nfake-agent: write done.txt done`, 7005);
    const args = argv(record);
    expect(args.slice(args.indexOf('--max-turns'), args.indexOf('--max-turns') + 2)).toEqual(['--max-turns', '40']);
    expect(args.slice(args.indexOf('--max-budget-usd'), args.indexOf('--max-budget-usd') + 2)).toEqual(['--max-budget-usd', '0.5']);
    expect(mock.finalStatus).toContain('budget.max_cost_usd: $1000000000.00 is more than this app allows for one job; limited to $0.5000');
    expect(mock.finalStatus).toContain('agents.claude.budget.max_cost_usd: $1000000000.00 is more than this app allows for one job; limited to $0.5000');
    expect(mock.finalStatus).toContain('budget.max_turns: 100000 turns is more than this app allows for one job; limited to 40');
  });

  it('answers a budget that is not a positive number with the problems on the issue, and runs nothing', async () => {
    const config = 'budget:\n  max_turns: -3\n  max_cost_usd: lots\nagents:\n  codex:\n    budget:\n      max_turns: 2.5\n';
    const mock = api(7006, config).installationToken().finalStatusOnly().reaction('confused');
    await run({ ISSUESMITH_MAX_COST_USD: '1' }, '/agent claude fix it', 7006);
    expect(mock.finalStatus).toContain('`.github/issuesmith.yml` has 3 problems, so nothing ran:');
    expect(mock.finalStatus).toContain('- budget.max_turns: must be more than 0, got -3');
    expect(mock.finalStatus).toContain('- budget.max_cost_usd: expected a number, got "lots"');
    expect(mock.finalStatus).toContain('- agents.codex.budget.max_turns: expected a whole number, got 2.5');
    expect(readdirSync(root)).toEqual([]);
    expect(git.requests).toEqual([]);
  });
});
