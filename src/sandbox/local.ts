import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { shellQuote } from '../security/shell-quote.js';
import { CommandTimeoutError, SandboxError, type CreateOptions, type RunOptions, type RunResult, type Sandbox, type SandboxProvider } from './provider.js';

export interface LocalProviderOptions {
  /** PATH inside the sandbox: where the agents' CLIs are found. Defaults to the host's PATH. */
  path?: string;
  /** Directory the sandboxes are made in. */
  root?: string;
}

/**
 * Runs sandbox commands in a temporary directory on the host, for development and tests only: the
 * agent is not isolated from the host. Commands get only the sandbox's own variables (never the
 * app's environment), a HOME inside the sandbox, and run with `bash -lc` as E2B does.
 */
export class LocalSandboxProvider implements SandboxProvider {
  readonly name = 'local';
  readonly #live = new Map<string, LocalSandbox>();

  constructor(private readonly options: LocalProviderOptions = {}) {}

  async create(o: CreateOptions): Promise<Sandbox> {
    const dir = await mkdtemp(join(this.options.root ?? tmpdir(), 'issuesmith-sbx-'));
    const home = join(dir, 'home', 'user');
    await mkdir(home, { recursive: true });
    const path = this.options.path ?? process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
    // A login shell resets PATH from /etc/profile; the profile puts the host's tool path back.
    await writeFile(join(home, '.bash_profile'), `export PATH=${shellQuote(path)}\n`);
    const sandbox = new LocalSandbox(`local-${randomUUID()}`, dir, home, o, () => this.#live.delete(sandbox.id));
    this.#live.set(sandbox.id, sandbox);
    return sandbox;
  }

  async connect(id: string): Promise<Sandbox | undefined> {
    return this.#live.get(id);
  }
}

class LocalSandbox implements Sandbox {
  #killed = false;
  readonly #children = new Set<ReturnType<typeof spawn>>();

  constructor(
    readonly id: string,
    private readonly root: string,
    readonly homeDir: string,
    private readonly options: CreateOptions,
    private readonly onKill: () => void,
  ) {}

  run(cmd: string, o: RunOptions = {}): Promise<RunResult> {
    if (this.#killed) return Promise.reject(new SandboxError(`sandbox ${this.id} is gone`));
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-lc', cmd], {
        cwd: o.cwd ?? this.homeDir,
        env: { HOME: this.homeDir, USER: 'user', LANG: 'C.UTF-8', ...this.options.envs, ...o.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      this.#children.add(child);
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        stdout += s;
        o.onStdout?.(s);
      });
      child.stderr.setEncoding('utf8').on('data', (s: string) => {
        stderr += s;
        o.onStderr?.(s);
      });
      const killTree = (): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      const timer = o.timeoutMs !== undefined ? setTimeout(() => ((timedOut = true), killTree()), o.timeoutMs) : undefined;
      const onAbort = (): void => killTree();
      o.signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', (err) => {
        clearTimeout(timer);
        this.#children.delete(child);
        reject(new SandboxError(`could not run a command: ${err.message}`, { cause: err }));
      });
      child.on('close', (code, sig) => {
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        this.#children.delete(child);
        if (timedOut) reject(new CommandTimeoutError(o.timeoutMs ?? 0, stdout, stderr));
        else resolve({ exitCode: code ?? (sig ? 128 + 9 : 1), stdout, stderr });
      });
    });
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    const p = this.#resolve(path);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, data);
  }

  async readFile(path: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(this.#resolve(path)));
  }

  async pause(): Promise<void> {
    // Nothing runs between turns on the host; the directory stays until kill.
  }

  async kill(): Promise<void> {
    if (this.#killed) return;
    this.#killed = true;
    for (const child of this.#children) {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.onKill();
    await rm(this.root, { recursive: true, force: true });
  }

  #resolve(path: string): string {
    if (!isAbsolute(path)) return join(this.homeDir, path);
    return path;
  }
}
