/**
 * A fake E2B for tests: the REST API (api.e2b.app) and each sandbox's envd (Connect protocol, JSON
 * codec, HTTP/1.1) on two loopback ports, spoken to by the real, unmodified `e2b` SDK through
 * `E2B_API_URL` / `E2B_SANDBOX_URL` (or the same `apiUrl` / `sandboxUrl` options). With a sandbox URL
 * set, the SDK sends every envd request to it over plain http, with the sandbox's id in the
 * `E2b-Sandbox-Id` header. (`E2B_DEBUG` must stay unset: in debug mode the SDK skips the API entirely.)
 *
 * Sandboxes are temporary directories on the host. Commands run as the real `bash` with the args
 * the SDK sends (`/bin/bash -l -c <cmd>`), with only the sandbox's variables and the command's.
 *
 * Path mapping: the sandbox's `/home/user` is `<root>/home/user` on the host (`sandbox.home`), and
 * nothing else is mapped. Every `/home/user` in a command's text, its cwd, its variables' values and
 * in file paths is rewritten to that directory, and HOME points at it; every other absolute path is
 * the host's own. Relative file paths are taken from the home directory, as envd does. So what a
 * command prints (e.g. a fake agent's cwd) carries host paths.
 *
 * Egress: a sandbox made with `network.rules` sends its outbound HTTP through an egress proxy of its
 * own (its processes get `http_proxy`), which applies the rules as E2B's does: the rule set of the
 * request's host (an exact name first, else the longest matching `*.` wildcard) sets its headers,
 * replacing any of the same name. It reaches loopback addresses only; HTTPS (CONNECT) is tunnelled
 * to them untransformed, since the fake has no certificate authority for the sandbox to trust.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { components } from 'e2b';
import { builtInProfiles } from '../../src/agents/registry.js';

type NewSandboxBody = components['schemas']['NewSandboxV2'];
type SandboxBody = components['schemas']['Sandbox'];
type ListedSandbox = components['schemas']['ListedSandbox'];
type SandboxDetail = components['schemas']['SandboxDetail'];
type ApiError = components['schemas']['Error'];
type NetworkConfig = components['schemas']['SandboxNetworkConfig'];
type TemplateBuildRequest = components['schemas']['TemplateBuildRequestV3'];
type TemplateBuildStart = components['schemas']['TemplateBuildStartV2'];

export const FAKE_ENVD_VERSION = '0.6.13';
// The shipped templates, and the agents' bare names: templates an operator built by hand under them.
const DEFAULT_TEMPLATES = ['base', ...builtInProfiles.flatMap((p) => [p.template, p.name])];

export interface FakeE2BOptions {
  /** The only key the API accepts. */
  apiKey?: string;
  /** Templates that exist; any other name gets E2B's 404. */
  templates?: string[];
  /** PATH inside the sandboxes (e.g. with test/fixtures/bin first). Defaults to the host's PATH. */
  path?: string;
  /** Where sandbox directories are made. */
  root?: string;
}

export interface CreateRecord {
  sandboxId: string;
  template: string;
  envs: Record<string, string>;
  metadata: Record<string, string>;
  timeoutSeconds: number | undefined;
  autoPause: boolean | undefined;
  network: NetworkConfig | undefined;
}

export interface CommandRecord {
  sandboxId: string;
  /** The script as the SDK sent it (the `-c` argument), before any path mapping. */
  cmd: string;
  cwd: string | undefined;
  /** Names of the variables the command itself was given (the sandbox's own are in its create record). */
  envNames: string[];
  envs: Record<string, string>;
  /** The SDK's `Connect-Timeout-Ms`. */
  timeoutMs: number | undefined;
  pid: number;
  exitCode?: number;
}

/** One template build, as the SDK asked for it: the name, the resources, and the definition it sent. */
export interface BuildRecord {
  name: string;
  templateId: string;
  buildId: string;
  cpuCount: number | undefined;
  memoryMB: number | undefined;
  /** The definition (steps, base image), once the SDK triggered the build. */
  template?: TemplateBuildStart;
  status: 'waiting' | 'building' | 'ready' | 'error';
}

/** One request a sandbox sent out through its egress proxy, as it left (after the rules). */
export interface EgressRecord {
  sandboxId: string;
  method: string;
  host: string;
  path: string;
  /** The rule set that matched the host (its key), if any. */
  rule: string | undefined;
  /** The header names the rules set. */
  set: string[];
}

