import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Probot } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import issuesmith from '../../src/index.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import { GitServer } from '../helpers/git-server.js';
import { MockGitHubApi } from '../helpers/github-api.js';
import { waitFor } from '../helpers/jobs.js';
import { useStrictNock } from '../helpers/nock-harness.js';
import { commentPayload } from '../helpers/payloads.js';
import { testProbot } from '../helpers/probot.js';

const FIXTURE_BIN = join(import.meta.dirname, '..', 'fixtures', 'bin');
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const READ_TOKEN = 'ghs_readonlytoken000000000000000000000000000000000000000';
const WRITE_TOKEN = 'ghs_writetoken11111111111111111111111111111111111111111';

describe('shutting down (SIGTERM) without Redis, while an agent works', () => {
  useStrictNock();
  let git: GitServer;
  let root: string;
  let probot: Probot;
  let runtime: Runtime;

  beforeEach(async () => {
    git = await new GitServer().start();
    git.createRepo(OWNER, REPO, { 'README.md': '# Hello\n' });
    git.tokens.set(READ_TOKEN, 'read');
    root = mkdtempSync(join(tmpdir(), 'issuesmith-test-shutdown-'));
    probot = testProbot(`${git.url}/api/v3`);
    runtime = createRuntime(
      probot,
      { ANTHROPIC_API_KEY: 'sk-ant-test-key-0123456789abcdef', ISSUESMITH_WORK_DIR: root, ISSUESMITH_SHUTDOWN_GRACE_SECONDS: '0' },
      { sandboxes: new LocalSandboxProvider({ path: `${FIXTURE_BIN}:${process.env.PATH ?? ''}`, root }) },
    );
    issuesmith(probot, {}, runtime);
  });

  afterEach(async () => {
    await runtime.queue.close();
    await git.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('stops the agent, keeps its sandbox paused, reports no failure, and says on the issue that a restart stopped the work', async () => {
    const mock = new MockGitHubApi(git.url, { owner: OWNER, repo: REPO, number: 1, login: 'Codertocat', commentId: 6001, readToken: READ_TOKEN, writeToken: WRITE_TOKEN })
      .installationToken()
      .permission()
      .reaction('eyes')
      .scopedToken('read')
      .revoke(1)
      .comment();
    const started = join(root, 'agent-started.json');
    const body = `/agent claude take your time\nfake-agent: record ${started}\nfake-agent: sleep 60`;
    await probot.receive({ id: 'delivery-shutdown', name: 'issue_comment', payload: commentPayload(body, { commentId: 6001 }) } as never);
    await waitFor('the agent to start', () => existsSync(started));

    await runtime.shutdown();

    expect(mock.record.comments).toHaveLength(1);
    expect(mock.record.comments[0]).toContain('The app was restarted while the agent was working on this');
    expect(mock.record.comments[0]).toContain('delivery-shutdown');
    expect(mock.record.reactions.map((r) => r.content)).toEqual(['eyes']);
    expect(mock.record.pulls).toEqual([]);
    // Paused, not killed: the local sandbox's directory is still there.
    expect(readdirSync(root).filter((f) => f.startsWith('issuesmith-sbx-'))).toHaveLength(1);
    const metrics = await runtime.metrics.text();
    expect(metrics).toContain('issuesmith_jobs_finished_total{outcome="interrupted",agent="claude"} 1');
  });
});
