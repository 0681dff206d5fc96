import nock from 'nock';
import { GitServer } from './git-server.js';

export interface ApiRecord {
  tokenRequests: Array<{ repositories?: string[]; permissions?: Record<string, string> }>;
  comments: string[];
  reactions: Array<{ on: 'comment' | 'issue'; content: string }>;
  pulls: Array<Record<string, unknown>>;
  /** Bodies the app wrote to existing pull requests (PATCH). */
  pullUpdates: Array<{ number: number; body: string }>;
  revoked: string[];
  /** The status comment's text, as created and then as each edit left it. */
  status: string[];
  checkRuns: Array<Record<string, unknown>>;
  /** Reads of the settings file, as `owner/repo`, and of the default branch's head. */
  configReads: string[];
  headReads: number;
}

/** A pull request as GitHub's API returns it, with the fields the app reads. */
export interface PullFixture {
  number: number;
  body: string;
  headRef: string;
  headSha?: string;
  title?: string;
  state?: 'open' | 'closed';
  author?: string;
  /** The head's repository, `owner/repo`; another one is a fork. */
  headRepo?: string;
}

export interface MockApiOptions {
  owner: string;
  repo: string;
  number: number;
  login: string;
  role?: string;
  commentId?: number;
  /** Tokens minted for the job, in order; each is registered with the git server by the caller. */
  readToken?: string;
  writeToken?: string;
  /**
   * The repositories' `.github/issuesmith.yml` by `owner/repo` (absent: 404), served for as many jobs
   * as the test runs; without it every job of the test finds no file.
   */
  configFiles?: Record<string, string>;
  /** The default branch's head commit the settings are cached by. */
  headSha?: string;
}

export const INSTALLATION_TOKEN = 'ghs_installationtoken0000000000000000000000000000';

/**
 * GitHub's REST API for one job, with nock. Only the calls given are set up; the strict harness
 * fails the test on any other call and on any of these that was never made.
 */
export class MockGitHubApi {
  readonly record: ApiRecord = {
    tokenRequests: [],
    comments: [],
    reactions: [],
    pulls: [],
    pullUpdates: [],
    revoked: [],
    status: [],
    checkRuns: [],
    configReads: [],
    headReads: 0,
  };
  readonly scope: nock.Scope;
  /** Each base URL's last job's optional check run on its starting commit (see checkRuns). */
  static readonly #onStart = new Map<string, nock.Interceptor>();

  constructor(
    readonly baseUrl: string,
    readonly o: MockApiOptions,
  ) {
    // The job before this one is over: its optional check run, if unused, must not answer this job's.
    const left = MockGitHubApi.#onStart.get(baseUrl);
    if (left !== undefined) nock.removeInterceptor(left);
    MockGitHubApi.#onStart.delete(baseUrl);
    this.scope = nock(baseUrl);
    this.#settingsFiles();
    this.#gitData();
  }