export interface FileRecord {
  sandboxId: string;
  path: string;
  bytes: number;
}

export interface FakeRecord {
  creates: CreateRecord[];
  commands: CommandRecord[];
  writes: FileRecord[];
  reads: FileRecord[];
  pauses: string[];
  connects: string[];
  kills: string[];
  signals: Array<{ sandboxId: string; pid: number; signal: string }>;
  lists: Array<{ metadata: Record<string, string> | undefined; state: string[] | undefined }>;
  builds: BuildRecord[];
  /** Template names the SDK asked about (`Template.exists`). */
  templateChecks: string[];
  egress: EgressRecord[];
  /** Every REST request, with the status it got. */
  api: Array<{ method: string; path: string; status: number }>;
}

export type FakeSandboxState = 'running' | 'paused' | 'killed' | 'dead';

export interface FakeSandbox {
  id: string;
  template: string;
  /** Host directory standing for the sandbox's `/`-side: its home is `<root>/home/user`. */
  root: string;
  /** Host directory that is the sandbox's `/home/user`. */
  home: string;
  state: FakeSandboxState;
  metadata: Record<string, string>;
  envs: Record<string, string>;
  network: NetworkConfig | undefined;
  autoPause: boolean;
  startedAt: Date;
  endAt: Date;
  accessToken: string;
  processes: Map<number, ChildProcess>;
  /** Open command streams: they drop, unfinished, when the sandbox stops. */
  streams: Set<ServerResponse>;
  /** The egress proxy of a sandbox made with network rules, and its URL for the sandbox's processes. */
  egress?: Server;
  egressUrl?: string;
  expiry?: NodeJS.Timeout;
}

interface Die {
  match: (cmd: string) => boolean;
}

export class FakeE2BServer {
  readonly record: FakeRecord = {
    creates: [],
    commands: [],
    writes: [],
    reads: [],
    pauses: [],
    connects: [],
    kills: [],
    signals: [],
    lists: [],
    builds: [],
    templateChecks: [],
    egress: [],
    api: [],
  };
  readonly sandboxes = new Map<string, FakeSandbox>();
  readonly apiKey: string;
  apiUrl = '';
  sandboxUrl = '';
  #rejectKey = false;
  #rateLimited = 0;
  #busy = 0;
  readonly #dies: Die[] = [];
  readonly #failBuilds = new Set<string>();
  readonly #templates: Set<string>;
  readonly #servers: Server[] = [];
  #dir = '';

  private constructor(private readonly options: FakeE2BOptions) {
    this.apiKey = options.apiKey ?? `e2b_${randomBytes(20).toString('hex')}`;
    this.#templates = new Set(options.templates ?? DEFAULT_TEMPLATES);
  }

  static async start(options: FakeE2BOptions = {}): Promise<FakeE2BServer> {
    const fake = new FakeE2BServer(options);
    fake.#dir = await mkdtemp(join(options.root ?? tmpdir(), 'fake-e2b-'));
    fake.apiUrl = await fake.#listen((req, res) => fake.#api(req, res));
    fake.sandboxUrl = await fake.#listen((req, res) => fake.#envd(req, res));
    return fake;
  }

  /** The variables that point the SDK at this fake. */
  get env(): { E2B_API_KEY: string; E2B_API_URL: string; E2B_SANDBOX_URL: string } {
    return { E2B_API_KEY: this.apiKey, E2B_API_URL: this.apiUrl, E2B_SANDBOX_URL: this.sandboxUrl };
  }

  /** The same, as SDK connection options. */
  get connection(): { apiKey: string; apiUrl: string; sandboxUrl: string } {
    return { apiKey: this.apiKey, apiUrl: this.apiUrl, sandboxUrl: this.sandboxUrl };
  }

  /** Every API request from now on gets 401, as with a revoked key. */
  rejectApiKey(reject = true): void {
    this.#rejectKey = reject;
  }

  /** The next `n` API requests get 429. */
  rateLimit(n: number): void {
    this.#rateLimited = n;
  }

  /** The next `n` API requests get 503 (no capacity). */
  busy(n: number): void {
    this.#busy = n;
  }

  /** The sandbox dies while running the next command that matches: its connection drops, as a crashed VM's would. */
  dieDuring(match: (cmd: string) => boolean): void {
    this.#dies.push({ match });
  }

