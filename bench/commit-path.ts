import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit as RestOctokit } from '@octokit/rest';
import { repoSettings } from '../src/config/repo-settings.js';
import { settingsFromEnv } from '../src/config/settings.js';
import { GitData } from '../src/github/git-data.js';
import type { Octokit } from '../src/github/octokit.js';
import { gitAuthEnv } from '../src/git/auth-env.js';
import { pushNewBranch } from '../src/git/push-patch.js';
import { StagedChange } from '../src/git/staged-change.js';
import { commitNewBranch } from '../src/jobs/steps/commit-through-api.js';
import { changeRules } from '../src/jobs/steps/vet-change.js';
import { vetFiles } from '../src/jobs/steps/vet-files.js';
import { LocalSandboxProvider } from '../src/sandbox/local.js';
import { cloneInSandbox } from '../src/sandbox/repo-in-sandbox.js';
import { collectWork } from '../src/jobs/steps/collect-change.js';
import { Redactor } from '../src/security/redact.js';
import { FakeGitHub } from '../test/helpers/fake-github.js';

export interface CommitPathRow {
  repo: string;
  path: 'api' | 'host-git';
  ms: number;
  /** Bytes that came to the app's host from GitHub (API bodies, or the objects git fetched) and from the sandbox. */
  bytes: number;
  /** The highest RSS of the app process plus the host's git processes while the change went out, above the app's at the start. */
  rssGrowthMb: number;
  apiCalls: number;
}

export interface CommitPathResult {
  rows: CommitPathRow[];
  bigRepoMb: number;
  commits: number;
  runs: number;
  /** Time spent making the repositories (0 when they were cached). */
  makeSeconds: number;
}

const OWNER = 'bench';
const READ = 'ghs_benchread000000000000000000000000000000000';
const WRITE = 'ghs_benchwrite11111111111111111111111111111111';
const CACHE = join(tmpdir(), 'issuesmith-bench-commit-path');
const BIG_BLOBS = Number(process.env.BENCH_BIG_BLOBS ?? 4);
const BIG_BLOB_MB = Number(process.env.BENCH_BIG_BLOB_MB ?? 50);
const COMMITS = 10_000;
const RUNS = 3;

/**
 * The host-side cost of bringing one change out of a sandbox, through GitHub's Git Data API and through
 * host git (a fetch of the starting commit, the patch applied, a push), for a 1 MB repository with one
 * commit, a large one (a few big random blobs), and a 1 MB one with 10,000 commits of history. The
 * repositories are made with `git fast-import` and cached in the temporary directory.
 */
export async function commitPathBench(): Promise<CommitPathResult> {
  mkdirSync(CACHE, { recursive: true });
  const github = await new FakeGitHub().start();
  github.git.tokens.set(READ, 'read');
  github.git.tokens.set(WRITE, 'write');
  const root = mkdtempSync(join(tmpdir(), 'issuesmith-bench-cp-'));
  const made = performance.now();
  const repos = {
    small: await makeRepo('small', 1, 1024 * 1024, 1),
    big: await makeRepo('big', BIG_BLOBS, BIG_BLOB_MB * 1024 * 1024, 1),
    deep: await makeRepo('deep', 1, 1024 * 1024, COMMITS),
  };
  const makeSeconds = (performance.now() - made) / 1000;
  const rows: CommitPathRow[] = [];
  try {
    for (const [name, source] of Object.entries(repos)) {
      const bare = github.git.barePath(OWNER, name);
      rmSync(bare, { recursive: true, force: true });
      mkdirSync(join(bare, '..'), { recursive: true });
      execFileSync('git', ['clone', '-q', '--bare', '--shared', source, bare]);
      execFileSync('git', ['-C', bare, 'config', 'uploadpack.allowReachableSHA1InWant', 'true']);
      execFileSync('git', ['-C', bare, 'config', 'http.receivepack', 'true']);
      for (const path of ['api', 'host-git'] as const) {
        const runs: CommitPathRow[] = [];
        for (let i = 0; i < RUNS; i++) runs.push(await oneChange(github, root, name, path, i));
        runs.sort((a, b) => a.ms - b.ms);
        const median = runs[Math.floor(runs.length / 2)] as CommitPathRow;
        rows.push({ ...median, rssGrowthMb: Math.max(...runs.map((r) => r.rssGrowthMb)) });
      }
    }
  } finally {
    await github.stop();
    rmSync(root, { recursive: true, force: true });
  }
  return { rows, bigRepoMb: BIG_BLOBS * BIG_BLOB_MB, commits: COMMITS, runs: RUNS, makeSeconds };
}

