import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { pushPatchToBranch } from '../../src/git/push-patch.js';

const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1' };
const git = (args: string[], cwd?: string): string => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
const BRANCH = 'issuesmith/1-fix';
const AUTHOR = { name: 'issuesmith[bot]', email: '1+issuesmith[bot]@users.noreply.github.com' };

describe('a new commit on an existing branch, never forced', () => {
  let dir: string;
  let bare: string;
  let work: string;
  let base: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'issuesmith-branch-'));
    bare = join(dir, 'remote.git');
    work = join(dir, 'work');
    git(['init', '-q', '--bare', '-b', 'main', bare]);
    git(['clone', '-q', bare, work]);
    writeFileSync(join(work, 'a.txt'), 'one\ntwo\nthree\n');
    commitAll('initial');
    git(['push', '-q', 'origin', `HEAD:refs/heads/${BRANCH}`], work);
    base = git(['rev-parse', 'HEAD'], work);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function commitAll(message: string): void {
    git(['add', '-A'], work);
    git(['-c', 'user.name=Human', '-c', 'user.email=h@example.invalid', 'commit', '-qm', message], work);
  }

  /** The agent's change to a.txt, as the sandbox would collect it against `base`. */
  function agentPatch(line: string): Uint8Array {
    const scratch = join(dir, `scratch-${Math.random()}`);
    git(['clone', '-q', '--branch', BRANCH, bare, scratch]);
    writeFileSync(join(scratch, 'a.txt'), `one\n${line}\nthree\n`);
    git(['add', '-A'], scratch);
    const patch = execFileSync('git', ['diff', '--cached', '--binary', '--full-index', base], { cwd: scratch, env });
    rmSync(scratch, { recursive: true, force: true });
    return new Uint8Array(patch);
  }

  const push = (patch: Uint8Array) =>
    pushPatchToBranch({ remoteUrl: bare, token: 'unused-for-a-local-remote', branch: BRANCH, baseSha: base, patch, message: 'turn 2', author: AUTHOR, workDir: dir });

  function humanPush(file: string, content: string): void {
    git(['fetch', '-q', 'origin', BRANCH], work);
    git(['checkout', '-q', '-B', 'human', 'FETCH_HEAD'], work);
    writeFileSync(join(work, file), content);
    commitAll(`human edits ${file}`);
    git(['push', '-q', 'origin', `HEAD:refs/heads/${BRANCH}`], work);
  }

  const log = (): string[] => git(['--git-dir', bare, 'log', '--format=%an %s', BRANCH]).split('\n');

  it('adds a commit on top of the branch when nobody else pushed', async () => {
    const pushed = await push(agentPatch('TWO'));
    expect(pushed).toMatchObject({ movedOn: false, retried: false });
    expect(log()).toEqual(['issuesmith[bot] turn 2', 'Human initial']);
    expect(git(['--git-dir', bare, 'rev-parse', BRANCH])).toBe(pushed.sha);
  });

  it('keeps a commit someone pushed while the agent worked, putting the change on top of it', async () => {
    humanPush('b.txt', 'by hand\n');
    const pushed = await push(agentPatch('TWO'));
    expect(pushed.movedOn).toBe(true);
    expect(log()).toEqual(['issuesmith[bot] turn 2', 'Human human edits b.txt', 'Human initial']);
    expect(git(['--git-dir', bare, 'show', `${BRANCH}:a.txt`])).toBe('one\nTWO\nthree');
  });

  it('merges three ways when the other commit touched the same file elsewhere', async () => {
    humanPush('a.txt', 'one\ntwo\nthree\nfour\n');
    await push(agentPatch('TWO'));
    expect(git(['--git-dir', bare, 'show', `${BRANCH}:a.txt`])).toBe('one\nTWO\nthree\nfour');
  });

  it('pushes nothing and says so when the other commit conflicts with the change', async () => {
    humanPush('a.txt', 'one\nzwei\nthree\n');
    const before = git(['--git-dir', bare, 'rev-parse', BRANCH]);
    await expect(push(agentPatch('TWO'))).rejects.toThrow(/conflicts with it, so nothing was pushed/);
    expect(git(['--git-dir', bare, 'rev-parse', BRANCH])).toBe(before);
  });

  it('fetches, re-applies and pushes again once when it loses a race with another push', async () => {
    // The first push is turned down, and meanwhile someone else's commit lands on the branch.
    hook(`
if [ ! -e "${dir}/raced" ]; then
  touch "${dir}/raced"
  unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
  old=$(git rev-parse refs/heads/${BRANCH})
  c=$(git -c user.name=Racer -c user.email=r@example.invalid commit-tree "$old^{tree}" -p "$old" -m "racing commit")
  git update-ref refs/heads/${BRANCH} "$c" "$old"
  echo "rejected: the branch moved" >&2
  exit 1
fi
exit 0`);
    const pushed = await push(agentPatch('TWO'));
    expect(pushed).toMatchObject({ retried: true, movedOn: true });
    expect(log()).toEqual(['issuesmith[bot] turn 2', 'Racer racing commit', 'Human initial']);
  });

  it('gives up with a message after the second lost race', async () => {
    hook('echo "rejected" >&2\nexit 1');
    const before = git(['--git-dir', bare, 'rev-parse', BRANCH]);
    const err = await push(agentPatch('TWO')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/kept moving .* \(two tries\), so nothing was pushed/);
    expect(git(['--git-dir', bare, 'rev-parse', BRANCH])).toBe(before);
  });

  function hook(body: string): void {
    const file = join(bare, 'hooks', 'pre-receive');
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
  }
});
