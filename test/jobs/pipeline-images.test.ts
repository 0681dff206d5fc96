import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import issuesmith from '../../src/index.js';
import type { WorkerOutcome } from '../../src/jobs/worker.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import { GitServer } from '../helpers/git-server.js';
import { MockGitHubApi } from '../helpers/github-api.js';
import { useStrictNock } from '../helpers/nock-harness.js';
import { commentPayload, pullCommentPayload } from '../helpers/payloads.js';
import { testProbot } from '../helpers/probot.js';

const FIXTURE_BIN = join(import.meta.dirname, '..', 'fixtures', 'bin');
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const PR = 77;
const READ_TOKEN = 'ghs_imagesread0000000000000000000000000000000000000000';
const WRITE_TOKEN = 'ghs_imageswrite111111111111111111111111111111111111111';
/** A real 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const asset = (id: string): string => `/user-attachments/assets/${id}`;

describe("the request's images reach the agent's sandbox, outside the work tree", () => {
  useStrictNock();
  let git: GitServer;
  let root: string;
  let provider: LocalSandboxProvider;
  let runtime: Runtime | undefined;
  let outcomes: WorkerOutcome[];
  let deliveries = 0;

  beforeEach(async () => {
    git = await new GitServer().start();
    git.createRepo(OWNER, REPO, { 'README.md': '# Hello\n' });
    git.tokens.set(READ_TOKEN, 'read');
    git.tokens.set(WRITE_TOKEN, 'write');
    root = mkdtempSync(join(tmpdir(), 'issuesmith-images-'));
    provider = new LocalSandboxProvider({ path: `${FIXTURE_BIN}:${process.env.PATH ?? ''}`, root });
    outcomes = [];
  });

  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
    await git.stop();
    rmSync(root, { recursive: true, force: true });
  });

  function api(number: number, commentId: number): MockGitHubApi {
    return new MockGitHubApi(git.url, { owner: OWNER, repo: REPO, number, login: 'Codertocat', readToken: READ_TOKEN, writeToken: WRITE_TOKEN, commentId });
  }

  /** After the job's own mocks (nock takes the first that matches). */
  function orSecondCheckRun(mock: MockGitHubApi): MockGitHubApi {
    // A job slower than the status interval (a busy machine) also writes a live check run for its
    // starting commit before the final one on its new head: a second check run, when it comes.
    const checks = `/api/v3/repos/${OWNER}/${REPO}/check-runs`;
    const post = mock.scope.post(checks).optionally();
    post.reply(201, { id: 8002, html_url: `https://github.example/${OWNER}/${REPO}/runs/8002` });
    const patch = mock.scope.patch(`${checks}/8002`).optionally().times(100);
    patch.reply(200, { id: 8002 });
    leftovers.push(post, patch);
    return mock;
  }

  /** The optional check runs of a job that did not need them: gone, so they cannot answer the next job's. */
  const leftovers: nock.Interceptor[] = [];
  function dropLeftovers(): void {
    for (const i of leftovers.splice(0)) nock.removeInterceptor(i);
  }

  /** One webhook through a fresh app process (this deployment's GitHub is the loopback Enterprise Server), sharing the sandboxes. */
  async function deliver(name: string, payload: Record<string, unknown>): Promise<WorkerOutcome> {
    await runtime?.close();
    const probot = testProbot(`${git.url}/api/v3`);
    runtime = createRuntime(
      probot,
      {
        ANTHROPIC_API_KEY: 'sk-ant-images-test-0123456789abcdef',
        ISSUESMITH_WORK_DIR: root,
        ISSUESMITH_JOB_TIMEOUT_MINUTES: '1',
        ISSUESMITH_IMAGES_MAX_COUNT: '3',
        // About 10 kB an image.
        ISSUESMITH_IMAGES_MAX_MB: '0.01',
      },
      { sandboxes: provider, onOutcome: (_job, o) => outcomes.push(o) },
    );
    issuesmith(probot, {}, runtime);
    await probot.receive({ id: `images-${deliveries++}`, name, payload } as never);
    await runtime.queue.drain();
    return outcomes.at(-1) as WorkerOutcome;
  }

  // Each test runs whole jobs (the follow-up two), slow on a small shared machine: 90 s each.
  const home = (): string => join(root, 'issuesmith-sbx-Codertocat_Hello-World-1', 'home', 'user');
  const prompt = (): string => readFileSync(join(home(), '.issuesmith', 'prompt.md'), 'utf8');
  /** The image paths the prompt lists. */
  const listed = (text: string): string[] => [...(/<images>\n([\s\S]*?)\n<\/images>/.exec(text)?.[1] ?? '').matchAll(/^- (\S+)/gm)].map((m) => m[1]!);

  it('downloads the GitHub attachments of the issue and the comment with the token, lists them in the prompt, and notes what it skipped', async () => {
    const seen: Array<string | undefined> = [];
    const image = (status: number, body: Buffer | string, headers: Record<string, string> = {}) =>
      function (this: nock.ReplyFnContext): [number, Buffer | string, Record<string, string>] {
        seen.push(this.req.headers.authorization as string | undefined);
        return [status, body, headers];
      };
    nock(git.url)
      .get(asset('issue-png'))
      .reply(image(200, PNG, { 'Content-Type': 'image/png' }))
      .get(asset('too-big'))
      .reply(image(200, Buffer.concat([PNG, Buffer.alloc(20_000)]), { 'Content-Type': 'image/png' }))
      .get(asset('sign-in-page'))
      .reply(image(200, '<!doctype html><title>Sign in to GitHub</title>', { 'Content-Type': 'image/png' }));
    const mock = orSecondCheckRun(api(1, 9001).firstRunOpeningPullRequest());
    const body = [
      'The header is cut off on small screens:',
      `![the header, cut off](${git.url}${asset('issue-png')})`,
      '![a mock-up elsewhere](https://images.example/mockup.png)',
      `<img alt="look-alike" src="http://127.0.0.1.evil.example${asset('x')}">`,
    ].join('\n');
    const comment = [
      '/agent claude fix it',
      `<img width="300" alt="zoomed in" src="${git.url}${asset('too-big')}">`,
      `![html](${git.url}${asset('sign-in-page')})`,
      `![over the count](${git.url}${asset('fourth')})`,
      'fake-agent: write src/header.css .header { overflow: visible; }',
    ].join('\n');
    const outcome = await deliver('issue_comment', commentPayload(comment, { commentId: 9001, body }));
    expect(outcome.kind).toBe('pull-request');

    // The token went to the GitHub host's attachments, and nothing else was fetched (the strict harness
    // fails on any request to another host or path: the foreign, look-alike and fourth images).
    expect(seen).toEqual([`Bearer ${READ_TOKEN}`, `Bearer ${READ_TOKEN}`, `Bearer ${READ_TOKEN}`]);

    const text = prompt();
    if (process.env.SHOW_PROMPT === '1') console.log(text);
    const paths = listed(text);
    expect(paths).toHaveLength(1);
    expect(paths[0]).toMatch(new RegExp(`^${home()}/\\.issuesmith/images/[0-9a-f]{8}-1\\.png$`));
    expect(readFileSync(paths[0]!)).toEqual(PNG);
    expect(text).toContain(`(the image ${git.url}${asset('issue-png')} in the issue, alt text "the header, cut off")`);
    expect(text).toContain(`Note: the image ${git.url}${asset('too-big')} in the comment was not downloaded: it is larger than 10 kB.`);
    expect(text).toContain(`Note: the image ${git.url}${asset('sign-in-page')} in the comment was not downloaded: what GitHub served is not a PNG, JPEG, GIF or WebP image.`);
    expect(text).toContain('Note: 1 more image was not downloaded: at most 3 are downloaded for one request.');
    expect(text).toContain('2 images of the request on other hosts were not downloaded and stay links in the text.');
    // The issue's text keeps its links as written.
    expect(text).toContain('![a mock-up elsewhere](https://images.example/mockup.png)');

    // The status comment says what was left out; the job did not fail for it.
    expect(mock.finalStatus).toContain('Warnings:\n- 1 more image was not downloaded');
    expect(mock.finalStatus).toContain(`- The image ${git.url}${asset('too-big')} in the comment was not downloaded: it is larger than 10 kB.`);

    // Nothing of the images is in the work tree or the commit: only the agent's change.
    const branch = git.branches(OWNER, REPO).find((b) => b !== 'main')!;
    expect(git.git(OWNER, REPO, ['diff', '--name-only', 'main', branch])).toBe('src/header.css');
    expect(readdirSync(join(home(), 'repo')).sort()).toEqual(['.git', 'README.md', 'src']);
  }, 90_000);

  it("a follow-up on the pull request brings the new comment's images, beside the earlier ones", async () => {
    nock(git.url).get(asset('first')).reply(200, PNG);
    const first = orSecondCheckRun(api(1, 9101).firstRunOpeningPullRequest());
    await deliver('issue_comment', commentPayload(`/agent claude start\n![first](${git.url}${asset('first')})\nfake-agent: write a.txt one`, { commentId: 9101 }));
    const prBody = (first.record.pulls[0] as { body: string }).body;
    const firstPaths = listed(prompt());
    expect(firstPaths).toHaveLength(1);

    dropLeftovers();
    nock(git.url).get(asset('second')).reply(200, GIF);
    const branch = git.branches(OWNER, REPO).find((b) => b !== 'main')!;
    const mock = api(PR, 9102)
      .installationToken()
      .permission()
      .reaction('eyes')
      .status()
      .getPull({ number: PR, body: prBody, headRef: branch, headSha: git.git(OWNER, REPO, ['rev-parse', branch]) })
      .botIdentity()
      .scopedToken('read')
      .scopedToken('write')
      .updatePull(PR)
      .checkRuns()
      .reaction('rocket')
      .revoke(2);
    orSecondCheckRun(mock);
    const outcome = await deliver(
      'issue_comment',
      pullCommentPayload(`/agent now this one\n![second](${git.url}${asset('second')})\nfake-agent: write b.txt two`, { commentId: 9102, number: PR }),
    );
    expect(outcome.kind).toBe('pull-request');
    expect(mock.finalStatus).not.toContain('Warnings');

    const paths = listed(prompt());
    expect(paths).toHaveLength(1);
    expect(paths[0]).toMatch(/\.issuesmith\/images\/[0-9a-f]{8}-1\.gif$/);
    expect(paths[0]).not.toBe(firstPaths[0]);
    expect(readFileSync(paths[0]!)).toEqual(GIF);
    expect(existsSync(firstPaths[0]!)).toBe(true);
    expect(git.git(OWNER, REPO, ['diff', '--name-only', 'main', branch]).split('\n').sort()).toEqual(['a.txt', 'b.txt']);
  }, 90_000);
});