  /**
   * GitHub's Git Data API on the git server's repositories behind this base URL (see GitDataBackend), for
   * as many calls as a test makes: the test checks what they built by reading the repository. Writes
   * need the minted write token; the installation's own token only reads here.
   */
  #gitData(): void {
    const server = GitServer.running.get(this.baseUrl);
    if (server === undefined) return;
    const route = /^\/api\/v3\/repos\/[^/]+\/[^/]+\/(git|compare|contents)\//;
    const answer = function (this: nock.ReplyFnContext, uri: string, body: nock.Body): [number, unknown] {
      const url = new URL(uri, 'http://127.0.0.1');
      const token = String(this.req.headers.authorization ?? '').replace(/^(token|bearer) /i, '');
      const level = token === INSTALLATION_TOKEN ? 'read' : server.tokens.get(token);
      const a = server.gitData.handle(this.req.method, url.pathname.slice('/api/v3'.length), url.searchParams, body === '' ? undefined : body, level);
      return a === undefined ? [404, { message: 'Not Found' }] : [a.status, a.body ?? ''];
    };
    const matches = (uri: string): boolean => route.test(uri) && !/\/contents\/\.github(%2F|\/)issuesmith\.yml/i.test(uri);
    for (const method of ['get', 'post', 'patch'] as const) {
      const scope = nock(this.baseUrl).persist();
      scope.intercept(matches, method.toUpperCase()).query(true).optionally().reply(answer);
    }
  }

  // Every job reads the settings file first: optional mocks, so tests of jobs refused earlier pass too.
  #settingsFiles(): void {
    // A branch's head as a bare SHA: `headSha` for main when given, else the git server's (a first run's
    // check run goes on it before the clone), else a made-up one.
    const server = GitServer.running.get(this.baseUrl);
    const headOf = (ref: string): string | undefined => {
      if (ref === 'main' && this.o.headSha !== undefined) return this.o.headSha;
      if (server === undefined) return ref === 'main' ? 'a'.repeat(40) : undefined;
      return server.head(this.o.owner, this.o.repo, ref);
    };
    nock(this.baseUrl)
      .persist()
      .get((uri) => uri.startsWith(`${this.repoPath}/commits/`) && !uri.slice(`${this.repoPath}/commits/`.length).includes('/'))
      .optionally()
      .reply((uri) => {
        const ref = decodeURIComponent(uri.slice(`${this.repoPath}/commits/`.length).split('?')[0] ?? '');
        if (ref === 'main') this.record.headReads += 1;
        const sha = headOf(ref);
        return sha === undefined ? [404, { message: 'No commit found for SHA: ' + ref }] : [200, sha, { 'content-type': 'application/vnd.github.sha; charset=utf-8' }];
      });
    nock(this.baseUrl)
      .persist()
      .get(/^\/api\/v3\/repos\/[^/]+\/[^/]+\/contents\/\.github(%2F|\/)issuesmith\.yml/)
      .optionally()
      .reply((uri) => {
        const m = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\//.exec(uri);
        const repo = `${decodeURIComponent(m?.[1] ?? '')}/${decodeURIComponent(m?.[2] ?? '')}`;
        this.record.configReads.push(repo);
        const text = this.o.configFiles?.[repo];
        return text === undefined ? [404, { message: 'Not Found' }] : [200, text, { 'content-type': 'text/plain; charset=utf-8' }];
      });
  }

  /** A branch the request may name with `base=`; others answer 404. */
  branch(name: string, exists = true): this {
    this.scope
      .get(`${this.repoPath}/branches/${encodeURIComponent(name)}`)
      .reply(exists ? 200 : 404, exists ? { name, commit: { sha: 'b'.repeat(40) } } : { message: 'Branch not found' });
    return this;
  }

  labels(): this {
    this.scope.post(`${this.repoPath}/issues/77/labels`).reply(200, (_uri, body) => {
      this.record.pulls.push({ labels: (body as { labels: string[] }).labels });
      return [];
    });
    return this;
  }

  reviewers(): this {
    this.scope.post(`${this.repoPath}/pulls/77/requested_reviewers`).reply(201, (_uri, body) => {
      this.record.pulls.push({ requested: body });
      return {};
    });
    return this;
  }

  get repoPath(): string {
    return `/api/v3/repos/${this.o.owner}/${this.o.repo}`;
  }

  /** Every call of a first run on a comment that opens a pull request, in order (the common case). */
  firstRunOpeningPullRequest(): this {
    return this.installationToken()
      .permission()
      .reaction('eyes')
      .openPulls()
      .scopedToken('read')
      .botIdentity()
      .scopedToken('write')
      .pullRequest()
      .status()
      .checkRuns()
      .reaction('rocket')
      .revoke(2);
  }

  /** Every call of a first run on a comment whose change is refused: no write token, no pull request. */
  firstRunRefused(): this {
    return this.installationToken().permission().reaction('eyes').openPulls().scopedToken('read').status().checkRuns().reaction('confused').revoke(1);
  }

  installationToken(): this {
    this.scope
      .post('/api/v3/app/installations/1/access_tokens', (b: Record<string, unknown>) => b.repositories === undefined)
      .reply(201, { token: INSTALLATION_TOKEN, expires_at: new Date(Date.now() + 3600_000).toISOString() });
    return this;
  }

  permission(): this {
    const role = this.o.role ?? 'write';
    const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
    this.scope.get(`${this.repoPath}/collaborators/${this.o.login}/permission`).reply(200, { permission, role_name: role, user: { login: this.o.login } });
    return this;
  }

  reaction(content: string): this {
    const path = this.o.commentId !== undefined ? `${this.repoPath}/issues/comments/${this.o.commentId}/reactions` : `${this.repoPath}/issues/${this.o.number}/reactions`;
    this.scope
      .post(path, (b: { content: string }) => b.content === content)
      .reply(201, (_uri, body) => {
        this.record.reactions.push({ on: this.o.commentId !== undefined ? 'comment' : 'issue', content: (body as { content: string }).content });
        return { id: 1, content };
      });
    return this;
  }

  scopedToken(level: 'read' | 'write'): this {
    const token = level === 'read' ? this.o.readToken : this.o.writeToken;
    this.scope
      .post('/api/v3/app/installations/1/access_tokens', (b: { permissions?: { contents?: string } }) => b.permissions?.contents === level)
      .reply(201, (_uri, body) => {
        this.record.tokenRequests.push(body as ApiRecord['tokenRequests'][number]);
        return { token, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: { contents: level }, repository_selection: 'selected' };
      });
    return this;
  }

  /** The app's bot, read for a commit made with host git (the fallback); a commit through the API needs no identity of ours. */
  botIdentity(): this {
    this.scope.get('/api/v3/app').optionally().reply(200, { id: 123, slug: 'issuesmith', name: 'issuesmith' });
    this.scope.get('/api/v3/users/issuesmith%5Bbot%5D').optionally().reply(200, { id: 4242, login: 'issuesmith[bot]', type: 'Bot' });
    return this;
  }

  pullRequest(number = 77): this {
    this.scope.post(`${this.repoPath}/pulls`).reply(201, (_uri, body) => {
      this.record.pulls.push(body as Record<string, unknown>);
      return { number, html_url: `https://github.example/${this.o.owner}/${this.o.repo}/pull/${number}` };
    });
    return this;
  }

  /** The job's status comment: looked for (none was queued), created, then edited any number of times. */
  status(o: { existing?: Array<{ id: number; body: string; user: { login: string; type: string } }>; id?: number } = {}): this {
    const created = o.id ?? 7001;
    this.scope
      .get(`${this.repoPath}/issues/${this.o.number}/comments`)
      .query(true)
      .reply(200, o.existing ?? []);
    if (o.existing === undefined || o.existing.length === 0) {
      this.scope
        .post(`${this.repoPath}/issues/${this.o.number}/comments`, (b: { body: string }) => b.body.includes('issuesmith:status'))
        .reply(201, (_uri, body) => {
          this.record.status.push((body as { body: string }).body);
          return { id: created, html_url: 'https://github.example/c/status' };
        });
    }
    const id = o.existing?.[0]?.id ?? created;
    this.scope
      .patch(`${this.repoPath}/issues/comments/${id}`)
      .optionally()
      .times(1000)
      .reply(200, (_uri, body) => {
        this.record.status.push((body as { body: string }).body);
        return { id, html_url: 'https://github.example/c/status' };
      });
    return this;
  }

  /** A status comment posted once, as the final word, by a job that ends before it starts (a broken settings file), after it looked for a "Queued" one to take over and found none. */
  finalStatusOnly(): this {
    this.noQueuedStatus();
    this.scope
      .post(`${this.repoPath}/issues/${this.o.number}/comments`, (b: { body: string }) => b.body.includes('issuesmith:status'))
      .reply(201, (_uri, body) => {
        this.record.status.push((body as { body: string }).body);
        return { id: 7001, html_url: 'https://github.example/c/status' };
      });
    return this;
  }

  /** The worker looks for a "Queued" status of the job and finds none. */
  noQueuedStatus(): this {
    this.scope.get(`${this.repoPath}/issues/${this.o.number}/comments`).query(true).reply(200, []);
    return this;
  }

  /** The final text of the status comment. */
  get finalStatus(): string {
    return this.record.status.at(-1) ?? '';
  }

  /** Check runs created and updated. */
  checkRuns(): this {
    const create = (_uri: string, body: nock.Body): nock.ReplyBody => {
      this.record.checkRuns.push(body as Record<string, unknown>);
      return { id: 8001, html_url: `https://github.example/${this.o.owner}/${this.o.repo}/runs/8001` };
    };
    this.scope.post(`${this.repoPath}/check-runs`).reply(201, create);
    // A job slower than the status interval (a loaded machine) shows its check run on the commit it
    // started from before the one it pushed: a second creation, allowed, and dropped with the next job's mock.
    const onStart = this.scope.post(`${this.repoPath}/check-runs`).optionally();
    onStart.reply(201, create);
    MockGitHubApi.#onStart.set(this.baseUrl, onStart);
    this.scope
      .patch(`${this.repoPath}/check-runs/8001`)
      .optionally()
      .times(1000)
      .reply(200, (_uri, body) => {
        this.record.checkRuns.push(body as Record<string, unknown>);
        return { id: 8001 };
      });
    return this;
  }

  /** The open pull requests the worker reads to find the app's pull request for an issue. */
  openPulls(pulls: unknown[] = []): this {
    this.scope.get(`${this.repoPath}/pulls`).query({ state: 'open', sort: 'created', direction: 'desc', per_page: '100' }).reply(200, pulls);
    return this;
  }

  /** GET one pull request. */
  getPull(p: PullFixture): this {
    this.scope.get(`${this.repoPath}/pulls/${p.number}`).reply(200, this.pullBody(p));
    return this;
  }

  pullBody(p: PullFixture): Record<string, unknown> {
    const full = `${this.o.owner}/${this.o.repo}`;
    return {
      number: p.number,
      html_url: `https://github.example/${full}/pull/${p.number}`,
      title: p.title ?? 'Spelling error in the README file',
      body: p.body,
      state: p.state ?? 'open',
      user: { login: p.author ?? 'issuesmith[bot]', type: (p.author ?? 'issuesmith[bot]').endsWith('[bot]') ? 'Bot' : 'User' },
      head: { ref: p.headRef, sha: p.headSha ?? '0'.repeat(40), repo: { full_name: p.headRepo ?? full } },
      base: { ref: 'main', repo: { full_name: full } },
    };
  }

  /** PATCH a pull request's body. */
  updatePull(number: number): this {
    this.scope.patch(`${this.repoPath}/pulls/${number}`).reply(200, (_uri, body) => {
      this.record.pullUpdates.push({ number, body: (body as { body: string }).body });
      return { number };
    });
    return this;
  }

  pullFiles(number: number, files: string[]): this {
    this.scope
      .get(`${this.repoPath}/pulls/${number}/files`)
      .query({ per_page: '100' })
      .reply(
        200,
        files.map((filename) => ({ filename, status: 'added' })),
      );
    return this;
  }

  getIssue(number: number, o: { title: string; body: string }): this {
    this.scope.get(`${this.repoPath}/issues/${number}`).reply(200, { number, title: o.title, body: o.body });
    return this;
  }

  /** The conversation of an issue or pull request. */
  conversation(number: number, comments: Array<{ id: number; login: string; body: string; at: string; type?: string }>): this {
    this.scope
      .get(`${this.repoPath}/issues/${number}/comments`)
      .query({ per_page: '100' })
      .reply(
        200,
        comments.map((c) => ({ id: c.id, body: c.body, created_at: c.at, user: { login: c.login, type: c.type ?? 'User' } })),
      );
    return this;
  }

  /** Someone else's role (the requester's comes from `permission`). */
  permissionOf(login: string, role: string): this {
    const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
    this.scope.get(`${this.repoPath}/collaborators/${login}/permission`).reply(200, { permission, role_name: role, user: { login } });
    return this;
  }

  reviewComments(number: number, reviewId: number, comments: Array<{ login: string; body: string; path: string; line: number; diffHunk: string }>): this {
    this.scope
      .get(`${this.repoPath}/pulls/${number}/reviews/${reviewId}/comments`)
      .query({ per_page: '100' })
      .reply(
        200,
        comments.map((c, i) => ({ id: 700 + i, body: c.body, path: c.path, line: c.line, diff_hunk: c.diffHunk, user: { login: c.login } })),
      );
    return this;
  }

  /** A reaction on a review comment (a line of the diff). */
  reviewCommentReaction(commentId: number, content: string): this {
    this.scope
      .post(`${this.repoPath}/pulls/comments/${commentId}/reactions`, (b: { content: string }) => b.content === content)
      .reply(201, () => {
        this.record.reactions.push({ on: 'comment', content });
        return { id: 1, content };
      });
    return this;
  }

  comment(): this {
    this.scope
      .post(`${this.repoPath}/issues/${this.o.number}/comments`, (b: { body: string }) => !b.body.includes('issuesmith:status'))
      .reply(201, (_uri, body) => {
        this.record.comments.push((body as { body: string }).body);
        return { id: 9000 + this.record.comments.length, html_url: `https://github.example/c/${this.record.comments.length}` };
      });
    return this;
  }

  revoke(times: number): this {
    const revoked = this.record.revoked;
    this.scope
      .delete('/api/v3/installation/token')
      .times(times)
      .reply(function (this: nock.ReplyFnContext) {
        revoked.push(String(this.req.headers.authorization).replace(/^token /i, ''));
        return [204, ''];
      });
    return this;
  }
}
