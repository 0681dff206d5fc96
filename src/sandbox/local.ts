import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { shellQuote } from '../security/shell-quote.js';
import { LocalTagFile, TAG_FILE, type LocalTag } from './local-tag.js';
import { spawnAside, type SpawnedChild } from '../spawner.js';
import { localNiceFromEnv } from './local-nice.js';
import { spawnTurn } from '../spawn-turn.js';
import {
  CommandTimeoutError,
  FileTooLargeError,
  ownedBy,
  SandboxError,
  type CreateOptions,
  type RunOptions,
  type RunResult,
  type Sandbox,
  type SandboxOwner,
  type SandboxProvider,
  type SandboxProviderEntry,
} from './provider.js';

export interface LocalProviderOptions {
  /** PATH inside the sandbox: where the agents' CLIs are found. Defaults to the host's PATH. */
  path?: string;
  /** Directory the sandboxes are made in. */
  root?: string;
  /** Where a refused connect or kill is told. */
  logger?: { warn(obj: object, msg?: string): void };
  /** The nice value (1–19) of every command and its children (ISSUESMITH_LOCAL_NICE); 0 or none: the app's own. */
  nice?: number;
}

/**
 * Runs sandbox commands on the host, in a directory of their own: for development and tests only.
 * It isolates nothing. The agent and every command it runs are processes of the app's own user on the
 * app's own machine: they can read and write whatever that user can (the app's files, its `.env` and
 * private key, other jobs' directories; `/proc/<pid>/environ` of the app itself, so the app's whole
 * environment too), reach any network the host reaches, and keep processes running. Starting them
 * with only the sandbox's variables, a HOME inside the directory and `bash -lc` (as E2B does) only
 * makes them behave like E2B's: it is no boundary. Absolute paths given to `writeFile`/`readFile`
 * are host paths. Never use it with repositories, issues or agents you do not trust.
 *
 * E2B's sandboxes all have their home at /home/user, and agents that key sessions by absolute path
 * (Claude Code) rely on that. Here, the sandboxes of one issue (metadata `repo` and `issue`) take
 * the same directory each time it is free, so a follow-up's new sandbox has the same paths as the
 * last turn's. A paused sandbox keeps its directory, and this process's registry, until it is killed.
 */
export class LocalSandboxProvider implements SandboxProvider {
  readonly name = 'local';
  readonly #live = new Map<string, LocalSandbox>();

  constructor(private readonly options: LocalProviderOptions = {}) {}

  async create(o: CreateOptions): Promise<Sandbox> {
    const dir = await this.#directory(o.metadata);
    const home = join(dir, 'home', 'user');
    await mkdir(home, { recursive: true });
    const path = this.options.path ?? process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
    // A login shell resets PATH from /etc/profile; the profile puts the host's tool path back.
    await writeFile(join(home, '.bash_profile'), `export PATH=${shellQuote(path)}\n`);
    const sandbox = new LocalSandbox(`local-${randomUUID()}`, dir, home, o, () => this.#live.delete(sandbox.id), this.options.nice ?? 0);
    this.#live.set(sandbox.id, sandbox);
    await sandbox.saveTag();
    return sandbox;
  }

  /**
   * Finds sandboxes by the tag file each one keeps in its directory (its metadata and the process
   * groups of its commands), so that another process can end what a dead one left running.
   */
  async killTagged(metadata: Readonly<Record<string, string>>): Promise<string[]> {
    const root = this.options.root ?? tmpdir();
    const killed: string[] = [];
    for (const name of await readdir(root).catch(() => [])) {
      if (!name.startsWith('issuesmith-sbx-')) continue;
      const dir = join(root, name);
      let tag: LocalTag;
      try {
        tag = JSON.parse(await readFile(join(dir, TAG_FILE), 'utf8')) as LocalTag;
      } catch {
        continue;
      }
      if (!Object.entries(metadata).every(([k, v]) => tag.metadata?.[k] === v)) continue;
      const own = this.#live.get(tag.id);
      if (own !== undefined) await own.kill();
      else {
        for (const pid of tag.pids ?? []) killGroup(pid);
        await rm(dir, { recursive: true, force: true });
      }
      killed.push(tag.id);
    }
    return killed;
  }

  async connect(id: string, owner: SandboxOwner): Promise<Sandbox | undefined> {
    const sandbox = this.#owned(id, owner, 'resume');
    sandbox?.resume();
    return sandbox;
  }

  async kill(id: string, owner: SandboxOwner): Promise<void> {
    await this.#owned(id, owner, 'kill')?.kill();
  }

  /**
   * A live sandbox of this provider whose metadata (the same as its tag file's, kept by the provider
   * itself: the tag file sits where the unisolated agent could rewrite it) names `owner`.
   */
  #owned(id: string, owner: SandboxOwner, action: 'resume' | 'kill'): LocalSandbox | undefined {
    const sandbox = this.#live.get(id);
    if (sandbox === undefined || ownedBy(sandbox.metadata, owner)) return sandbox;
    this.options.logger?.warn(
      { sandbox: id, installation: owner.installation, repo: owner.repo },
      `refused to ${action} a sandbox whose metadata names another installation or repository`,
    );
    return undefined;
  }

  async #directory(metadata: Record<string, string>): Promise<string> {
    const root = this.options.root ?? tmpdir();
    const { repo, issue } = metadata;
    if (repo === undefined || issue === undefined) return mkdtemp(join(root, 'issuesmith-sbx-'));
    const slot = join(root, `issuesmith-sbx-${repo.replace(/[^A-Za-z0-9_.-]/g, '_')}-${issue.replace(/\D/g, '')}`);
    const held = [...this.#live.values()].some((s) => s.root === slot);
    if (held) return mkdtemp(join(root, 'issuesmith-sbx-'));
    // Left behind by a process that ended without killing it: nothing owns it any more.
    if (
      await stat(slot).then(
        () => true,
        () => false,
      )
    )
      await rm(slot, { recursive: true, force: true });
    await mkdir(slot, { recursive: true });
    return slot;
  }
}

