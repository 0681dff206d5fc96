import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Octokit as RestOctokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoSettings } from '../../src/config/repo-settings.js';
import { settingsFromEnv } from '../../src/config/settings.js';
import { UserError } from '../../src/errors.js';
import { BLOB_CONCURRENCY, GitData } from '../../src/github/git-data.js';
import type { Octokit } from '../../src/github/octokit.js';
import { BranchMovedError, commitNewBranch, commitOntoBranch } from '../../src/jobs/steps/commit-through-api.js';
import { changeRules } from '../../src/jobs/steps/vet-change.js';
import { vetFiles, type FilesChange } from '../../src/jobs/steps/vet-files.js';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import type { Sandbox } from '../../src/sandbox/provider.js';
import { checkoutInSandbox, cloneInSandbox } from '../../src/sandbox/repo-in-sandbox.js';
import { collectWork } from '../../src/jobs/steps/collect-change.js';
import { Redactor } from '../../src/security/redact.js';
import { APP_BOT } from '../helpers/git-data-backend.js';
import { FakeGitHub } from '../helpers/fake-github.js';

const OWNER = 'acme';
const REPO = 'widgets';
const READ = 'ghs_read00000000000000000000000000000000000000';
const WRITE = 'ghs_write1111111111111111111111111111111111111';
const MESSAGE = "Fix the widget (#1)\n\nMade by Claude Code for #1, at @octocat's request.\n\nCo-authored-by: octocat <1+octocat@users.noreply.127.0.0.1>";
const BASE_FILES = {
  'README.md': '# Widgets\n',
  'src/app.js': 'console.log("hi");\n',
  'docs/old-name.md': 'A page that moves.\n',
  'scripts/run.sh': '#!/bin/sh\necho run\n',
  'remove-me.txt': 'bye\n',
};
const env = { PATH: process.env.PATH ?? '', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const git = (args: string[], cwd?: string): string => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();

describe("a change committed through GitHub's Git Data API, read out of the sandbox as files", () => {
  let github: FakeGitHub;
  let root: string;
  let sandbox: Sandbox;
  let workdir: string;

  beforeEach(async () => {
    github = await new FakeGitHub().start();
    github.git.createRepo(OWNER, REPO, BASE_FILES);
    github.git.tokens.set(READ, 'read');
    github.git.tokens.set(WRITE, 'write');
    root = mkdtempSync(join(tmpdir(), 'issuesmith-api-commit-'));
    sandbox = await new LocalSandboxProvider({ root }).create({ template: 'base', envs: {}, timeoutMs: 600_000, metadata: { repo: `${OWNER}/${REPO}`, issue: '1' } });
    workdir = `${sandbox.homeDir}/repo`;
    mkdirSync(`${sandbox.homeDir}/.issuesmith`, { recursive: true });
  });

  afterEach(async () => {
    await sandbox.kill();
    await github.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const url = (): string => `${github.git.url}/${OWNER}/${REPO}.git`;
  const bare = (): string => github.git.barePath(OWNER, REPO);

  /** The app's client for the repository's Git database, with the write token; it notes the most requests in flight at once. */
  function gitData(): GitData & { inFlightMax: number } {
    const octokit = new RestOctokit({ auth: WRITE, baseUrl: `${github.git.url}/api/v3`, request: { retries: 0 } });
    const data = Object.assign(new GitData(octokit as unknown as Octokit, OWNER, REPO), { inFlightMax: 0 });
    let inFlight = 0;
    octokit.hook.wrap('request', async (request, options) => {
      inFlight += 1;
      data.inFlightMax = Math.max(data.inFlightMax, inFlight);
      try {
        return await request(options);
      } finally {
        inFlight -= 1;
      }
    });
    return data;
  }

  /** Clones `branch` into the sandbox (a follow-up checks it out again), lets `edit` change the work tree, and vets the change as the app does. */
  async function agentTurn(edit: (work: string) => void, o: { branch?: string; env?: Record<string, string> } = {}): Promise<FilesChange> {
    const base =
      o.branch === undefined
        ? await cloneInSandbox(sandbox, { url: url(), branch: 'main', token: READ, workdir, timeoutMs: 60_000 })
        : await checkoutInSandbox(sandbox, { url: url(), branch: o.branch, token: READ, workdir, timeoutMs: 60_000 });
    edit(workdir);
    const settings = settingsFromEnv({ ISSUESMITH_WORK_DIR: root, ...o.env });
    const repo = repoSettings({}, settings);
    const collected = await collectWork({ sandbox, workdir, baseSha: base, patchFile: `${sandbox.homeDir}/.issuesmith/changes.patch` }, repo, settings);
    const readable = new GitData(new RestOctokit({ auth: READ, baseUrl: `${github.git.url}/api/v3` }) as unknown as Octokit, OWNER, REPO);
    const vetted = await vetFiles({
      sandbox,
      baseSha: base,
      collected,
      rules: changeRules(repo, settings),
      settings,
      repo,
      redactor: new Redactor([WRITE]),
      before: (path) => readable.fileAt(path, base),
    });
    if (!('change' in vetted)) throw new Error(`went to host git: ${vetted.why}`);
    return vetted.change;
  }

  /** The branch cloned afresh from the server, compared with the sandbox's work tree file by file: bytes, executable bit, symlink targets. */
  function expectBranchIsWorkTree(branch: string): void {
    const clone = mkdtempSync(join(root, 'clone-'));
    git(['-c', 'core.symlinks=true', 'clone', '-q', '--branch', branch, bare(), clone]);
    expect(snapshot(clone)).toEqual(snapshot(workdir));
  }

  const cases: Array<[string, (work: string) => void]> = [
    ['a new file', (w) => writeFileSync(join(w, 'src/new.js'), 'export const x = 1;\n')],
    ['a modified file', (w) => writeFileSync(join(w, 'README.md'), '# Widgets\n\nNow with more widgets.\n')],
    ['a deleted file', (w) => rmSync(join(w, 'remove-me.txt'))],
    ['a rename', (w) => renameSync(join(w, 'docs/old-name.md'), join(w, 'docs/new-name.md'))],
    [
      'an executable script, new and made executable',
      (w) => {
        writeFileSync(join(w, 'scripts/build.sh'), '#!/bin/sh\necho build\n', { mode: 0o755 });
        chmodSync(join(w, 'scripts/run.sh'), 0o755);
      },
    ],
    [
      'symlinks inside the repository',
      (w) => {
        symlinkSync('README.md', join(w, 'readme-link'));
        symlinkSync('../src/app.js', join(w, 'docs/app-link.js'));
      },
    ],
    [
      'a binary image',
      (w) => writeFileSync(join(w, 'docs/logo.png'), Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(64 * 1024), Buffer.alloc(512)])),
    ],
    ['an empty file', (w) => writeFileSync(join(w, 'empty.txt'), '')],
    [
      'names with spaces and Unicode',
      (w) => {
        mkdirSync(join(w, 'docs/café notes'), { recursive: true });
        writeFileSync(join(w, 'docs/café notes/naïve – 日本語 ☃.md'), 'ünïcödé\n');
        writeFileSync(join(w, ' leading and trailing space '), 'x\n');
      },
    ],
    [
      'a file turned into a directory',
      (w) => {
        rmSync(join(w, 'remove-me.txt'));
        mkdirSync(join(w, 'remove-me.txt'));
        writeFileSync(join(w, 'remove-me.txt/inside.txt'), 'inside\n');
      },
    ],
  ];

  it.each(cases)('lands %s on a new branch exactly as the sandbox has it', async (_name, edit) => {
    const change = await agentTurn(edit);
    const data = gitData();
    const { branch, sha } = await commitNewBranch(data, change, { message: MESSAGE, number: 1, title: 'Fix the widget' });
    expect(branch).toBe('issuesmith/1-fix-the-widget');
    expect(git(['--git-dir', bare(), 'rev-parse', branch])).toBe(sha);
    expect(git(['--git-dir', bare(), 'rev-parse', `${sha}^`])).toBe(change.baseSha);
    expectBranchIsWorkTree(branch);
  });

  // 200 requests through Octokit and the fake GitHub (which writes blobs without spawning git): some room on a busy machine.
  it('lands 200 binary files at once, creating their blobs a few at a time, in 203 writes', { timeout: 60_000 }, async () => {
    const change = await agentTurn((w) => {
      mkdirSync(join(w, 'gen'));
      for (let i = 0; i < 200; i++) writeFileSync(join(w, 'gen', `file-${String(i).padStart(3, '0')}.bin`), Buffer.concat([Buffer.from([0, i]), randomBytes(200)]));
    });
    const data = gitData();
    const { branch } = await commitNewBranch(data, change, { message: MESSAGE, number: 1, title: 'Fix the widget' });
    expectBranchIsWorkTree(branch);
    // 200 blobs, one tree, one commit, one branch; reads: the base commit's tree and the branch names taken.
    expect(data.writes).toBe(203);
    expect(data.calls).toBe(205);
    expect(data.inFlightMax).toBeLessThanOrEqual(BLOB_CONCURRENCY);
    expect(data.inFlightMax).toBeGreaterThan(1);
  });

  it('lands 200 text files in 3 writes: their contents go inside the tree request, and the tree is read back to check them', async () => {
    const change = await agentTurn((w) => {
      mkdirSync(join(w, 'gen', 'deep'), { recursive: true });
      for (let i = 0; i < 200; i++)
        writeFileSync(join(w, 'gen', i % 2 === 0 ? 'deep' : '', `file-${String(i).padStart(3, '0')}.txt`), `file ${i} ünïcode\n${randomBytes(100).toString('hex')}\n`);
      writeFileSync(join(w, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    });
    const data = gitData();
    const { branch } = await commitNewBranch(data, change, { message: MESSAGE, number: 1, title: 'Fix the widget' });
    expectBranchIsWorkTree(branch);
    // The one file that is not UTF-8 gets a blob; the 200 others ride in the tree: blob, tree, commit, branch.
    expect(github.git.gitData.writes().map((c) => `${c.method} ${c.path}`)).toEqual(['POST /git/blobs', 'POST /git/trees', 'POST /git/commits', 'POST /git/refs']);
    expect(github.git.gitData.calls.filter((c) => c.method === 'GET' && c.path.startsWith('/git/trees/'))).toHaveLength(1);
  });

  it('gives the text files blobs after all when GitHub cannot list the tree whole to check it', async () => {
    const change = await agentTurn((w) => writeFileSync(join(w, 'src/new.js'), 'export const y = 2;\n'));
    github.git.gitData.truncateTrees = true;
    const { branch } = await commitNewBranch(gitData(), change, { message: MESSAGE, number: 1, title: 'Fix the widget' });
    expectBranchIsWorkTree(branch);
    expect(github.git.gitData.writes().map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /git/trees',
      'POST /git/blobs',
      'POST /git/trees',
      'POST /git/commits',
      'POST /git/refs',
    ]);
  });

  it('refuses a tree GitHub built with other content than the text sent, and points no branch at it', async () => {
    const change = await agentTurn((w) => writeFileSync(join(w, 'src/new.js'), 'export const y = 2;\n'));
    github.git.gitData.before = (method, path, body) => {
      if (method !== 'POST' || path !== '/git/trees') return undefined;
      const b = body as { tree: Array<{ content?: string }> };
      for (const e of b.tree) if (e.content !== undefined) e.content = e.content.replace('\n', '\r\n');
      return undefined;
    };
    await expect(commitNewBranch(gitData(), change, { message: MESSAGE, number: 1, title: 'Fix the widget' })).rejects.toThrow(/holds src\/new\.js as [0-9a-f]{40}/);
    expect(git(['--git-dir', bare(), 'for-each-ref', '--format=%(refname)', 'refs/heads'])).toBe('refs/heads/main');
  });

  it('asks for a commit with no author, committer or signature of its own, so GitHub makes the app its author and signs it', async () => {
    const change = await agentTurn((w) => writeFileSync(join(w, 'src/new.js'), 'x\n'));
    const { sha } = await commitNewBranch(gitData(), change, { message: MESSAGE, number: 1, title: 'Fix the widget' });
    const [create] = github.git.gitData.calls.filter((c) => c.method === 'POST' && c.path === '/git/commits');
    expect(Object.keys(create?.body as object).sort()).toEqual(['message', 'parents', 'tree']);
    expect(git(['--git-dir', bare(), 'log', '-1', '--format=%an <%ae>|%cn <%ce>', sha])).toBe(`${APP_BOT.name} <${APP_BOT.email}>|${APP_BOT.name} <${APP_BOT.email}>`);
    // The message is the app's, byte for byte, trailer included.
    expect(execFileSync('git', ['--git-dir', bare(), 'cat-file', 'commit', sha], { env, encoding: 'utf8' }).split('\n\n').slice(1).join('\n\n')).toBe(MESSAGE);
  });

  it('skips a branch name taken meanwhile instead of overwriting it', async () => {
    const change = await agentTurn((w) => writeFileSync(join(w, 'src/new.js'), 'x\n'));
    const main = git(['--git-dir', bare(), 'rev-parse', 'main']);
    git(['--git-dir', bare(), 'update-ref', 'refs/heads/issuesmith/1-fix-the-widget', main]);
    const { branch } = await commitNewBranch(gitData(), change, { message: MESSAGE, number: 1, title: 'Fix the widget' });
    expect(branch).toBe('issuesmith/1-fix-the-widget-2');
    expect(git(['--git-dir', bare(), 'rev-parse', 'issuesmith/1-fix-the-widget'])).toBe(main);
  });

  describe('a follow-up turn', () => {
    let branch: string;
    let head: string;

    beforeEach(async () => {
      const first = await agentTurn((w) => writeFileSync(join(w, 'src/new.js'), 'turn 1\n'));
      ({ branch, sha: head } = await commitNewBranch(gitData(), first, { message: MESSAGE, number: 1, title: 'Fix the widget' }));
    });

    /** Someone else's commit on the branch, pushed while the agent works. */
    function humanPush(file: string, content: string): string {
      const work = mkdtempSync(join(root, 'human-'));
      git(['clone', '-q', '--branch', branch, bare(), work]);
      writeFileSync(join(work, file), content);
      git(['add', '-A'], work);
      git(['-c', 'user.name=Human', '-c', 'user.email=h@example.invalid', 'commit', '-qm', `human edits ${file}`], work);
      git(['push', '-q', 'origin', `HEAD:refs/heads/${branch}`], work);
      return git(['rev-parse', 'HEAD'], work);
    }

    it('puts its commit on the previous head and moves the branch fast-forward', async () => {
      const change = await agentTurn((w) => writeFileSync(join(w, 'src/new.js'), 'turn 2\n'), { branch });
      expect(change.baseSha).toBe(head);
      const pushed = await commitOntoBranch(gitData(), change, { message: MESSAGE, branch });
      expect(pushed).toMatchObject({ movedOn: false, retried: false });
      expect(git(['--git-dir', bare(), 'rev-parse', `${branch}^`])).toBe(head);
      expect(github.git.gitData.calls.filter((c) => c.method === 'PATCH').map((c) => (c.body as { force: boolean }).force)).toEqual([false]);
      expectBranchIsWorkTree(branch);
    });

    it('rebuilds its commit on the new head when someone pushed other files meanwhile', async () => {
      const change = await agentTurn((w) => writeFileSync(join(w, 'src/new.js'), 'turn 2\n'), { branch });
      const theirs = humanPush('README.md', '# Widgets, by a human\n');
      const pushed = await commitOntoBranch(gitData(), change, { message: MESSAGE, branch });
      expect(pushed).toMatchObject({ movedOn: true, retried: true });
      expect(git(['--git-dir', bare(), 'rev-parse', `${branch}^`])).toBe(theirs);
      expect(git(['--git-dir', bare(), 'show', `${branch}:README.md`])).toBe('# Widgets, by a human');
      expect(git(['--git-dir', bare(), 'show', `${branch}:src/new.js`])).toBe('turn 2');
      // Never forced: the refused fast-forward, then the one on the new head.
      expect(github.git.gitData.calls.filter((c) => c.method === 'PATCH').map((c) => [(c.body as { force: boolean }).force, c.status])).toEqual([
        [false, 422],
        [false, 200],
      ]);
    });

    it('moves nothing and says so when someone pushed to the same files', async () => {
      const change = await agentTurn((w) => writeFileSync(join(w, 'src/new.js'), 'turn 2\n'), { branch });
      const theirs = humanPush('src/new.js', 'a human wrote this\n');
      const err = await commitOntoBranch(gitData(), change, { message: MESSAGE, branch }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BranchMovedError);
      expect((err as Error).message).toContain('Someone pushed to `issuesmith/1-fix-the-widget` while the agent was working, changing the same files as the agent (`src/new.js`)');
      expect((err as Error).message).toContain('Nothing is lost');
      expect(git(['--git-dir', bare(), 'rev-parse', branch])).toBe(theirs);
    });

    it('moves nothing when the branch was rewritten under it', async () => {
      const change = await agentTurn((w) => writeFileSync(join(w, 'src/new.js'), 'turn 2\n'), { branch });
      // A force push: the branch's last commit replaced by another on the same parent.
      const rewritten = git([
        '-c',
        'user.name=H',
        '-c',
        'user.email=h@example.invalid',
        '--git-dir',
        bare(),
        'commit-tree',
        `${branch}^{tree}`,
        '-p',
        `${branch}^`,
        '-m',
        'rewritten',
      ]);
      git(['--git-dir', bare(), 'update-ref', `refs/heads/${branch}`, rewritten]);
      await expect(commitOntoBranch(gitData(), change, { message: MESSAGE, branch })).rejects.toThrow(/no longer follows the commit the agent started from/);
      expect(git(['--git-dir', bare(), 'rev-parse', branch])).toBe(rewritten);
    });
  });

  describe('what the agent can try through the files it hands back', () => {
    /** Vets a change the agent made; it must be refused before anything is created on GitHub. */
    async function expectRefused(edit: (work: string) => void, message: RegExp, o: { env?: Record<string, string> } = {}): Promise<void> {
      const err = await agentTurn(edit, o).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toMatch(/nothing was pushed/i);
      expect(github.git.gitData.writes()).toEqual([]);
      expect(github.git.branches(OWNER, REPO)).toEqual(['main']);
    }

    it('refuses a symlink that points outside the repository', async () => {
      await expectRefused((w) => symlinkSync('../../../../etc/passwd', join(w, 'docs/passwd')), /symbolic link that points outside the repository \(`docs\/passwd`\)/);
    });

    it('refuses a submodule (a repository of its own inside the work tree, which git adds as a gitlink)', async () => {
      await expectRefused((w) => {
        const lib = join(w, 'vendor/lib');
        mkdirSync(lib, { recursive: true });
        git(['init', '-q', lib]);
        writeFileSync(join(lib, 'x.txt'), 'x\n');
        git(['add', '-A'], lib);
        git(['-c', 'user.name=A', '-c', 'user.email=a@example.invalid', 'commit', '-qm', 'lib'], lib);
      }, /adds, moves or updates a submodule \(`vendor\/lib`\)/);
    });

    it.each([['../evil'], ['.git/hooks/post-checkout'], ['src/.GIT/config'], ['docs/../../x'], ['/etc/passwd']])(
      'refuses the path %s, whatever git in the sandbox says',
      async (path) => {
        // The agent controls the sandbox, its git included: here a git that lists a path of its choosing.
        const bin = mkdtempSync(join(root, 'bin-'));
        const raw = join(bin, 'raw');
        writeFileSync(raw, `:000000 100644 ${'0'.repeat(40)} ${'e'.repeat(40)} A\0${path}\0`);
        const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
        writeFileSync(join(bin, 'git'), `#!/bin/sh\ncase "$*" in *--raw*) cat ${raw}; exit 0;; esac\nexec ${real} "$@"\n`, { mode: 0o755 });
        await sandbox.kill();
        sandbox = await new LocalSandboxProvider({ root, path: `${bin}:${process.env.PATH ?? ''}` }).create({
          template: 'base',
          envs: {},
          timeoutMs: 600_000,
          metadata: { repo: `${OWNER}/${REPO}`, issue: '2' },
        });
        workdir = `${sandbox.homeDir}/repo`;
        mkdirSync(`${sandbox.homeDir}/.issuesmith`, { recursive: true });
        await expectRefused(
          (w) => writeFileSync(join(w, 'ok.txt'), 'ok\n'),
          /could not be read safely: the path `[^`]+` (is absolute|is not a plain relative path|is inside `\.git`)/,
        );
      },
    );

    it('refuses a file over the size cap', async () => {
      await expectRefused((w) => writeFileSync(join(w, 'big.bin'), randomBytes(1536 * 1024)), /makes `big.bin` larger than the app allows for one file \(1 MB\)/, {
        env: { ISSUESMITH_MAX_FILE_MB: '1' },
      });
    });

    it('refuses a secret in a file, binary or not', async () => {
      const token = ['ghp', '_', 'k'.repeat(36)].join('');
      await expectRefused(
        // Glued to the byte before it (here a letter, as a random byte may be): still a token.
        (w) => writeFileSync(join(w, 'docs/logo.png'), Buffer.concat([randomBytes(100), Buffer.from(`x${token}`), randomBytes(100)])),
        /would commit a secret or an access token \(in `docs\/logo.png`\)/,
      );
    });

    it('refuses the write token itself, whatever its shape', async () => {
      await expectRefused((w) => writeFileSync(join(w, 'notes.txt'), `token: ${WRITE}\n`), /would commit a secret/);
    });

    it('refuses a workflow change the repository does not allow', async () => {
      await expectRefused((w) => {
        mkdirSync(join(w, '.github/workflows'), { recursive: true });
        writeFileSync(join(w, '.github/workflows/x.yml'), 'on: push\n');
      }, /touches GitHub Actions workflows/);
    });
  });
});

/** Every path under `dir` but `.git`: a symlink's target, or a file's bytes (base64) and whether it is executable. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      if (d === dir && name === '.git') continue;
      const p = join(d, name);
      const st = lstatSync(p);
      const rel = relative(dir, p);
      if (st.isSymbolicLink()) out[rel] = `link ${readlinkSync(p)}`;
      else if (st.isDirectory()) walk(p);
      else out[rel] = `${st.mode & 0o100 ? 'exec' : 'file'} ${readFileSync(p).toString('base64')}`;
    }
  };
  walk(dir);
  return out;
}