  /** Templates that exist (built, or there from the start). */
  get templates(): string[] {
    return [...this.#templates];
  }

  /** A template appears in the team (built elsewhere). */
  addTemplate(name: string): void {
    this.#templates.add(name);
  }

  /** A template disappears from the team (deleted), or never was. */
  removeTemplate(name: string): void {
    this.#templates.delete(name);
  }

  /** Builds under this name end in an error, as a failing step's would. */
  failBuildsOf(name: string): void {
    this.#failBuilds.add(name);
  }

  /** E2B ends the sandbox on its own (its timeout, a crash): as if it were killed, without an API call. */
  stop(sandboxId: string): void {
    const sb = this.sandboxes.get(sandboxId);
    if (sb !== undefined) stopSandbox(sb, 'dead');
  }

  /** A sandbox that exists without the SDK having made it (another worker's, an orphan). */
  async seed(o: { template?: string; metadata?: Record<string, string>; startedAt?: Date; state?: 'running' | 'paused' } = {}): Promise<FakeSandbox> {
    const sb = await this.#makeSandbox(o.template ?? 'base', o.metadata ?? {}, {}, undefined, false, 300);
    if (o.startedAt !== undefined) sb.startedAt = o.startedAt;
    if (o.state !== undefined) sb.state = o.state;
    return sb;
  }

  /** The host path of a path inside a sandbox. */
  hostPath(sandboxId: string, path: string): string {
    const sb = this.sandboxes.get(sandboxId);
    if (sb === undefined) throw new Error(`no sandbox ${sandboxId}`);
    return resolveFilePath(sb, path);
  }

  async close(): Promise<void> {
    for (const sb of this.sandboxes.values()) stopSandbox(sb, 'killed');
    await Promise.all(
      this.#servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
    await rm(this.#dir, { recursive: true, force: true });
  }

  #listen(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<string> {
    const server = createServer((req, res) => {
      handler(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { code: 500, message: String(err) });
        else res.destroy();
      });
    });
    this.#servers.push(server);
    return new Promise((resolve) => {
      server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    });
  }

  // ---- The REST API ----

  async #api(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.apiUrl);
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const reply = (status: number, json?: unknown, headers: Record<string, string> = {}): void => {
      this.record.api.push({ method, path: url.pathname, status });
      if (json === undefined) {
        res.writeHead(status, { 'Content-Length': '0', ...headers }).end();
      } else {
        sendJson(res, status, json, headers);
      }
    };
    const fail = (status: number, message: string): void => reply(status, { code: status, message } satisfies ApiError);

