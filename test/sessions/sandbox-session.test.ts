import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import { readSessionState, writeSessionState } from '../../src/sessions/sandbox-session.js';

describe("moving an agent's session files between sandboxes", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'issuesmith-session-files-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const make = (p: LocalSandboxProvider) => p.create({ template: 'x', envs: {}, timeoutMs: 60_000, metadata: { repo: 'o/r', issue: '1' } });

  it('saves the paths that exist and puts them back at the same paths in a new sandbox', async () => {
    const p = new LocalSandboxProvider({ root });
    const old = await make(p);
    const home = old.homeDir;
    await old.writeFile(`${home}/.local/share/opencode/opencode.db`, 'db');
    await old.writeFile(`${home}/.local/share/opencode/opencode.db-wal`, 'wal');
    await old.writeFile(`${home}/.claude/projects/-x/s.jsonl`, '{"a":1}\n');
    const tar = await readSessionState(
      old,
      [
        `${home}/.local/share/opencode/opencode.db`,
        `${home}/.local/share/opencode/opencode.db-wal`,
        `${home}/.local/share/opencode/opencode.db-shm`,
        `${home}/.claude/projects/-x`,
        '/etc/not-under-home',
      ],
      `${home}/.issuesmith/s.tgz`,
    );
    expect(tar?.byteLength).toBeGreaterThan(0);
    await old.kill();

    const fresh = await make(p);
    expect(fresh.homeDir).toBe(home);
    await writeSessionState(fresh, tar ?? new Uint8Array(), `${home}/.issuesmith/s.tgz`);
    const r = await fresh.run('cat .local/share/opencode/opencode.db .local/share/opencode/opencode.db-wal .claude/projects/-x/s.jsonl; ls .local/share/opencode; ls .issuesmith');
    expect(r.stdout).toBe('dbwal{"a":1}\nopencode.db\nopencode.db-wal\n');
  });

  it('has nothing to save when the agent kept no files', async () => {
    const s = await make(new LocalSandboxProvider({ root }));
    expect(await readSessionState(s, [`${s.homeDir}/.codex/sessions`], `${s.homeDir}/s.tgz`)).toBeUndefined();
    expect(await readSessionState(s, [], `${s.homeDir}/s.tgz`)).toBeUndefined();
  });
});
