import { captureAside, type Captured } from '../spawner.js';
import { spawnTurn } from '../spawn-turn.js';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Git on the app's host, for a repository it does not trust. It runs in a bare repository the app made
 * (no work tree: the repository's files never touch the disk), with nothing a repository or an agent
 * controls taking part:
 *  - no global or system configuration (`GIT_CONFIG_GLOBAL`/`GIT_CONFIG_SYSTEM` point at /dev/null,
 *    `HOME` is an empty directory of its own), so no `.gitconfig`, `include.path`, credential helper;
 *  - hooks, fsmonitor and attribute files switched off on every command, so no hook, filter or
 *    fsmonitor can run, whatever a base commit or a patch carries;
 *  - an environment built from nothing but PATH, so no GIT_* variable of the app's own process leaks in.
 * A token reaches only the one command that needs it (`auth`), through the environment.
 */
export class HostGit {
  private constructor(
    readonly dir: string,
    private readonly gitDir: string,
    private readonly home: string,
  ) {}

  /** A new bare repository in a temporary directory under `workDir`; `dispose()` removes it. */
  static async create(workDir: string): Promise<HostGit> {
    const dir = await mkdtemp(join(workDir, 'issuesmith-git-'));
    const git = new HostGit(dir, join(dir, 'repo.git'), join(dir, 'home'));
    await mkdir(git.home, { mode: 0o700 });
    // No template: the host's template directory could hold hooks.
    await git.run(['init', '--quiet', '--bare', '--template=', git.gitDir], { bare: false });
    return git;
  }

  /** Runs git; rejects with git's stderr when it fails. */
  async run(args: readonly string[], o: GitRunOptions = {}): Promise<string> {
    return (await this.runRaw(args, o)).toString('utf8');
  }

  /** Like `run`, returning stdout's bytes. */
  async runRaw(args: readonly string[], o: GitRunOptions = {}): Promise<Buffer> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: this.home,
      XDG_CONFIG_HOME: this.home,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_SYSTEM: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_ATTR_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
      GIT_NO_REPLACE_OBJECTS: '1',
      LC_ALL: 'C',
      ...(o.bare === false ? {} : { GIT_DIR: this.gitDir }),
      ...(o.index !== undefined ? { GIT_INDEX_FILE: o.index } : {}),
      ...o.env,
      ...(o.auth ?? {}),
    };
    const hardened = [
      '-c',
      'core.hooksPath=/dev/null',
      '-c',
      'core.fsmonitor=false',
      '-c',
      'core.attributesFile=/dev/null',
      '-c',
      'credential.helper=',
      '-c',
      'protocol.ext.allow=never',
      '-c',
      'commit.gpgSign=false',
      ...args,
    ];
    // One process start a turn of the event loop, whoever else is starting one (spawn-turn.ts).
    await spawnTurn();
    const input = o.input === undefined ? undefined : typeof o.input === 'string' ? Buffer.from(o.input, 'utf8') : o.input;
    return runCaptured(hardened, { cwd: this.home, env, input, maxBuffer: o.maxBuffer ?? 256 * 1024 * 1024, timeoutMs: o.timeoutMs ?? 10 * 60_000 }, args[0] ?? 'git');
  }

  /** A path for a temporary index file of this repository. */
  indexFile(name: string): string {
    return join(this.dir, `${name}.index`);
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

export interface GitRunOptions {
  /** Extra environment (author and committer identity). */
  env?: Record<string, string>;
  /** The credentials of this one command (gitAuthEnv). */
  auth?: Record<string, string>;
  index?: string;
  input?: string | Uint8Array;
  maxBuffer?: number;
  timeoutMs?: number;
  /** false: run outside the repository (for `init`). */
  bare?: false;
}

export class HostGitError extends Error {
  constructor(
    readonly command: string,
    readonly stderr: string,
    cause: unknown,
  ) {
    super(`git ${command} failed: ${stderr.trim().split('\n').pop() ?? ''}`, { cause });
    this.name = 'HostGitError';
  }
}

/** Runs git from the spawner process (spawner.ts), not from this one (see there why): stdout's bytes, or a HostGitError with git's stderr. */
async function runCaptured(
  args: string[],
  o: { cwd: string; env: Record<string, string>; input: Uint8Array | undefined; maxBuffer: number; timeoutMs: number },
  command: string,
): Promise<Buffer> {
  let r: Captured;
  try {
    r = await captureAside('git', args, { cwd: o.cwd, env: o.env, ...(o.input !== undefined ? { input: o.input } : {}), maxBytes: o.maxBuffer, timeoutMs: o.timeoutMs });
  } catch (err) {
    throw new HostGitError(command, '', err);
  }
  if (r.stopped !== undefined || r.code !== 0) {
    const why = r.stopped ?? (r.signal !== null ? `killed by ${r.signal}` : `exit code ${r.code}`);
    throw new HostGitError(command, r.stopped !== undefined || r.stderr === '' ? `${r.stderr}${why}` : r.stderr, new Error(why));
  }
  return r.stdout;
}
