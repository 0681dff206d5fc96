import { execFileSync } from 'node:child_process';
import { captureAside } from '../../src/spawner.js';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitDataBackend, isRefName } from './git-data-backend.js';

/** A bare repository `git init` made, copied for every repository a server creates; on globalThis, so a module loaded again in the same process reuses it. */
const TEMPLATE = Symbol.for('issuesmith.test.git-template');
const shared = globalThis as { [TEMPLATE]?: string };

export interface GitRequest {
  repo: string;
  service: 'upload-pack' | 'receive-pack';
  token: string | undefined;
  status: number;
  /** When it arrived, on this process's `performance.now()` clock. */
  at: number;
}

/**
 * GitHub's git side, for tests: real repositories on disk served over smart HTTP by `git http-backend`
 * on 127.0.0.1, with installation-token auth (`x-access-token:<token>` basic auth). A token may read
 * or also write; a push with a read token is refused with 403, as GitHub does.
 */
export class GitServer {
  /** Servers running in this process by URL, so the REST fakes find the repositories behind an API base. */
  static readonly running = new Map<string, GitServer>();
  readonly root = mkdtempSync(join(tmpdir(), 'issuesmith-git-'));
  /** GitHub's Git Data API on these repositories (the REST fakes route to it). */
  readonly gitData = new GitDataBackend((owner, repo) => this.barePath(owner, repo));
  readonly requests: GitRequest[] = [];
  readonly tokens = new Map<string, 'read' | 'write'>();
  #server: Server | undefined;
  port = 0;