    if (this.#rejectKey || req.headers['x-api-key'] !== this.apiKey) return fail(401, 'Invalid API key, please visit https://e2b.dev/docs/api-key to get your API key.');
    if (this.#rateLimited > 0) {
      this.#rateLimited -= 1;
      return fail(429, 'Rate limit exceeded, please try again later.');
    }
    if (this.#busy > 0) {
      this.#busy -= 1;
      return fail(503, 'No capacity to place a sandbox right now, please retry.');
    }

    let m: RegExpMatchArray | null;
    if (method === 'POST' && url.pathname === '/v2/sandboxes') {
      const b = JSON.parse(body.toString('utf8')) as NewSandboxBody;
      if (!this.#templates.has(b.templateID)) return fail(404, `template '${b.templateID}' not found`);
      const timeout = b.timeout ?? 300;
      const sb = await this.#makeSandbox(b.templateID, b.metadata ?? {}, b.envVars ?? {}, b.network, b.autoPause ?? false, timeout);
      this.record.creates.push({
        sandboxId: sb.id,
        template: b.templateID,
        envs: { ...(b.envVars ?? {}) },
        metadata: { ...(b.metadata ?? {}) },
        timeoutSeconds: b.timeout,
        autoPause: b.autoPause,
        network: b.network,
      });
      return reply(201, sandboxBody(sb));
    }
    if (method === 'GET' && url.pathname === '/v2/sandboxes') {
      const metadata = decodeMetadataQuery(url.searchParams.get('metadata'));
      const stateParam = url.searchParams.get('state');
      const states = stateParam !== null ? stateParam.split(',') : undefined;
      this.record.lists.push({ metadata, state: states });
      const wanted = states ?? ['running', 'paused'];
      const all = [...this.sandboxes.values()]
        .filter((sb) => wanted.includes(sb.state))
        .filter((sb) => Object.entries(metadata ?? {}).every(([k, v]) => sb.metadata[k] === v))
        .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const offset = Number(url.searchParams.get('nextToken') ?? 0);
      const page = all.slice(offset, offset + limit);
      const headers: Record<string, string> = { 'X-Total-Running': String(all.filter((s) => s.state === 'running').length) };
      if (offset + limit < all.length) headers['X-Next-Token'] = String(offset + limit);
      return reply(200, page.map(listedBody), headers);
    }
    if ((m = url.pathname.match(/^\/v2\/sandboxes\/([^/]+)\/connect$/)) !== null && method === 'POST') {
      const sb = this.#find(m[1]);
      if (sb === undefined) return fail(404, `sandbox "${m[1]}" doesn't exist or you don't have access to it`);
      this.record.connects.push(sb.id);
      const b = body.length > 0 ? (JSON.parse(body.toString('utf8')) as components['schemas']['ConnectSandboxV2']) : {};
      const timeout = b.timeout ?? 300;
      const wasPaused = sb.state === 'paused';
      sb.state = 'running';
      // Connecting only ever extends a sandbox's life.
      const until = new Date(Date.now() + timeout * 1000);
      if (wasPaused || until > sb.endAt) this.#expireAt(sb, until);
      return reply(wasPaused ? 201 : 200, sandboxBody(sb));
    }
    if ((m = url.pathname.match(/^\/sandboxes\/([^/]+)\/pause$/)) !== null && method === 'POST') {
      const sb = this.#find(m[1]);
      if (sb === undefined) return fail(404, `sandbox "${m[1]}" not found`);
      if (sb.state === 'paused') return fail(409, `sandbox "${sb.id}" is already paused`);
      this.record.pauses.push(sb.id);
      sb.state = 'paused';
      return reply(204);
    }
    if ((m = url.pathname.match(/^\/sandboxes\/([^/]+)\/timeout$/)) !== null && method === 'POST') {
      const sb = this.#find(m[1]);
      if (sb === undefined || sb.state !== 'running') return fail(404, `sandbox "${m[1]}" not found`);
      const b = JSON.parse(body.toString('utf8')) as components['schemas']['SandboxTimeoutRequest'];
      this.#expireAt(sb, new Date(Date.now() + b.timeout * 1000));
      return reply(204);
    }
    if ((m = url.pathname.match(/^\/sandboxes\/([^/]+)$/)) !== null) {
      const sb = this.#find(m[1]);
      if (method === 'DELETE') {
        if (sb === undefined) return fail(404, `sandbox "${m[1]}" not found`);
        this.record.kills.push(sb.id);
        stopSandbox(sb, 'killed');
        await rm(sb.root, { recursive: true, force: true });
        return reply(204);
      }
      if (method === 'GET') {
        if (sb === undefined) return fail(404, `sandbox "${m[1]}" not found`);
        return reply(200, detailBody(sb));
      }
    }
    if (url.pathname.startsWith('/templates') || url.pathname.startsWith('/v2/templates') || url.pathname.startsWith('/v3/templates')) {
      return this.#templateApi(method, url, body, reply, fail);
    }
    return fail(404, `no route ${method} ${url.pathname}`);
  }

  /** The template API the SDK's `Template.exists` and `Template.build` use. */
  #templateApi(method: string, url: URL, body: Buffer, reply: (status: number, json?: unknown) => void, fail: (status: number, message: string) => void): void {
    let m: RegExpMatchArray | null;
    if (method === 'GET' && (m = url.pathname.match(/^\/templates\/aliases\/([^/]+)$/)) !== null) {
      const name = decodeURIComponent(m[1] ?? '');
      this.record.templateChecks.push(name);
      if (!this.#templates.has(name)) return fail(404, `template '${name}' not found`);
      return reply(200, { templateID: `tpl-${name}`, public: false } satisfies components['schemas']['TemplateAliasResponse']);
    }
    if (method === 'POST' && url.pathname === '/v3/templates') {
      const b = JSON.parse(body.toString('utf8')) as TemplateBuildRequest;
      const name = b.name ?? b.alias ?? '';
      const build: BuildRecord = { name, templateId: `tpl-${name}`, buildId: randomBytes(8).toString('hex'), cpuCount: b.cpuCount, memoryMB: b.memoryMB, status: 'waiting' };
      this.record.builds.push(build);
      return reply(202, { templateID: build.templateId, buildID: build.buildId, names: [name], aliases: [name], tags: [], public: false });
    }
    const build = (templateId: string | undefined, buildId: string | undefined): BuildRecord | undefined =>
      this.record.builds.find((b) => b.templateId === templateId && b.buildId === buildId);
    if (method === 'POST' && (m = url.pathname.match(/^\/v2\/templates\/([^/]+)\/builds\/([^/]+)$/)) !== null) {
      const b = build(m[1], m[2]);
      if (b === undefined) return fail(404, 'build not found');
      b.template = JSON.parse(body.toString('utf8')) as TemplateBuildStart;
      b.status = 'building';
      return reply(202);
    }
    if (method === 'GET' && (m = url.pathname.match(/^\/templates\/([^/]+)\/builds\/([^/]+)\/status$/)) !== null) {
      const b = build(m[1], m[2]);
      if (b === undefined) return fail(404, 'build not found');
      return reply(200, this.#buildStatus(b, Number(url.searchParams.get('logsOffset') ?? 0)));
    }
    return fail(404, `no route ${method} ${url.pathname}`);
  }

  /** A build finishes at its first status poll: a log line per step, then ready (the name now exists) or a failed step. */
  #buildStatus(b: BuildRecord, logsOffset: number): components['schemas']['TemplateBuildInfo'] {
    if (b.status === 'building') {
      b.status = this.#failBuilds.has(b.name) ? 'error' : 'ready';
      if (b.status === 'ready') this.#templates.add(b.name);
    }
    const at = new Date().toISOString();
    const steps = b.template?.steps ?? [];
    const all = [`FROM ${b.template?.fromImage ?? '?'}`, ...steps.map((st) => `${st.type} ${(st.args ?? [])[0] ?? ''}`)].map((message) => ({
      timestamp: at,
      level: 'info' as const,
      message,
    }));
    const logEntries = b.status === 'waiting' ? [] : all.slice(logsOffset);
    const reason = b.status === 'error' ? { message: `step ${steps.length} failed: exit status 1`, step: String(steps.length), logEntries: [] } : undefined;
    return { templateID: b.templateId, buildID: b.buildId, status: b.status, logEntries, logs: [], ...(reason ? { reason } : {}) };
  }

  /** A sandbox E2B still has (running or paused); killed and dead ones are gone. */
  #find(id: string | undefined): FakeSandbox | undefined {
    const sb = id === undefined ? undefined : this.sandboxes.get(id);
    return sb !== undefined && (sb.state === 'running' || sb.state === 'paused') ? sb : undefined;
  }

