import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Probot } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import issuesmith from '../../src/index.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import { GitServer } from '../helpers/git-server.js';
import { MockGitHubApi } from '../helpers/github-api.js';
import { useStrictNock } from '../helpers/nock-harness.js';
import { commentPayload, labeledPayload } from '../helpers/payloads.js';
import { testProbot } from '../helpers/probot.js';

const FIXTURE_BIN = join(import.meta.dirname, '..', 'fixtures', 'bin');
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const ANTHROPIC_KEY = 'sk-ant-test-key-0123456789abcdef';
const READ_TOKEN = 'ghs_readonlytoken000000000000000000000000000000000000000';
const WRITE_TOKEN = 'ghs_writetoken11111111111111111111111111111111111111111';

describe('from a labeled issue or an /agent comment to a pull request', () => {
  useStrictNock();
  let git: GitServer;
  let sandboxRoot: string;
  let probot: Probot;
  let runtime: Runtime;

  beforeEach(async () => {
    git = await new GitServer().start();
    git.createRepo(OWNER, REPO, { 'README.md': '# Hello\n', 'src/app.js': 'console.log("hi");\n' });
    git.tokens.set(READ_TOKEN, 'read');
    git.tokens.set(WRITE_TOKEN, 'write');
    sandboxRoot = mkdtempSync(join(tmpdir(), 'issuesmith-test-sbx-'));
    probot = testProbot(`${git.url}/api/v3`);
    runtime = createRuntime(
      probot,
      { ANTHROPIC_API_KEY: ANTHROPIC_KEY, ISSUESMITH_WORK_DIR: sandboxRoot, ISSUESMITH_JOB_TIMEOUT_MINUTES: '1' },
      { sandboxes: new LocalSandboxProvider({ path: `${FIXTURE_BIN}:${process.env.PATH ?? ''}`, root: sandboxRoot }) },
    );
    issuesmith(probot, {}, runtime);
  });

  afterEach(async () => {
    await runtime.queue.close();
    await git.stop();
    rmSync(sandboxRoot, { recursive: true, force: true });
  });

  function api(o: { commentId?: number; role?: string } = {}): MockGitHubApi {
    return new MockGitHubApi(git.url, { owner: OWNER, repo: REPO, number: 1, login: 'Codertocat', readToken: READ_TOKEN, writeToken: WRITE_TOKEN, ...o });
  }

  async function receive(name: 'issues' | 'issue_comment', payload: Record<string, unknown>, id = `delivery-${Math.random()}`): Promise<void> {
    // Probot's types want a precise payload per event; these are GitHub's own examples, adjusted.
    await probot.receive({ id, name, payload } as never);
    await runtime.queue.drain();
  }

  it('opens a draft pull request for an /agent comment, with the change committed through the API', async () => {
    const mock = api({ commentId: 5001 }).firstRunOpeningPullRequest();
    await receive(
      'issue_comment',
      commentPayload('/agent claude please add the greeting\nfake-agent: write docs/greeting.md Hello, world\nfake-agent: say Added docs/greeting.md.', {
        commentId: 5001,
        title: 'Add a greeting: ünïcode/../and slashes',
      }),
    );

    const branch = 'issuesmith/1-add-a-greeting-unicode-and-slashes';
    expect(git.branches(OWNER, REPO).sort()).toEqual([branch, 'main']);
    expect(git.git(OWNER, REPO, ['show', `${branch}:docs/greeting.md`])).toBe('Hello, world');
    const commit = git.git(OWNER, REPO, ['log', '-1', '--format=%an <%ae>%n%B', branch]);
    expect(commit).toContain('issuesmith[bot] <4242+issuesmith[bot]@users.noreply.127.0.0.1>');
    expect(commit).toMatch(/Co-authored-by: Codertocat <\d+\+Codertocat@users\.noreply\.127\.0\.0\.1>/);

    expect(mock.record.tokenRequests).toEqual([
      { repositories: [REPO], permissions: { contents: 'read' } },
      { repositories: [REPO], permissions: { contents: 'write' } },
    ]);
    // The sandbox cloned with the read token; nothing was pushed over git: the commit went through the API, with the write token.
    expect(git.requests.filter((r) => r.service === 'receive-pack')).toEqual([]);
    expect(git.requests.filter((r) => r.token === READ_TOKEN).every((r) => r.service === 'upload-pack')).toBe(true);
    // A text file goes inside the tree request: no blob write of its own.
    expect(git.gitData.writes().map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual(['POST /git/trees 201', 'POST /git/commits 201', 'POST /git/refs 201']);

    const pr = mock.record.pulls[0] as { head: string; base: string; title: string; body: string; draft: boolean };
    expect(pr).toMatchObject({ head: branch, base: 'main', title: 'Add a greeting: ünïcode/../and slashes', draft: true });
    expect(pr.body).toContain('Closes #1');
    expect(pr.body).toContain('> Added docs/greeting.md.');
    expect(pr.body).toMatch(
      /<!-- issuesmith:state \{"v":1,"repo":"Codertocat\/Hello-World","issue":1,"profile":"claude","branch":"issuesmith\/1-add-a-greeting-unicode-and-slashes","session":"[0-9a-f-]{36}","sandbox":"local-[0-9a-f-]{36}","turns":1\} sha256=[0-9a-f]{64} -->/,
    );

    // No separate comment: one status comment, created when the job started and ending as the report.
    expect(mock.record.comments).toEqual([]);
    expect(mock.record.status[0]).toContain('**Claude Code** is on it');
    const report = mock.finalStatus;
    if (process.env.SHOW_STATUS === '1') console.log(report);
    expect(report).toContain(':rocket: **Claude Code** (`claude-opus-4-8`) opened a pull request: https://github.example/Codertocat/Hello-World/pull/77');
    expect(report).toContain('> Added docs/greeting.md.');
    expect(report).toContain('**1 file changed** (+1 −0):\n- `docs/greeting.md` +1 −0');
    expect(report).toMatch(/sandbox `local-[^`]+`/);
    expect(report).toContain("Committed through GitHub's API: signed by GitHub (Verified), no clone on the app's host.");
    // The check run started on main's head, before the status comment, whose first text links it; the
    // pull request's head got one of its own at the end.
    const created = mock.record.checkRuns.filter((c) => 'head_sha' in c);
    expect(created.map((c) => c.head_sha)).toEqual([git.git(OWNER, REPO, ['rev-parse', 'main']), git.git(OWNER, REPO, ['rev-parse', branch])]);
    expect(created[0]).toMatchObject({ name: 'issuesmith / Claude Code', status: 'in_progress', external_id: expect.stringMatching(/^1:/) });
    expect(created[1]).toMatchObject({ name: 'issuesmith / Claude Code', status: 'completed', conclusion: 'success', external_id: expect.stringMatching(/^1:/) });
    expect(mock.record.checkRuns.at(-1)).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(mock.record.status[0]).toContain('[Full transcript](https://github.example/Codertocat/Hello-World/runs/8001)');
    expect(mock.finalStatus).toContain('https://github.example/Codertocat/Hello-World/pull/77');
    expect(report).toMatch(/22 tokens in, 14 out · \$0\.0005/);
    expect(mock.record.reactions.map((r) => r.content)).toEqual(['eyes', 'rocket']);
    expect(mock.record.revoked.sort()).toEqual([READ_TOKEN, WRITE_TOKEN].sort());
    // The host clone is gone; the sandbox is kept, paused, for a follow-up, and the session saved.
    expect(readdirSync(sandboxRoot).sort()).toEqual(['issuesmith-sbx-Codertocat_Hello-World-1', 'issuesmith-sessions']);
  });

  it('opens a pull request in at most 8 REST writes besides the commit, the commit through the API, then the pull request and the final state before the last reaction, with the transcript in its check run', async () => {
    const mock = api({ commentId: 5020 }).firstRunOpeningPullRequest();
    // Every write the job makes to the REST API, but minting and revoking its tokens (its credentials,
    // which no reader sees); the commit's own writes (one blob here, a tree, a commit, the branch) are counted apart.
    const writes: string[] = [];
    mock.scope.on('request', (req: { method: string; path: string }) => {
      if (req.method !== 'GET' && !/\/access_tokens$|\/installation\/token$/.test(req.path))
        writes.push(`${req.method} ${req.path.replace('/api/v3/repos/Codertocat/Hello-World', '')}`);
    });
    await receive(
      'issue_comment',
      commentPayload(['/agent claude add the greeting', 'fake-agent: write docs/greeting.md Hello, world', `fake-agent: say The key is ${ANTHROPIC_KEY}, done.`].join('\n'), {
        commentId: 5020,
      }),
    );
    const commitWrites = git.gitData.writes().map((c) => `${c.method} ${c.path}`);
    expect(commitWrites).toEqual(['POST /git/trees', 'POST /git/commits', 'POST /git/refs']);
    expect(writes.length).toBeLessThanOrEqual(8);
    // The 👀, the check run on main's head and the status comment linking it go out first (the check run
    // before the comment); then the pull request, the final status, the head's check run, the first
    // check run's end, and the rocket last.
    expect(writes.slice(0, 3).sort()).toEqual(['POST /check-runs', 'POST /issues/1/comments', 'POST /issues/comments/5020/reactions']);
    expect(writes.indexOf('POST /check-runs')).toBeLessThan(writes.indexOf('POST /issues/1/comments'));
    expect(writes.slice(3)).toEqual(['POST /pulls', 'PATCH /issues/comments/7001', 'POST /check-runs', 'PATCH /check-runs/8001', 'POST /issues/comments/5020/reactions']);
    // The transcript: the agent's messages, its tool call with its result, usage; redacted before any cut.
    const run = mock.record.checkRuns.at(-1) as { head_sha: string; output: { text: string } };
    const text = run.output.text;
    if (process.env.SHOW_TRANSCRIPT === '1') console.log(text);
    expect(text).toMatch(/:wrench: Edited `[^`]*docs\/greeting\.md`/);
    expect(text).toContain('<sub>Tool result:</sub>');
    expect(text).toMatch(/Usage so far: 22 tokens in, 14 out/);
    expect(text).toContain('The key is [REDACTED], done.');
    expect(text).not.toContain(ANTHROPIC_KEY);
    expect(mock.finalStatus).toContain('[Full transcript](https://github.example/Codertocat/Hello-World/runs/8001)');
  });

  it('collects work the agent committed itself, along with what it left uncommitted', async () => {
    api({ commentId: 5011 }).firstRunOpeningPullRequest();
    await receive(
      'issue_comment',
      commentPayload('/agent commit it\nfake-agent: write committed.txt in a commit\nfake-agent: commit\nfake-agent: write loose.txt not committed', { commentId: 5011 }),
    );
    const branch = 'issuesmith/1-spelling-error-in-the-readme-file';
    expect(git.git(OWNER, REPO, ['show', `${branch}:committed.txt`])).toBe('in a commit');
    expect(git.git(OWNER, REPO, ['show', `${branch}:loose.txt`])).toBe('not committed');
    // One commit by the app on top of main; the agent's own commit is not pushed as such.
    expect(git.git(OWNER, REPO, ['rev-list', '--count', `main..${branch}`])).toBe('1');
  });

  it('starts work for the agent label, reacting on the issue', async () => {
    const mock = api()
      .installationToken()
      .permission()
      .reaction('eyes')
      .scopedToken('read')
      .botIdentity()
      .scopedToken('write')
      .pullRequest()
      .status()
      .checkRuns()
      .reaction('rocket')
      .revoke(2);
    await receive('issues', labeledPayload('agent:claude', { title: 'Fix the typo', body: 'The readme says Helo.\nfake-agent: write README.md # Hello, fixed' }));
    expect(git.git(OWNER, REPO, ['show', 'issuesmith/1-fix-the-typo:README.md'])).toBe('# Hello, fixed');
    expect(mock.record.reactions).toEqual([
      { on: 'issue', content: 'eyes' },
      { on: 'issue', content: 'rocket' },
    ]);
  });

  it('says so and opens nothing when the agent changes no file', async () => {
    const mock = api({ commentId: 5002 }).installationToken().permission().reaction('eyes').openPulls().scopedToken('read').status().checkRuns().revoke(1);
    await receive('issue_comment', commentPayload('/agent look at it\nfake-agent: say Nothing here needs a change.', { commentId: 5002 }));
    expect(git.branches(OWNER, REPO)).toEqual(['main']);
    expect(mock.finalStatus).toContain('finished without changing any file');
    expect(mock.finalStatus).toContain('> Nothing here needs a change.');
    expect(readdirSync(sandboxRoot)).toEqual([]);
  });

  it('explains a rejected key in plain words, with no branch and no pull request', async () => {
    const mock = api({ commentId: 5003 }).firstRunRefused();
    await receive('issue_comment', commentPayload('/agent fix it\nfake-agent: fail auth', { commentId: 5003 }));
    expect(git.branches(OWNER, REPO)).toEqual(['main']);
    expect(mock.finalStatus).toContain("Claude Code's API key was rejected: check `ANTHROPIC_API_KEY` in the app's environment.");
    expect(mock.finalStatus).toContain('<details>');
    expect(readdirSync(sandboxRoot)).toEqual([]);
  });

  it('keeps the work of a run that ran out of turns in a draft pull request marked incomplete', async () => {
    const mock = api({ commentId: 5004 }).firstRunOpeningPullRequest();
    await receive('issue_comment', commentPayload('/agent do a lot\nfake-agent: write part1.txt first half\nfake-agent: max-turns', { commentId: 5004 }));
    const pr = mock.record.pulls[0] as { body: string; draft: boolean };
    expect(pr.draft).toBe(true);
    expect(pr.body).toContain('This change is incomplete: Claude Code ran out of turns before it finished');
    expect(pr.body).toContain('Refs #1');
    expect(pr.body).not.toContain('Closes #1');
    expect(mock.finalStatus).toContain('did not finish: Claude Code ran out of turns before it finished');
    expect(mock.finalStatus).toContain('Its partial work is in a draft pull request: https://github.example/Codertocat/Hello-World/pull/77');
    // Red on the pull request's head; neutral on main's, where it started.
    expect(mock.record.checkRuns.filter((c) => 'head_sha' in c).at(-1)).toMatchObject({ name: 'issuesmith / Claude Code', status: 'completed', conclusion: 'failure' });
    expect(mock.record.checkRuns.at(-1)).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect(git.branches(OWNER, REPO)).toHaveLength(2);
  });

  it('keeps the work of a run stopped by the time limit, and says why', async () => {
    const fast = createRuntime(
      probot,
      { ANTHROPIC_API_KEY: ANTHROPIC_KEY, ISSUESMITH_WORK_DIR: sandboxRoot, ISSUESMITH_JOB_TIMEOUT_MINUTES: '0.02' },
      {
        sandboxes: new LocalSandboxProvider({ path: `${FIXTURE_BIN}:${process.env.PATH ?? ''}`, root: sandboxRoot }),
      },
    );
    const p2 = testProbot(`${git.url}/api/v3`);
    issuesmith(p2, {}, fast);
    const mock = api({ commentId: 5009 }).firstRunOpeningPullRequest();
    await p2.receive({
      id: 'd-timeout',
      name: 'issue_comment',
      payload: commentPayload('/agent slow\nfake-agent: write slow.txt started\nfake-agent: sleep 20', { commentId: 5009 }),
    } as never);
    await fast.queue.drain();
    expect(git.git(OWNER, REPO, ['show', 'issuesmith/1-spelling-error-in-the-readme-file:slow.txt'])).toBe('started');
    expect((mock.record.pulls[0] as { body: string }).body).toContain('This change is incomplete: Claude Code ran out of time and was stopped');
    // The host clone is gone; the sandbox is kept, paused, for a follow-up, and the session saved.
    expect(readdirSync(sandboxRoot).sort()).toEqual(['issuesmith-sbx-Codertocat_Hello-World-1', 'issuesmith-sessions']);
  });

  it('replies politely to someone without write access and does nothing else', async () => {
    const mock = api({ commentId: 5005, role: 'triage' }).installationToken().permission().comment();
    await receive('issue_comment', commentPayload('/agent claude do it', { commentId: 5005, sender: 'Codertocat' }));
    expect(mock.record.comments).toEqual([expect.stringContaining('Sorry @Codertocat, only people with write access')]);
    expect(mock.record.reactions).toEqual([]);
    expect(git.requests).toEqual([]);
  });

  it('never runs the same delivery twice', async () => {
    const mock = api({ commentId: 5006 }).installationToken().permission().reaction('eyes').openPulls().scopedToken('read').status().checkRuns().revoke(1);
    const payload = commentPayload('/agent claude check\nfake-agent: say ok', { commentId: 5006 });
    await receive('issue_comment', payload, 'same-delivery');
    await receive('issue_comment', payload, 'same-delivery');
    expect(mock.record.status.filter((b) => b.includes('finished without changing'))).toHaveLength(1);
  });

  it('ignores comments from bots and comments that are not commands, without a single API call', async () => {
    await receive('issue_comment', commentPayload('/agent claude do it', { senderType: 'Bot', sender: 'renovate[bot]' }));
    await receive('issue_comment', commentPayload('Thanks, looks good!'));
    await receive('issues', labeledPayload('good first issue'));
  });

  it("reads the settings for a label that may be the repository's own, then does nothing when it is not", async () => {
    const mock = api().installationToken();
    await receive('issues', labeledPayload('bug'));
    expect(mock.record.configReads).toEqual([`${OWNER}/${REPO}`, `${OWNER}/.github`]);
    expect(mock.record.comments).toEqual([]);
    expect(mock.record.reactions).toEqual([]);
  });

  it('refuses before any sandbox exists when the agent key is missing', async () => {
    const bare = createRuntime(probot, { ISSUESMITH_WORK_DIR: sandboxRoot }, { sandboxes: new LocalSandboxProvider({ root: sandboxRoot }) });
    const p2 = testProbot(`${git.url}/api/v3`);
    issuesmith(p2, {}, bare);
    const mock = api({ commentId: 5007 }).installationToken().permission().reaction('eyes').openPulls().status().reaction('confused');
    await p2.receive({ id: 'd-missing-key', name: 'issue_comment', payload: commentPayload('/agent claude go', { commentId: 5007 }) } as never);
    await bare.queue.drain();
    expect(mock.finalStatus).toContain("Claude Code needs `ANTHROPIC_API_KEY` in the app's environment.");
    expect(readdirSync(sandboxRoot)).toEqual([]);
  });

  it('names the unknown agent of a label and lists the available ones', async () => {
    const mock = api().installationToken().permission().reaction('eyes').status().reaction('confused');
    await receive('issues', labeledPayload('agent:gpt9'));
    expect(mock.finalStatus).toContain('There is no agent called `gpt9`. Available agents: `claude`');
  });

  it('answers /agent help with the grammar and the agents whose keys are set', async () => {
    const mock = api({ commentId: 5010 }).installationToken().permission().reaction('eyes').comment();
    await receive('issue_comment', commentPayload('/agent help', { commentId: 5010 }));
    expect(mock.record.comments[0]).toContain('`/agent <agent> <instructions>`');
    expect(mock.record.comments[0]).toContain("continues the same agent's session there, as a new commit");
    // Only ANTHROPIC_API_KEY is set: Claude Code, OpenCode and OpenClaw can run; Codex and Amp cannot.
    expect(mock.record.comments[0]).toContain('Agents: `claude`, `opencode`, `openclaw`.');
  });

  it('refuses a change that would commit a token, naming the file and pushing nothing', async () => {
    const mock = api({ commentId: 5012 }).firstRunRefused();
    const token = `ghp_${'a'.repeat(36)}`;
    await receive('issue_comment', commentPayload(`/agent add creds\nfake-agent: write config/creds.txt ${token}`, { commentId: 5012 }));
    expect(mock.finalStatus).toContain('would commit a secret or an access token (in `config/creds.txt`)');
    expect(mock.finalStatus).not.toContain(token);
    expect(git.branches(OWNER, REPO)).toEqual(['main']);
    expect(readdirSync(sandboxRoot)).toEqual([]);
  });

  it('never posts the agent key, even when the agent prints it', async () => {
    const mock = api({ commentId: 5008 }).installationToken().permission().reaction('eyes').openPulls().scopedToken('read').status().checkRuns().revoke(1);
    await receive('issue_comment', commentPayload('/agent claude show\nfake-agent: leak ANTHROPIC_API_KEY', { commentId: 5008 }));
    expect(mock.finalStatus).toContain('leaked: [REDACTED]');
    expect(mock.finalStatus).not.toContain(ANTHROPIC_KEY);
  });

  it('redacts a key the agent prints split across two writes of its output', async () => {
    const mock = api({ commentId: 5013 }).firstRunRefused();
    await receive('issue_comment', commentPayload('/agent claude debug\nfake-agent: split-leak ANTHROPIC_API_KEY\nfake-agent: fail crash', { commentId: 5013 }));
    const report = mock.finalStatus;
    expect(report).toContain('debug: key is [REDACTED] (end)');
    const everything = JSON.stringify({ ...mock.record, revoked: [] });
    expect(everything).not.toContain(ANTHROPIC_KEY);
    expect(everything).not.toContain(ANTHROPIC_KEY.slice(ANTHROPIC_KEY.length / 2));
  });

  it('redacts the minted token and token-shaped values from what the agent says', async () => {
    const mock = api({ commentId: 5014 }).installationToken().permission().reaction('eyes').openPulls().scopedToken('read').status().checkRuns().revoke(1);
    const shaped = `ghs_${'Z'.repeat(40)}`;
    await receive('issue_comment', commentPayload(`/agent claude talk\nfake-agent: say the token is ${READ_TOKEN} and ${shaped}`, { commentId: 5014 }));
    expect(mock.finalStatus).toContain('> the token is [REDACTED] and [REDACTED]');
    const everything = JSON.stringify({ ...mock.record, revoked: [] });
    expect(everything).not.toContain(READ_TOKEN);
    expect(everything).not.toContain(shaped);
  });

  it('refuses a change that would commit the minted token itself', async () => {
    const mock = api({ commentId: 5015 }).firstRunRefused();
    await receive('issue_comment', commentPayload(`/agent claude save\nfake-agent: write notes/token.txt ${READ_TOKEN}`, { commentId: 5015 }));
    expect(mock.finalStatus).toContain('would commit a secret or an access token (in `notes/token.txt`)');
    expect(JSON.stringify({ ...mock.record, revoked: [] })).not.toContain(READ_TOKEN);
    expect(git.branches(OWNER, REPO)).toEqual(['main']);
  });
});