/** The local provider in the sandbox registry: chosen only by `ISSUESMITH_SANDBOX=local`. */
export const local: SandboxProviderEntry = {
  name: 'local',
  developmentOnly: true,
  create: (ctx) => {
    ctx.warn(
      "ISSUESMITH_SANDBOX=local: NO SANDBOX. Agents and the commands they choose run on this host as the app's own user, " +
        "able to read the app's files, environment and private key and to reach the network. For development and tests only: never deploy it.",
    );
    // Under the work directory: sandboxes paused for a follow-up stay there until their pull request closes.
    return new LocalSandboxProvider({ root: ctx.workDir, logger: ctx.logger('local-sandbox'), nice: localNiceFromEnv(ctx.env, (m) => ctx.warn(m)) });
  },
};

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

class LocalSandbox implements Sandbox {
  #state: 'running' | 'paused' | 'killed' = 'running';
  readonly #children = new Set<SpawnedChild>();
  readonly #tag: LocalTagFile;

  constructor(
    readonly id: string,
    readonly root: string,
    readonly homeDir: string,
    private readonly options: CreateOptions,
    private readonly onKill: () => void,
    private readonly nice: number,
  ) {
    this.#tag = new LocalTagFile(root, () => ({ id, metadata: options.metadata, pids: [...this.#children].map((c) => c.pid) }));
  }

  /** The labels it was made with: app, installation, repository, issue, job. */
  get metadata(): Readonly<Record<string, string>> {
    return this.options.metadata;
  }

  /** Writes the tag file other processes find this sandbox by (see `killTagged`), without blocking the event loop. */
  saveTag(): Promise<void> {
    return this.#tag.save();
  }

  async run(cmd: string, o: RunOptions = {}): Promise<RunResult> {
    // One process start a turn of the event loop (spawn-turn.ts); the sandbox may stop meanwhile.
    if (this.#state === 'running') await spawnTurn();
    if (this.#state !== 'running') throw new SandboxError(`sandbox ${this.id} is ${this.#state === 'paused' ? 'paused' : 'gone'}`);
    let stdout = '';
    let stderr = '';
    let child: SpawnedChild;
    // Started by the spawner process (spawner.ts): the fork and exec cost neither the event loop nor this process's size.
    try {
      child = await spawnAside('bash', ['-lc', cmd], {
        cwd: o.cwd ?? this.homeDir,
        env: { HOME: this.homeDir, USER: 'user', LANG: 'C.UTF-8', ...this.options.envs, ...o.env },
        detached: true,
        nice: this.nice,
        onStdout: (s) => {
          stdout += s;
          o.onStdout?.(s);
        },
        onStderr: (s) => {
          stderr += s;
          o.onStderr?.(s);
        },
      });
    } catch (err) {
      throw new SandboxError(`could not run a command: ${(err as Error).message}`, { cause: err });
    }
    const killTree = (): void => killGroup(child.pid);
    this.#children.add(child);
    // Killed while it was starting: it stops at once, as the sandbox's other commands did.
    if (this.#killed()) killTree();
    void this.saveTag();
    let timedOut = false;
    const timer = o.timeoutMs !== undefined ? setTimeout(() => ((timedOut = true), killTree()), o.timeoutMs) : undefined;
    const onAbort = (): void => killTree();
    // A signal aborted before the command started stops it at once, as E2B's sandbox does.
    if (o.signal?.aborted === true) onAbort();
    else o.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const { code, signal } = await child.exited;
      if (timedOut) throw new CommandTimeoutError(o.timeoutMs ?? 0, stdout, stderr);
      return { exitCode: code ?? (signal ? 128 + 9 : 1), stdout, stderr };
    } catch (err) {
      if (err instanceof CommandTimeoutError) throw err;
      throw new SandboxError(`lost a command's output: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      this.#children.delete(child);
    }
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    const p = this.#resolve(path);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, data);
  }

  async readFile(path: string, o: { maxBytes?: number } = {}): Promise<Uint8Array> {
    const file = this.#resolve(path);
    if (o.maxBytes === undefined) return new Uint8Array(await readFile(file));
    // Reads at most one chunk past the cap, however large the file is or grows.
    const handle = await open(file, 'r');
    try {
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const chunk = Buffer.alloc(64 * 1024);
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, total);
        if (bytesRead === 0) break;
        total += bytesRead;
        if (total > o.maxBytes) throw new FileTooLargeError(path, o.maxBytes);
        chunks.push(chunk.subarray(0, bytesRead));
      }
      return new Uint8Array(Buffer.concat(chunks));
    } finally {
      await handle.close();
    }
  }

  /** Nothing runs between turns on the host: the directory stays, and `connect` resumes it. */
  async pause(): Promise<void> {
    if (this.#state !== 'running') throw new SandboxError(`sandbox ${this.id} is ${this.#state === 'paused' ? 'already paused' : 'gone'}`);
    this.#state = 'paused';
  }

  resume(): void {
    if (this.#state === 'paused') this.#state = 'running';
  }

  async kill(): Promise<void> {
    if (this.#state === 'killed') return;
    this.#state = 'killed';
    for (const child of this.#children) killGroup(child.pid);
    this.onKill();
    await this.#tag.close();
    await rm(this.root, { recursive: true, force: true });
  }

  #killed(): boolean {
    return this.#state === 'killed';
  }

  #resolve(path: string): string {
    if (!isAbsolute(path)) return join(this.homeDir, path);
    return path;
  }
}