  async #makeSandbox(
    template: string,
    metadata: Record<string, string>,
    envs: Record<string, string>,
    network: NetworkConfig | undefined,
    autoPause: boolean,
    timeoutSeconds: number,
  ): Promise<FakeSandbox> {
    const id = `i${randomBytes(10).toString('hex').slice(0, 19)}`;
    const root = join(this.#dir, id);
    const home = join(root, 'home', 'user');
    await mkdir(home, { recursive: true });
    const path = this.options.path ?? process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
    // A login shell resets PATH from /etc/profile; the sandbox's profile sets it back, as a template's image would.
    await writeFile(join(home, '.bash_profile'), `export PATH='${path.replaceAll("'", `'\\''`)}'\n`);
    const now = new Date();
    const sb: FakeSandbox = {
      id,
      template,
      root,
      home,
      state: 'running',
      metadata: { ...metadata },
      envs: { ...envs },
      network,
      autoPause,
      startedAt: now,
      endAt: now,
      accessToken: randomBytes(16).toString('hex'),
      processes: new Map(),
      streams: new Set(),
    };
    this.sandboxes.set(id, sb);
    if (network?.rules !== undefined && Object.keys(network.rules).length > 0) await this.#startEgress(sb);
    this.#expireAt(sb, new Date(now.getTime() + timeoutSeconds * 1000));
    return sb;
  }

  /** At its end a sandbox is killed, or paused when it was made with `onTimeout: 'pause'`. */
  #expireAt(sb: FakeSandbox, at: Date): void {
    clearTimeout(sb.expiry);
    sb.endAt = at;
    sb.expiry = setTimeout(
      () => {
        if (sb.state !== 'running') return;
        if (sb.autoPause) sb.state = 'paused';
        else stopSandbox(sb, 'killed');
      },
      Math.max(0, at.getTime() - Date.now()),
    );
    sb.expiry.unref();
  }

  // ---- Egress: the sandbox's outbound HTTP, with its network rules applied ----

  async #startEgress(sb: FakeSandbox): Promise<void> {
    const server = createServer((req, res) => this.#egress(sb, req, res));
    server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const [host = '', port = '443'] = (req.url ?? '').split(/:(?=\d+$)/);
      if (!isLoopback(host)) return void socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      const upstream = netConnect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket).pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    sb.egress = server;
    sb.egressUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  #egress(sb: FakeSandbox, req: IncomingMessage, res: ServerResponse): void {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      return void res.writeHead(400).end('the egress proxy takes absolute URLs');
    }
    const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (!isLoopback(host)) return void res.writeHead(403).end('the fake reaches loopback addresses only');
    const headers: OutgoingHttpHeaders = { ...req.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const rule = matchRule(sb.network?.rules, host);
    const set: string[] = [];
    for (const r of rule === undefined ? [] : (sb.network?.rules?.[rule] ?? [])) {
      for (const [name, value] of Object.entries(r.transform?.headers ?? {})) {
        for (const existing of Object.keys(headers)) if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
        headers[name.toLowerCase()] = value;
        set.push(name);
      }
    }
    this.record.egress.push({ sandboxId: sb.id, method: req.method ?? 'GET', host, path: target.pathname, rule, set });
    const port = target.port === '' ? 80 : Number(target.port);
    const upstream = httpRequest({ host, port, method: req.method, path: `${target.pathname}${target.search}`, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  }

  // ---- envd, one per sandbox, told apart by the E2b-Sandbox-Id header ----

  async #envd(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.sandboxUrl);
    const id = header(req, 'e2b-sandbox-id');
    const sb = id === undefined ? undefined : this.sandboxes.get(id);
    // E2B's edge answers for a sandbox that is not running (paused, killed, dead, unknown) with 502.
    if (sb === undefined || sb.state !== 'running') {
      await readBody(req);
      return sendJson(res, 502, { code: 502, message: `The sandbox ${id ?? ''} was not found`, sandboxId: id });
    }
    if (url.pathname === '/health') {
      await readBody(req);
      return void res.writeHead(204).end();
    }
    if (header(req, 'x-access-token') !== sb.accessToken) {
      await readBody(req);
      return sendJson(res, 401, { code: 401, message: 'invalid access token' });
    }
    if (url.pathname === '/files') return this.#files(sb, url, req, res);
    if (url.pathname === '/process.Process/Start') return this.#start(sb, req, res);
    if (url.pathname === '/process.Process/SendSignal') return this.#sendSignal(sb, req, res);
    if (url.pathname === '/process.Process/List') {
      await readBody(req);
      const processes = [...sb.processes.entries()].map(([pid, child]) => ({ pid, config: { cmd: child.spawnfile, args: child.spawnargs.slice(1), envs: {} } }));
      return sendJson(res, 200, { processes });
    }
    await readBody(req);
    return sendJson(res, 404, { code: 'unimplemented', message: `${url.pathname} is not implemented by the fake` });
  }

  async #files(sb: FakeSandbox, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = url.searchParams.get('path') ?? undefined;
    if (req.method === 'GET') {
      if (path === undefined) return sendJson(res, 400, { code: 400, message: 'path is required' });
      let data: Buffer;
      try {
        data = await readFile(resolveFilePath(sb, path));
      } catch {
        return sendJson(res, 404, { code: 404, message: `path '${path}' does not exist` });
      }
      this.record.reads.push({ sandboxId: sb.id, path, bytes: data.length });
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(data.length) }).end(data);
      return;
    }
    if (req.method !== 'POST') return sendJson(res, 405, { code: 405, message: 'method not allowed' });
    const type = header(req, 'content-type') ?? '';
    const files: Array<{ path: string; data: Buffer }> = [];
    if (type.startsWith('multipart/form-data')) {
      const form = await new Response(body, { headers: { 'Content-Type': type } }).formData();
      for (const part of form.getAll('file')) {
        if (typeof part === 'string') continue;
        files.push({ path: path ?? part.name, data: Buffer.from(await part.arrayBuffer()) });
      }
    } else {
      if (path === undefined) return sendJson(res, 400, { code: 400, message: 'path is required' });
      files.push({ path, data: body });
    }
    const entries = [];
    for (const f of files) {
      const host = resolveFilePath(sb, f.path);
      await mkdir(dirname(host), { recursive: true });
      await writeFile(host, f.data);
      this.record.writes.push({ sandboxId: sb.id, path: f.path, bytes: f.data.length });
      entries.push({ name: f.path.split('/').pop() ?? f.path, type: 'file', path: f.path });
    }
    return sendJson(res, 200, entries);
  }

  async #start(sb: FakeSandbox, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const frames = decodeEnvelopes(await readBody(req));
    const first = frames[0];
    if (first === undefined) return sendJson(res, 400, { code: 'invalid_argument', message: 'missing request message' });
    const request = JSON.parse(first.data.toString('utf8')) as StartRequest;
    const p = request.process;
    const script = p.args?.[p.args.length - 1] ?? '';
    const cmdEnvs = p.envs ?? {};
    const timeoutHeader = header(req, 'connect-timeout-ms');
    const timeoutMs = timeoutHeader !== undefined ? Number(timeoutHeader) : undefined;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...sb.envs, ...cmdEnvs })) env[k] = mapHome(sb, v);
    const cwd = p.cwd !== undefined && p.cwd !== '' ? mapHome(sb, p.cwd) : sb.home;
    const child = spawn(
      p.cmd,
      (p.args ?? []).map((a) => mapHome(sb, a)),
      {
        cwd,
        env: { HOME: sb.home, USER: 'user', LANG: 'C.UTF-8', PATH: this.options.path ?? process.env.PATH ?? '/usr/bin:/bin', ...proxyEnv(sb), ...env },
        stdio: [request.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    const pid = child.pid ?? -1;
    const rec: CommandRecord = { sandboxId: sb.id, cmd: script, cwd: p.cwd, envNames: Object.keys(cmdEnvs), envs: { ...cmdEnvs }, timeoutMs, pid };
    this.record.commands.push(rec);
    if (child.pid === undefined) {
      res.writeHead(200, { 'Content-Type': 'application/connect+json' });
      res.end(endStream({ error: { code: 'internal', message: `could not start ${p.cmd}` } }));
      return;
    }
    sb.processes.set(pid, child);
    res.writeHead(200, { 'Content-Type': 'application/connect+json' });
    res.write(envelope(0, { event: { start: { pid } } }));

    sb.streams.add(res);
    res.on('close', () => sb.streams.delete(res));
    const dieIndex = this.#dies.findIndex((d) => d.match(script));
    if (dieIndex >= 0) {
      this.#dies.splice(dieIndex, 1);
      setTimeout(() => stopSandbox(sb, 'dead'), 150).unref();
    }
    const forward = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      if (!res.writableEnded && !res.destroyed) res.write(envelope(0, { event: { data: { [stream]: chunk.toString('base64') } } }));
    };
    child.stdout?.on('data', forward('stdout'));
    child.stderr?.on('data', forward('stderr'));
    // envd ends the process at the request's deadline.
    let deadlineHit = false;
    const deadline =
      timeoutMs !== undefined && timeoutMs > 0
        ? setTimeout(() => {
            deadlineHit = true;
            killGroup(child);
          }, timeoutMs)
        : undefined;
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      sb.processes.delete(pid);
      if (res.writableEnded || res.destroyed) return;
      if (deadlineHit) {
        res.end(endStream({ error: { code: 'deadline_exceeded', message: 'context deadline exceeded' } }));
        return;
      }
      const exitCode = code ?? -1;
      rec.exitCode = exitCode;
      const status = signal !== null ? `signal: ${signalName(signal)}` : `exit status ${exitCode}`;
      const end: Record<string, unknown> = { exitCode, status };
      if (signal === null) end.exited = true;
      if (exitCode !== 0) end.error = status;
      res.write(envelope(0, { event: { end } }));
      res.end(endStream({}));
    });
  }

  async #sendSignal(sb: FakeSandbox, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = JSON.parse((await readBody(req)).toString('utf8')) as { process?: { pid?: number }; signal?: string };
    const pid = request.process?.pid ?? -1;
    const child = sb.processes.get(pid);
    this.record.signals.push({ sandboxId: sb.id, pid, signal: request.signal ?? '' });
    if (child === undefined) return sendJson(res, 404, { code: 'not_found', message: `process with pid ${pid} not found` });
    if (request.signal === 'SIGNAL_SIGTERM') killGroup(child, 'SIGTERM');
    else killGroup(child);
    return sendJson(res, 200, {});
  }
}

interface StartRequest {
  process: { cmd: string; args?: string[]; envs?: Record<string, string>; cwd?: string };
  stdin?: boolean;
}

/** The VM is gone: its processes with it, and the connections to it drop mid-stream. */
function stopSandbox(sb: FakeSandbox, state: 'killed' | 'dead'): void {
  sb.state = state;
  clearTimeout(sb.expiry);
  for (const res of sb.streams) res.socket?.destroy();
  sb.streams.clear();
  for (const child of sb.processes.values()) killGroup(child);
  sb.processes.clear();
  sb.egress?.close();
  sb.egress?.closeAllConnections();
}

/** A sandbox with an egress proxy sends its processes' HTTP through it, as E2B's network does without being asked. */
function proxyEnv(sb: FakeSandbox): Record<string, string> {
  if (sb.egressUrl === undefined) return {};
  return { http_proxy: sb.egressUrl, HTTP_PROXY: sb.egressUrl, https_proxy: sb.egressUrl, HTTPS_PROXY: sb.egressUrl };
}

/** The rule set for a host: an exact key first, else the longest `*.` wildcard that matches a subdomain (never the apex). */
function matchRule(rules: NetworkConfig['rules'], host: string): string | undefined {
  if (rules === undefined) return undefined;
  const keys = Object.keys(rules);
  const exact = keys.find((k) => k.toLowerCase() === host);
  if (exact !== undefined) return exact;
  return keys.filter((k) => k.startsWith('*.') && host.endsWith(k.slice(1).toLowerCase())).sort((a, b) => b.length - a.length)[0];
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function signalName(signal: NodeJS.Signals): string {
  return signal === 'SIGKILL' ? 'killed' : signal === 'SIGTERM' ? 'terminated' : signal.toLowerCase();
}

const HOME_IN_SANDBOX = /\/home\/user(?=$|[/\s'"`;:)|&<>$])/g;

