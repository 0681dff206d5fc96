import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostGit, HostGitError } from '../../src/git/host-git.js';

// HostGit's commands are started by the spawner process (src/spawner.ts): input, output bytes, errors,
// the output cap and the time limit behave as execFile's did.
describe('HostGit.run through the spawner', () => {
  const work = mkdtempSync(join(tmpdir(), 'issuesmith-host-git-'));
  let git: HostGit;
  beforeAll(async () => {
    git = await HostGit.create(work);
  });
  afterAll(async () => {
    await git.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('feeds the input and returns the output byte for byte', async () => {
    const data = new Uint8Array(200_000).map((_, i) => (i * 13) % 256);
    const id = (await git.run(['hash-object', '-w', '--stdin'], { input: data })).trim();
    expect(id).toMatch(/^[0-9a-f]{40}$/);
    expect((await git.runRaw(['cat-file', 'blob', id])).equals(Buffer.from(data))).toBe(true);
  });

  it("rejects with git's own error when git fails", async () => {
    const err = await git.run(['cat-file', 'blob', '0000000000000000000000000000000000000001']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostGitError);
    expect((err as HostGitError).stderr).toMatch(/fatal/);
  });

  it('stops a command whose output passes the cap, and one that runs out of time', async () => {
    const id = (await git.run(['hash-object', '-w', '--stdin'], { input: 'x'.repeat(100_000) })).trim();
    await expect(git.run(['cat-file', 'blob', id], { maxBuffer: 10_000 })).rejects.toThrow(/output passed the buffer/);
    // An alias runs a shell that outlives the limit: the command and its children are ended (or the
    // output pipe would stay open for 30 s, past the test's own limit).
    const err = await git.run(['-c', 'alias.slow=!sleep 30', 'slow'], { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostGitError);
    expect(String((err as Error).message)).toMatch(/ran out of time/);
  });
});