  /** Extra routes served before git's (the process-level fake GitHub puts its API here). */
  constructor(private readonly fallback?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>) {}

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as AddressInfo).port;
    GitServer.running.set(this.url, this);
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    GitServer.running.delete(this.url);
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    rmSync(this.root, { recursive: true, force: true });
  }

  /**
   * Creates `<owner>/<repo>.git` with one commit of the given files on `branch`, as `git init --bare`,
   * then `git commit` of those files in a clone and a push would: the repository is a copy of one made
   * by `git init` once a process, its seed commit written by the Git Data backend's object writer
   * (every file 100644, author and committer `Seed`, message `initial`). Files git would treat by
   * their name (.gitignore, .gitattributes) are committed by git itself instead.
   */
  createRepo(owner: string, repo: string, files: Record<string, string>, branch = 'main'): string {
    const bare = this.barePath(owner, repo);
    mkdirSync(join(bare, '..'), { recursive: true });
    cpSync(GitServer.#template(), bare, { recursive: true });
    writeFileSync(join(bare, 'HEAD'), `ref: refs/heads/${branch}\n`);
    // As `git config` writes them, in one go: pushes allowed, and no automatic gc or maintenance (a
    // background gc after a push costs processes and time, and repacks what a test may still read).
    appendFileSync(
      join(bare, 'config'),
      [
        '[http]',
        '\treceivepack = true',
        // GitHub lets a client fetch any reachable commit by id; the host-side push relies on it.
        '[uploadpack]',
        '\tallowReachableSHA1InWant = true',
        '[gc]',
        '\tauto = 0',
        '[maintenance]',
        '\tauto = false',
        '[receive]',
        '\tautogc = false',
        '',
      ].join('\n'),
    );
    if (Object.keys(files).some((p) => p.split('/').some((c) => c.toLowerCase().startsWith('.git')))) this.#seedWithGit(bare, files, branch);
    else {
      const data = this.gitData.repo(bare);
      const tree = data.buildTree(
        undefined,
        Object.entries(files).map(([path, content]) => ({ path, mode: '100644', sha: data.write('blob', Buffer.from(content, 'utf8')) })),
      );
      const seed = { name: 'Seed', email: 'seed@example.invalid' };
      const commit = data.buildCommit({ tree, parents: [], message: 'initial\n', author: seed, committer: seed });
      // A repository nobody has seen yet: its first branch is a file, as git writes it (bare repositories keep no reflog).
      const ref = `refs/heads/${branch}`;
      if (!isRefName(ref)) throw new Error(`${branch} is not a valid branch name`);
      mkdirSync(join(bare, ref, '..'), { recursive: true });
      writeFileSync(join(bare, ref), `${commit}\n`);
    }
    return bare;
  }

  /** A bare repository as `git init --bare` makes it, made once a process and copied for each repository. */
  static #template(): string {
    let template = shared[TEMPLATE];
    if (template === undefined || !existsSync(template)) {
      const dir = mkdtempSync(join(tmpdir(), 'issuesmith-git-template-'));
      template = shared[TEMPLATE] = join(dir, 'template.git');
      git(['init', '-q', '--bare', template]);
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    }
    return template;
  }

  #seedWithGit(bare: string, files: Record<string, string>, branch: string): void {
    const work = mkdtempSync(join(tmpdir(), 'issuesmith-seed-'));
    git(['init', '-q', '-b', branch, work]);
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(work, path, '..'), { recursive: true });
      writeFileSync(join(work, path), content);
    }
    git(['-C', work, 'add', '-A']);
    git(['-C', work, '-c', 'user.name=Seed', '-c', 'user.email=seed@example.invalid', 'commit', '-qm', 'initial']);
    git(['-C', work, 'push', '-q', bare, `${branch}:${branch}`]);
    rmSync(work, { recursive: true, force: true });
  }

  barePath(owner: string, repo: string): string {
    return join(this.root, owner, `${repo}.git`);
  }

  /** Runs git against a served repository, e.g. `show branch:file`. */
  git(owner: string, repo: string, args: string[]): string {
    return git(['--git-dir', this.barePath(owner, repo), ...args]);
  }

  /** A branch's head commit, as GitHub's `GET /repos/{o}/{r}/commits/{branch}` answers it; undefined without one. */
  head(owner: string, repo: string, branch: string): string | undefined {
    try {
      return this.git(owner, repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]) || undefined;
    } catch {
      return undefined;
    }
  }

  /** The repository's branches, as `git for-each-ref refs/heads` lists them (read in this process). */
  branches(owner: string, repo: string): string[] {
    return this.gitData
      .repo(this.barePath(owner, repo))
      .refs('refs/heads/')
      .map((r) => r.ref.slice('refs/heads/'.length));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = /^\/([^/]+)\/([^/]+)\.git(\/.*)$/.exec(url.pathname);
    if (!m) {
      if (this.fallback && (await this.fallback(req, res))) return;
      res.writeHead(404).end();
      return;
    }
    const [, owner = '', repo = '', rest = ''] = m;
    const service = (url.searchParams.get('service') ?? rest.slice(1)).replace(/^git-/, '');
    const kind: GitRequest['service'] = service === 'receive-pack' ? 'receive-pack' : 'upload-pack';
    const token = tokenOf(req.headers.authorization);
    const level = token === undefined ? undefined : this.tokens.get(token);
    const at = performance.now();
    const record = (status: number): void => void this.requests.push({ repo: `${owner}/${repo}`, service: kind, token, status, at });
    if (level === undefined) {
      record(401);
      res.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"' }).end();
      return;
    }
    if (kind === 'receive-pack' && level !== 'write') {
      record(403);
      res.writeHead(403).end('Write access to repository not granted.');
      return;
    }
    record(200);
    const body: Buffer[] = [];
    for await (const chunk of req) body.push(chunk as Buffer);
    // Started by the app's spawner (a small process): a fork from this test process, hundreds of MB, costs far more.
    const cgi = await captureAside('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: this.root,
        GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: `/${owner}/${repo}.git${rest}`,
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        // http-backend checks REMOTE_USER before it accepts a push.
        REMOTE_USER: 'x-access-token',
        REMOTE_ADDR: '127.0.0.1',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
      },
      input: Buffer.concat(body),
    });
    const out = cgi.stdout;
    const split = out.indexOf('\r\n\r\n');
    const headerEnd = split === -1 ? out.indexOf('\n\n') : split;
    const sep = split === -1 ? 2 : 4;
    const headerText = out.subarray(0, headerEnd).toString('utf8');
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of headerText.split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i === -1) continue;
      const k = line.slice(0, i).trim();
      const v = line.slice(i + 1).trim();
      if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
      else headers[k] = v;
    }
    res.writeHead(status, headers).end(out.subarray(headerEnd + sep));
  }
}

function tokenOf(header: string | undefined): string | undefined {
  const m = /^Basic (.+)$/i.exec(header ?? '');
  if (!m?.[1]) return undefined;
  const [user, password] = Buffer.from(m[1], 'base64').toString('utf8').split(':');
  return user === 'x-access-token' ? password : undefined;
}

function git(args: string[]): string {
  return execFileSync('git', args, { encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } }).trim();
}