function mapHome(sb: FakeSandbox, s: string): string {
  return s.replace(HOME_IN_SANDBOX, sb.home);
}

function resolveFilePath(sb: FakeSandbox, path: string): string {
  return isAbsolute(path) ? mapHome(sb, path) : join(sb.home, path);
}

/** The SDK encodes the metadata filter three times over: each key and value, the pairs as a query string, and that as a parameter. */
function decodeMetadataQuery(param: string | null): Record<string, string> | undefined {
  if (param === null) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(param)) out[decodeURIComponent(k)] = decodeURIComponent(v);
  return out;
}

function sandboxBody(sb: FakeSandbox): SandboxBody {
  return { sandboxID: sb.id, templateID: sb.template, alias: sb.template, clientID: 'fake-client', envdVersion: FAKE_ENVD_VERSION, envdAccessToken: sb.accessToken, domain: null };
}

function listedBody(sb: FakeSandbox): ListedSandbox {
  return {
    sandboxID: sb.id,
    templateID: sb.template,
    alias: sb.template,
    clientID: 'fake-client',
    cpuCount: 2,
    memoryMB: 512,
    diskSizeMB: 1024,
    envdVersion: FAKE_ENVD_VERSION,
    metadata: { ...sb.metadata },
    startedAt: sb.startedAt.toISOString(),
    endAt: sb.endAt.toISOString(),
    state: sb.state === 'paused' ? 'paused' : 'running',
  };
}

function detailBody(sb: FakeSandbox): SandboxDetail {
  return { ...listedBody(sb), envdAccessToken: sb.accessToken, domain: null, network: sb.network, lifecycle: { onTimeout: sb.autoPause ? 'pause' : 'kill', autoResume: false } };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(json);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers }).end(body);
}

/** A Connect envelope: one flags byte, a big-endian u32 length, the JSON message. */
function envelope(flags: number, message: unknown): Buffer {
  const data = Buffer.from(JSON.stringify(message), 'utf8');
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(data.length, 1);
  return Buffer.concat([head, data]);
}

/** The end-of-stream envelope (flag 0x02): `{}` when all went well, else `{error: {code, message}}`. */
function endStream(message: object): Buffer {
  return envelope(0x02, message);
}

function decodeEnvelopes(buf: Buffer): Array<{ flags: number; data: Buffer }> {
  const out: Array<{ flags: number; data: Buffer }> = [];
  let at = 0;
  while (at + 5 <= buf.length) {
    const flags = buf.readUInt8(at);
    const len = buf.readUInt32BE(at + 1);
    out.push({ flags, data: buf.subarray(at + 5, at + 5 + len) });
    at += 5 + len;
  }
  return out;
}
