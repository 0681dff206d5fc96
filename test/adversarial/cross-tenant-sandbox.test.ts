import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { E2BSandboxProvider } from '../../src/sandbox/e2b.js';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import type { CreateOptions, SandboxOwner } from '../../src/sandbox/provider.js';
import { FakeE2BServer } from '../helpers/fake-e2b-server.js';

// Every tenant's sandboxes live in the app's one E2B team: an id is no proof of whose a sandbox is.
const MINE: SandboxOwner = { installation: '1', repo: 'octo/hello' };
const theirs = { app: 'issuesmith', installation: '2', repo: 'victim/secret', issue: '3', job: 'd-victim' };
const sameRepoOtherInstallation = { app: 'issuesmith', installation: '2', repo: 'octo/hello', issue: '3', job: 'd-x' };
const sameInstallationOtherRepo = { app: 'issuesmith', installation: '1', repo: 'octo/other', issue: '3', job: 'd-y' };
// Made before sandboxes carried their installation: nobody can show it is theirs.
const legacy = { app: 'issuesmith', repo: 'octo/hello', issue: '3', job: 'd-old' };
const FOREIGN: Record<string, Record<string, string>> = { theirs, sameRepoOtherInstallation, sameInstallationOtherRepo, legacy };

const options = (metadata: Record<string, string>): CreateOptions => ({ template: 'claude', envs: {}, timeoutMs: 60_000, metadata });

describe('the E2B provider acts only on sandboxes whose own E2B metadata names the installation and repository', () => {
  let fake: FakeE2BServer;
  let warnings: Array<{ obj: object; msg?: string }>;
  let provider: E2BSandboxProvider;

  beforeAll(async () => {
    fake = await FakeE2BServer.start();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    warnings = [];
    provider = new E2BSandboxProvider({
      ...fake.connection,
      retry: { attempts: 1 },
      logger: { info: () => undefined, error: () => undefined, warn: (obj, msg) => warnings.push({ obj, ...(msg !== undefined ? { msg } : {}) }) },
    });
  });

  it.each(Object.entries(FOREIGN))('refuses to resume or kill a sandbox of another tenant (%s)', async (_name, metadata) => {
    const other = await fake.seed({ template: 'claude', metadata, state: 'paused' });
    expect(await provider.connect(other.id, MINE)).toBeUndefined();
    await provider.kill(other.id, MINE);
    expect(fake.record.connects).not.toContain(other.id);
    expect(fake.record.kills).not.toContain(other.id);
    expect(fake.sandboxes.get(other.id)?.state).toBe('paused');
    expect(warnings.map((w) => w.msg)).toEqual([
      'refused to resume a sandbox whose metadata names another installation or repository',
      'refused to kill a sandbox whose metadata names another installation or repository',
    ]);
  });

  it('resumes and kills its own, the repository named in any case', async () => {
    const own = await provider.create(options({ app: 'issuesmith', installation: '1', repo: 'Octo/Hello', issue: '3', job: 'd-mine' }));
    await own.pause();
    const again = await provider.connect(own.id, MINE);
    expect(again?.id).toBe(own.id);
    await again?.pause();
    await provider.kill(own.id, MINE);
    expect(fake.record.kills).toContain(own.id);
    expect(warnings).toEqual([]);
  });

  it('takes a sandbox E2B no longer has as gone', async () => {
    expect(await provider.connect('i-gone', MINE)).toBeUndefined();
    await expect(provider.kill('i-gone', MINE)).resolves.toBeUndefined();
  });
});

describe('the local provider acts only on sandboxes whose metadata names the installation and repository', () => {
  let root: string;
  let warnings: string[];
  let provider: LocalSandboxProvider;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'issuesmith-tenant-'));
    warnings = [];
    provider = new LocalSandboxProvider({ root, logger: { warn: (_obj, msg) => warnings.push(msg ?? '') } });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it.each(Object.entries(FOREIGN))('leaves another tenant’s sandbox alone (%s)', async (_name, metadata) => {
    const other = await provider.create(options(metadata));
    await other.writeFile('secret.txt', 'theirs');
    await other.pause();
    expect(await provider.connect(other.id, MINE)).toBeUndefined();
    await provider.kill(other.id, MINE);
    // Still there, still paused, for its owner.
    const { installation, repo } = metadata;
    if (installation !== undefined && repo !== undefined) {
      const back = await provider.connect(other.id, { installation, repo });
      expect((await back?.run('cat secret.txt'))?.stdout).toBe('theirs');
    }
    expect(warnings).toHaveLength(2);
  });

  it('resumes and kills its own', async () => {
    const own = await provider.create(options({ app: 'issuesmith', installation: '1', repo: 'OCTO/hello', issue: '3', job: 'd' }));
    await own.pause();
    expect((await provider.connect(own.id, MINE))?.id).toBe(own.id);
    await provider.kill(own.id, MINE);
    expect(await provider.connect(own.id, MINE)).toBeUndefined();
    expect(warnings).toEqual([]);
  });
});
