import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitBlobId, UnsafeChangeError } from '../../src/git/raw-diff.js';
import { readBlobs, readChangeList } from '../../src/sandbox/changed-files.js';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import { FileTooLargeError, type Sandbox } from '../../src/sandbox/provider.js';
import { changeFiles, collectChange, PatchTooLargeError } from '../../src/sandbox/repo-in-sandbox.js';

const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const git = (cwd: string, args: string[]): string => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();

/** The sandbox's files as the host reads them: every read is recorded, so a test sees what came out. */
function recorded(sandbox: Sandbox): { sandbox: Sandbox; reads: string[] } {
  const reads: string[] = [];
  const proxy = new Proxy(sandbox, {
    get(target, key) {
      if (key === 'readFile') return (p: string, o?: { maxBytes?: number }) => (reads.push(p), target.readFile(p, o));
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { sandbox: proxy, reads };
}

describe('collecting the agent’s change in one sandbox command', () => {
  let root: string;
  let sandbox: Sandbox;
  let workdir: string;
  let base: string;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'issuesmith-collect-'));
    sandbox = await new LocalSandboxProvider({ root }).create({ template: 'base', envs: {}, timeoutMs: 60_000, metadata: { repo: 'o/r', issue: '1' } });
    workdir = join(sandbox.homeDir, 'repo');
    mkdirSync(workdir, { recursive: true });
    mkdirSync(join(sandbox.homeDir, '.issuesmith'), { recursive: true });
    git(workdir, ['init', '-q', '-b', 'main']);
    writeFileSync(join(workdir, 'README.md'), '# Hello\n');
    writeFileSync(join(workdir, 'gone.txt'), 'bye\n');
    writeFileSync(join(workdir, 'same-a.txt'), 'twin\n');
    git(workdir, ['add', '-A']);
    git(workdir, ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-qm', 'base']);
    base = git(workdir, ['rev-parse', 'HEAD']);
  });
  afterEach(async () => {
    await sandbox.kill();
    rmSync(root, { recursive: true, force: true });
  });

  const files = (): ReturnType<typeof changeFiles> => changeFiles(join(sandbox.homeDir, '.issuesmith', 'changes'));

  it('writes the patch, the listing, the line counts and every new content, and reads none of it out until asked', async () => {
    writeFileSync(join(workdir, 'README.md'), '# Hello\n\nmore\n');
    rmSync(join(workdir, 'gone.txt'));
    writeFileSync(join(workdir, 'name with "quotes" 0000 é.txt'), 'spaced\n');
    writeFileSync(join(workdir, 'same-b.txt'), 'twin\n');
    writeFileSync(join(workdir, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    symlinkSync('README.md', join(workdir, 'link'));
    const { sandbox: watched, reads } = recorded(sandbox);

    const collected = await collectChange(watched, { workdir, baseSha: base, files: files(), maxBytes: 1024 * 1024, maxBlobs: 300 });
    expect(reads).toEqual([]);
    expect(collected.bytes).toBeGreaterThan(0);

    const entries = (await readChangeList(watched, collected.files.list)) ?? [];
    expect(entries.map((e) => [e.path, e.status]).sort()).toEqual([
      ['README.md', 'modified'],
      ['gone.txt', 'deleted'],
      ['link', 'added'],
      ['name with "quotes" 0000 é.txt', 'added'],
      ['run.sh', 'added'],
      ['same-b.txt', 'added'],
    ]);
    const kept = entries.filter((e) => e.status !== 'deleted');
    const blobs = await readBlobs(watched, { ids: kept.map((e) => e.blob), file: collected.files.blobs, maxBytes: 1024 * 1024 });
    expect(blobs?.get(kept.find((e) => e.path === 'README.md')?.blob ?? '')?.toString()).toBe('# Hello\n\nmore\n');
    expect(blobs?.get(kept.find((e) => e.path === 'link')?.blob ?? '')?.toString()).toBe('README.md');
    expect(blobs?.get(kept.find((e) => e.path.startsWith('name with'))?.blob ?? '')?.toString()).toBe('spaced\n');
    // The patch comes out only when asked (host git), once.
    expect(reads).not.toContain(collected.files.patch);
    const patch = Buffer.from(await collected.patch());
    expect(patch.byteLength).toBe(collected.bytes);
    expect(patch.toString()).toContain('diff --git a/README.md b/README.md');
    await collected.patch();
    expect(reads.filter((r) => r === collected.files.patch)).toHaveLength(1);
  });

  it('says a change is empty with a patch of 0 bytes', async () => {
    const collected = await collectChange(sandbox, { workdir, baseSha: base, files: files(), maxBytes: 1024, maxBlobs: 300 });
    expect(collected.bytes).toBe(0);
    expect(await readChangeList(sandbox, collected.files.list)).toEqual([]);
  });

  it('refuses a patch over the cap without reading anything out or writing the rest', async () => {
    writeFileSync(join(workdir, 'big.txt'), 'x'.repeat(50_000));
    const { sandbox: watched, reads } = recorded(sandbox);
    const err = await collectChange(watched, { workdir, baseSha: base, files: files(), maxBytes: 10_000, maxBlobs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PatchTooLargeError);
    expect((err as PatchTooLargeError).bytes).toBeGreaterThan(10_000);
    expect(reads).toEqual([]);
    expect((await sandbox.run(`test -e ${files().blobs} || echo absent`)).stdout.trim()).toBe('absent');
  });

  it('writes the contents of at most `maxBlobs` blobs: a change over the API path’s file count goes to host git whole', async () => {
    for (let i = 0; i < 5; i++) writeFileSync(join(workdir, `f${i}.txt`), `file ${i}\n`);
    const collected = await collectChange(sandbox, { workdir, baseSha: base, files: files(), maxBytes: 1024 * 1024, maxBlobs: 2 });
    const headers = Buffer.from(await sandbox.readFile(collected.files.blobs))
      .toString('latin1')
      .split('\n')
      .filter((l) => / blob \d+$/.test(l));
    expect(headers).toHaveLength(2);
    expect((await readChangeList(sandbox, collected.files.list))?.length).toBe(5);
  });
});

describe('reading the blobs file the sandbox wrote (the agent’s word)', () => {
  const a = Buffer.from('alpha\n');
  const b = Buffer.from('beta\n');
  const idA = gitBlobId(a);
  const idB = gitBlobId(b);
  const record = (id: string, content: Buffer, type = 'blob'): Buffer => Buffer.concat([Buffer.from(`${id} ${type} ${content.byteLength}\n`), content, Buffer.from('\n')]);
  /** A sandbox holding one file, read with the cap as a real one reads it. */
  const file = (data: Buffer): Sandbox =>
    ({
      readFile: async (p: string, o?: { maxBytes?: number }) => {
        if (o?.maxBytes !== undefined && data.byteLength > o.maxBytes) throw new FileTooLargeError(p, o.maxBytes);
        return data;
      },
    }) as unknown as Sandbox;

  it('reads records in any order, skipping missing objects, other types and repeats', async () => {
    const gitlink = 'c'.repeat(40);
    const data = Buffer.concat([Buffer.from(`${gitlink} missing\n`), record(idB, b), record('d'.repeat(40), Buffer.from('tree data'), 'tree'), record(idA, a), record(idA, a)]);
    const blobs = await readBlobs(file(data), { ids: [idA, idB], file: 'x', maxBytes: 10_000 });
    expect(blobs?.get(idA)?.toString()).toBe('alpha\n');
    expect(blobs?.get(idB)?.toString()).toBe('beta\n');
  });

  it('refuses content that does not hash to its id, and a wanted blob that is not there', async () => {
    await expect(readBlobs(file(Buffer.concat([record(idA, b), record(idB, b)])), { ids: [idA, idB], file: 'x', maxBytes: 10_000 })).rejects.toBeInstanceOf(UnsafeChangeError);
    await expect(readBlobs(file(record(idA, a)), { ids: [idA, idB], file: 'x', maxBytes: 10_000 })).rejects.toThrow(`no readable content for the blob ${idB}`);
  });

  it('stops at a forged header or a record cut short, and then lacks the blob', async () => {
    const cut = record(idA, a).subarray(0, 48);
    await expect(readBlobs(file(cut), { ids: [idA], file: 'x', maxBytes: 10_000 })).rejects.toBeInstanceOf(UnsafeChangeError);
    const lying = Buffer.concat([Buffer.from(`${idA} blob 999999\n`), a, Buffer.from('\n')]);
    await expect(readBlobs(file(lying), { ids: [idA], file: 'x', maxBytes: 10_000 })).rejects.toBeInstanceOf(UnsafeChangeError);
    const garbage = Buffer.concat([Buffer.from('../../etc/passwd blob 5\nhello\n'), record(idA, a)]);
    await expect(readBlobs(file(garbage), { ids: [idA], file: 'x', maxBytes: 10_000 })).rejects.toBeInstanceOf(UnsafeChangeError);
  });

  it('gives undefined when the file is over the cap (the API path then hands the change to host git)', async () => {
    expect(await readBlobs(file(Buffer.concat([record(idA, a), record(idB, b)])), { ids: [idA, idB], file: 'x', maxBytes: 10 })).toBeUndefined();
  });
});
