import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Probot } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoSettings, setupTotalMs } from '../../src/config/repo-settings.js';
import { settingsFromEnv } from '../../src/config/settings.js';
import issuesmith from '../../src/index.js';
import { sandboxBudgetMs } from '../../src/jobs/steps/open-sandbox.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import { runSetup } from '../../src/sandbox/prepare-checkout.js';
import type { CreateOptions, Sandbox, SandboxProvider } from '../../src/sandbox/provider.js';
import { Redactor } from '../../src/security/redact.js';
import { GitServer } from '../helpers/git-server.js';
import { MockGitHubApi } from '../helpers/github-api.js';
import { useStrictNock } from '../helpers/nock-harness.js';
import { commentPayload } from '../helpers/payloads.js';
import { testProbot } from '../helpers/probot.js';

const FIXTURE_BIN = join(import.meta.dirname, '..', 'fixtures', 'bin');
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const READ_TOKEN = 'ghs_readonlytoken000000000000000000000000000000000000000';
const WRITE_TOKEN = 'ghs_writetoken11111111111111111111111111111111111111111';
const MINUTE = 60_000;

// The attacker's .github/issuesmith.yml: twenty setup steps of a day each, to hold a sandbox (and the
// operator's E2B bill) for twenty days.
const GREEDY = ['setup:', ...Array.from({ length: 20 }, () => ['  - run: "true"', '    timeout_minutes: 1440']).flat()].join('\n');

describe("a repository's setup steps asking for more time than the operator allows", () => {
  useStrictNock();
  let git: GitServer;
  let sandboxRoot: string;
  let probot: Probot;
  let runtime: Runtime;
  let created: CreateOptions[];
  let runs: Array<{ cmd: string; timeoutMs: number | undefined }>;

  beforeEach(async () => {
    git = await new GitServer().start();
    git.createRepo(OWNER, REPO, { 'README.md': '# Hello\n' });
    git.tokens.set(READ_TOKEN, 'read');
    git.tokens.set(WRITE_TOKEN, 'write');
    sandboxRoot = mkdtempSync(join(tmpdir(), 'issuesmith-test-setup-'));
    probot = testProbot(`${git.url}/api/v3`);
    created = [];
    runs = [];
    const local = new LocalSandboxProvider({ path: `${FIXTURE_BIN}:${process.env.PATH ?? ''}`, root: sandboxRoot });
    // The sandbox as it is, its commands' time limits written down.
    const recorded = (s: Sandbox): Sandbox =>
      new Proxy(s, {
        get(target, prop) {
          if (prop === 'run') {
            return (cmd: string, o: Parameters<Sandbox['run']>[1] = {}) => {
              runs.push({ cmd, timeoutMs: o.timeoutMs });
              return target.run(cmd, o);
            };
          }
          const v: unknown = Reflect.get(target, prop);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    const sandboxes: SandboxProvider = {
      name: 'local',
      create: async (o) => (created.push(o), recorded(await local.create(o))),
      connect: (id, owner) => local.connect(id, owner),
      kill: (id, owner) => local.kill(id, owner),
      killTagged: (m) => local.killTagged(m),
    };
    runtime = createRuntime(
      probot,
      { ANTHROPIC_API_KEY: 'sk-ant-test-key-0123456789abcdef', ISSUESMITH_WORK_DIR: sandboxRoot, ISSUESMITH_JOB_TIMEOUT_MINUTES: '1' },
      { sandboxes },
    );
    issuesmith(probot, {}, runtime);
  });

  afterEach(async () => {
    await runtime.queue.close();
    await git.stop();
    rmSync(sandboxRoot, { recursive: true, force: true });
  });

  it('asks E2B for a lifetime within the setup budget, runs each step within the per-step limit, and says so', async () => {
    const mock = new MockGitHubApi(git.url, {
      owner: OWNER,
      repo: REPO,
      number: 1,
      login: 'Codertocat',
      readToken: READ_TOKEN,
      writeToken: WRITE_TOKEN,
      commentId: 6101,
      configFiles: { [`${OWNER}/${REPO}`]: GREEDY },
    }).firstRunOpeningPullRequest();
    await probot.receive({ id: 'greedy-setup', name: 'issue_comment', payload: commentPayload('/agent claude go\nfake-agent: write out.txt hi', { commentId: 6101 }) } as never);
    await runtime.queue.drain();
    if (process.env.SHOW_STATUS === '1') console.log(mock.finalStatus);

    // Defaults: 30 minutes for all of setup, 20 for one step.
    expect(created).toHaveLength(1);
    expect(created[0]?.timeoutMs).toBe(sandboxBudgetMs(MINUTE) + 30 * MINUTE);
    const setupRuns = runs.filter((r) => r.cmd === 'true');
    expect(setupRuns).toHaveLength(20);
    for (const r of setupRuns) expect(r.timeoutMs).toBeLessThanOrEqual(20 * MINUTE);
    expect(mock.finalStatus).toContain('setup.0.timeout_minutes: 1440 minutes is more than this app allows for one setup command; limited to 20 minutes');
    expect(mock.finalStatus).toContain("setup: the commands' time limits add up to 400 minutes, more than the 30 minutes this app allows for all of setup");
  });
});

describe("the operator's setup limits", () => {
  it('are read from ISSUESMITH_SETUP_TIMEOUT_MINUTES and ISSUESMITH_SETUP_STEP_TIMEOUT_MINUTES', () => {
    const app = settingsFromEnv({ ISSUESMITH_SETUP_TIMEOUT_MINUTES: '12', ISSUESMITH_SETUP_STEP_TIMEOUT_MINUTES: '5' });
    const repo = repoSettings({ setup: Array.from({ length: 20 }, () => ({ run: 'true', timeout_minutes: 1440 })) }, app);
    expect(repo.setup.every((s) => s.timeoutMs === 5 * MINUTE)).toBe(true);
    expect(setupTotalMs(repo)).toBe(12 * MINUTE);
    expect(repo.warnings).toHaveLength(21);
  });

  it('leave a file within them alone, without warnings', () => {
    const repo = repoSettings({ setup: ['npm ci', { run: 'npm run build', timeout_minutes: 15 }] }, settingsFromEnv({}));
    expect(repo.setup.map((s) => s.timeoutMs)).toEqual([10 * MINUTE, 15 * MINUTE]);
    expect(setupTotalMs(repo)).toBe(25 * MINUTE);
    expect(repo.warnings).toEqual([]);
  });

  it('stop setup once its whole budget is used, even when each step is within its own limit', async () => {
    const root = mkdtempSync(join(tmpdir(), 'issuesmith-budget-'));
    const sandbox = await new LocalSandboxProvider({ root }).create({ template: 'x', envs: {}, timeoutMs: 60_000, metadata: {} });
    try {
      const steps = [
        { run: 'sleep 0.6', timeoutMs: 10_000 },
        { run: 'sleep 5', timeoutMs: 10_000 },
        { run: 'echo never', timeoutMs: 10_000 },
      ];
      const started = Date.now();
      await expect(runSetup(sandbox, steps, { workdir: sandbox.homeDir, redactor: new Redactor(), budgetMs: 1_500 })).rejects.toThrow(
        /Setup step 2 \(`sleep 5`\) ran past the 2 seconds this app allows for all of setup and was stopped/,
      );
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      await sandbox.kill();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