async function oneChange(github: FakeGitHub, root: string, repo: string, path: 'api' | 'host-git', run: number): Promise<CommitPathRow> {
  const sandbox = await new LocalSandboxProvider({ root }).create({ template: 'base', envs: {}, timeoutMs: 600_000, metadata: { repo: `${OWNER}/${repo}`, issue: String(run) } });
  const workdir = `${sandbox.homeDir}/repo`;
  try {
    const url = `${github.git.url}/${OWNER}/${repo}.git`;
    const base = await cloneInSandbox(sandbox, { url, branch: 'main', token: READ, workdir, timeoutMs: 600_000 });
    mkdirSync(`${sandbox.homeDir}/.issuesmith`, { recursive: true });
    writeFileSync(join(workdir, 'CHANGED.md'), `a change, run ${run}\n`);
    writeFileSync(join(workdir, 'notes.txt'), `${randomBytes(2048).toString('hex')}\n`);
    const settings = settingsFromEnv({ ISSUESMITH_WORK_DIR: root });
    const repoRules = repoSettings({}, settings);
    const rules = changeRules(repoRules, settings);
    const collected = await collectWork({ sandbox, workdir, baseSha: base, patchFile: `${sandbox.homeDir}/.issuesmith/changes.patch` }, repoRules, settings);
    const redactor = new Redactor([READ, WRITE]);
    const sampler = rssSampler();
    let bytes = 0;
    let apiCalls = 0;
    const started = performance.now();
    if (path === 'api') {
      const octokit = new RestOctokit({ auth: WRITE, baseUrl: `${github.git.url}/api/v3`, request: { retries: 0 } });
      octokit.hook.after('request', (response) => {
        bytes += Buffer.byteLength(JSON.stringify(response.data ?? ''));
      });
      // What comes out of the sandbox to the host counts too.
      const counted = new Proxy(sandbox, {
        get(target, key) {
          if (key === 'readFile')
            return async (p: string, o?: { maxBytes?: number }) => {
              const data = await target.readFile(p, o);
              bytes += data.byteLength;
              return data;
            };
          const value: unknown = Reflect.get(target, key, target);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const git = new GitData(octokit as unknown as Octokit, OWNER, repo);
      const vetted = await vetFiles({
        sandbox: counted,
        baseSha: base,
        collected,
        rules,
        settings,
        repo: repoRules,
        redactor,
        before: (p) => git.fileAt(p, base),
      });
      if (!('change' in vetted)) throw new Error(`the bench's change went to host git: ${vetted.why}`);
      await commitNewBranch(git, vetted.change, { message: 'bench', number: 1, title: `api ${run}` });
      apiCalls = git.calls;
    } else {
      const patch = await collected.patch();
      bytes += patch.byteLength;
      const staged = await StagedChange.stage({ remoteUrl: url, auth: gitAuthEnv(READ), baseSha: base, patch, workDir: root });
      try {
        bytes += dirBytes(join(staged.git.dir, 'repo.git', 'objects'));
        await pushNewBranch(staged, { remoteUrl: url, token: WRITE, message: 'bench', author: { name: 'bench', email: 'bench@example.invalid' }, number: 1, title: `git ${run}` });
      } finally {
        await staged.dispose();
      }
    }
    const ms = performance.now() - started;
    return { repo, path, ms, bytes, rssGrowthMb: sampler.stop(), apiCalls };
  } finally {
    await sandbox.kill();
  }
}

/** A bare repository of `blobs` random files of `size` bytes and `commits` commits (each after the first changes a small file), cached by its shape. */
async function makeRepo(name: string, blobs: number, size: number, commits: number): Promise<string> {
  const dir = join(CACHE, `${name}-${blobs}x${size}-${commits}.git`);
  if (existsSync(join(dir, 'done'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', dir]);
  const child = spawn('git', ['-C', dir, 'fast-import', '--quiet'], { stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise<void>((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`fast-import failed: ${code}`)))));
  const write = async (s: string | Buffer): Promise<void> => {
    if (!child.stdin.write(s)) await once(child.stdin, 'drain');
  };
  for (let b = 0; b < blobs; b++) {
    const data = randomBytes(size);
    await write(`blob\nmark :${b + 1}\ndata ${data.byteLength}\n`);
    await write(data);
    await write('\n');
  }
  for (let c = 0; c < commits; c++) {
    const files = c === 0 ? Array.from({ length: blobs }, (_, b) => `M 100644 :${b + 1} data/blob-${b}.bin\n`).join('') : '';
    const text = `history ${c}\n`;
    const message = `commit ${c}`;
    await write(`commit refs/heads/main\ncommitter Bench <bench@example.invalid> ${1700000000 + c} +0000\ndata ${message.length}\n${message}\n`);
    await write(`${files}M 100644 inline history.txt\ndata ${text.length}\n${text}\nM 100644 inline README.md\ndata 8\n# bench\n\n`);
  }
  child.stdin.end();
  await done;
  writeFileSync(join(dir, 'done'), '');
  return dir;
}

/** Samples the app process's RSS and its git children's every 10 ms; `stop` gives the highest total above the start, in MB. */
function rssSampler(): { stop: () => number } {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss + gitChildrenRss());
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss + gitChildrenRss());
      return Math.max(0, peak - start) / (1024 * 1024);
    },
  };
}

/** The RSS of this process's direct children that are git (host git; the local sandbox's commands run under a shell). */
function gitChildrenRss(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (!/^Name:\s+git/m.test(status) || !new RegExp(`^PPid:\\s+${process.pid}$`, 'm').test(status)) continue;
      total += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const st = statSync(join(dir, name));
    if (st.isFile()) n += st.size;
  }
  return n;
}
