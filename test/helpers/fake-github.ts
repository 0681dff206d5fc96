import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GitServer } from './git-server.js';

export interface ApiCall {
  method: string;
  path: string;
  body: unknown;
  /** When it arrived, on this process's `performance.now()` clock. */
  at: number;
}

/**
 * A small GitHub Enterprise Server on loopback for process-level tests: the REST routes one job uses,
 * under /api/v3, and real git repositories over smart HTTP. Tokens it mints are honoured by its git
 * side with the permissions they were asked for.
 */
export class FakeGitHub {
  readonly calls: ApiCall[] = [];
  readonly git: GitServer;
  role = 'write';
  /** Roles of particular people (by lowercase login); everyone else has `role`. */
  readonly roles = new Map<string, string>();
  /** The repositories' `.github/issuesmith.yml`; absent: 404. */
  configFile: string | undefined;
  /** Branch heads `GET /repos/{o}/{r}/commits/{ref}` answers with, by lowercase `owner/repo/ref`; absent: the served repository's, else 404. */
  readonly heads = new Map<string, string>();

  constructor() {
    this.git = new GitServer((req, res) => this.#api(req, res));
  }

  async start(): Promise<this> {
    await this.git.start();
    return this;
  }

  stop(): Promise<void> {
    return this.git.stop();
  }

  get host(): string {
    return `127.0.0.1:${this.git.port}`;
  }

  /** Comments on issues, as last edited. */
  readonly comments: Array<{ id: number; issue: number; body: string; user: { login: string; type: string }; updated_at: string }> = [];

  /** Answers set up to come first, each once, for the next request that matches: GitHub's refusals. */
  readonly refusals: Array<{ method: string; pattern: RegExp; status: number; headers?: Record<string, string>; body: unknown }> = [];

  /** Images pasted into issues, by path (`/user-attachments/assets/<id>`): served only with a token this server minted. */
  readonly attachments = new Map<string, Buffer>();
  /** Every request for an attachment, with the Authorization it carried. */
  readonly attachmentRequests: Array<{ path: string; authorization: string | undefined }> = [];

  callsTo(method: string, pattern: RegExp): ApiCall[] {
    return this.calls.filter((c) => c.method === method && pattern.test(c.path));
  }

  async #api(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/user-attachments/assets/')) {
      this.attachmentRequests.push({ path: url.pathname, authorization: req.headers.authorization });
      const token = String(req.headers.authorization ?? '').replace(/^bearer /i, '');
      const data = this.git.tokens.has(token) ? this.attachments.get(url.pathname) : undefined;
      res.writeHead(data === undefined ? 404 : 200, { 'content-type': 'image/png' }).end(data ?? 'Not Found');
      return true;
    }
    if (!url.pathname.startsWith('/api/v3/')) return false;
    const path = url.pathname.slice('/api/v3'.length);
    const at = performance.now();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    const method = req.method ?? 'GET';
    this.calls.push({ method, path, body, at });
    const send = (status: number, data?: unknown): true => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(data === undefined ? '' : JSON.stringify(data));
      return true;
    };
    const refusal = this.refusals.findIndex((r) => r.method === method && r.pattern.test(path));
    if (refusal !== -1) {
      const [r] = this.refusals.splice(refusal, 1);
      if (r !== undefined) {
        res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers }).end(JSON.stringify(r.body));
        return true;
      }
    }
    const level = this.git.tokens.get(String(req.headers.authorization ?? '').replace(/^(token|bearer) /i, ''));
    const data = this.git.gitData.handle(method, path, url.searchParams, body, level);
    if (data !== undefined) return send(data.status, data.body);
    let m: RegExpExecArray | null;
    if (method === 'POST' && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      const token = `ghs_${randomBytes(24).toString('hex')}`;
      const contents = (body as { permissions?: { contents?: string } } | undefined)?.permissions?.contents;
      this.git.tokens.set(token, contents === 'read' ? 'read' : 'write');
      return send(201, { token, expires_at: new Date(Date.now() + 3600_000).toISOString() });
    }
    if (method === 'DELETE' && path === '/installation/token') {
      const token = String(req.headers.authorization ?? '').replace(/^(token|bearer) /i, '');
      this.git.tokens.delete(token);
      return send(204);
    }
    if (method === 'GET' && path === '/app') return send(200, { id: 123, slug: 'issuesmith', name: 'issuesmith' });
    if (method === 'GET' && (m = /^\/users\/([^/]+)$/.exec(path))) return send(200, { id: 4242, login: decodeURIComponent(m[1] ?? ''), type: 'Bot' });
    if (method === 'GET' && (m = /^\/repos\/[^/]+\/[^/]+\/collaborators\/([^/]+)\/permission$/.exec(path))) {
      const role = this.roles.get(decodeURIComponent(m[1] ?? '').toLowerCase()) ?? this.role;
      return send(200, { permission: role, role_name: role, user: { login: m[1] } });
    }
    if (method === 'GET' && /^\/repos\/[^/]+\/[^/]+\/contents\/\.github(%2F|\/)issuesmith\.yml$/i.test(path) && this.configFile !== undefined) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(this.configFile);
      return true;
    }
    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)$/.exec(path))) {
      const head =
        this.heads.get(`${m[1]}/${m[2]}/${m[3]}`.toLowerCase()) ?? this.git.head(decodeURIComponent(m[1] ?? ''), decodeURIComponent(m[2] ?? ''), decodeURIComponent(m[3] ?? ''));
      if (head === undefined) return send(404, { message: 'Not Found' });
      res.writeHead(200, { 'content-type': 'application/vnd.github.sha; charset=utf-8' }).end(head);
      return true;
    }
    if (method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/issues\/(comments\/)?\d+\/reactions$/.test(path)) return send(201, { id: 1 });
    if (method === 'POST' && (m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(path))) {
      const comment = {
        id: this.calls.length,
        issue: Number(m[3]),
        body: String((body as { body?: string }).body ?? ''),
        user: { login: 'issuesmith[bot]', type: 'Bot' },
        updated_at: new Date().toISOString(),
      };
      this.comments.push(comment);
      return send(201, { ...comment, html_url: `http://${this.host}/${m[1]}/${m[2]}/issues/${m[3]}#issuecomment-${comment.id}` });
    }
    if (method === 'GET' && (m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(path))) {
      const since = url.searchParams.get('since') ?? '';
      return send(
        200,
        this.comments.filter((c) => c.issue === Number(m?.[1]) && c.updated_at >= since),
      );
    }
    if (method === 'PATCH' && (m = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(path))) {
      const comment = this.comments.find((c) => c.id === Number(m?.[1]));
      if (comment === undefined) return send(404, { message: 'Not Found' });
      comment.body = String((body as { body?: string }).body ?? '');
      comment.updated_at = new Date().toISOString();
      return send(200, comment);
    }
    // As GitHub does, the run's page comes back with it (the status comment links to it).
    if (method === 'POST' && (m = /^\/repos\/([^/]+)\/([^/]+)\/check-runs$/.exec(path))) return send(201, { id: 8001, html_url: `http://${this.host}/${m[1]}/${m[2]}/runs/8001` });
    if (method === 'PATCH' && /^\/repos\/[^/]+\/[^/]+\/check-runs\/\d+$/.test(path)) return send(200, { id: 8001 });
    // The pull requests it opens are not kept: a later job for the same issue finds none and starts afresh.
    if (method === 'GET' && /^\/repos\/[^/]+\/[^/]+\/pulls$/.test(path)) return send(200, []);
    if (method === 'POST' && (m = /^\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(path))) {
      return send(201, { number: 2, html_url: `http://${this.host}/${m[1]}/${m[2]}/pull/2` });
    }
    return send(404, { message: 'Not Found' });
  }
}
