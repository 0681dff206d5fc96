import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import { provideInstructionsFile, runSetup } from '../../src/sandbox/prepare-checkout.js';
import type { Sandbox } from '../../src/sandbox/provider.js';
import { Redactor } from '../../src/security/redact.js';

describe("preparing the checkout from the repository's settings", () => {
  let root: string;
  let sandbox: Sandbox;
  let workdir: string;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'issuesmith-prep-'));
    sandbox = await new LocalSandboxProvider({ root }).create({ template: 'x', envs: {}, timeoutMs: 60_000, metadata: {} });
    workdir = join(sandbox.homeDir, 'repo');
    await sandbox.writeFile(join(workdir, 'docs', 'agents.md'), 'Be kind.\n');
    await sandbox.run('git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm init', { cwd: workdir });
  });

  afterEach(async () => {
    await sandbox.kill();
    rmSync(root, { recursive: true, force: true });
  });

  it("copies the instructions file to the agent's own, out of the change, and keeps one the repository has", async () => {
    expect(await provideInstructionsFile(sandbox, { workdir, source: 'docs/agents.md', target: 'CLAUDE.md' })).toBe('copied');
    expect(new TextDecoder().decode(await sandbox.readFile(join(workdir, 'CLAUDE.md')))).toBe('Be kind.\n');
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: workdir }).toString()).toBe('');
    await sandbox.writeFile(join(workdir, 'AGENTS.md'), 'Ours.\n');
    expect(await provideInstructionsFile(sandbox, { workdir, source: 'docs/agents.md', target: 'AGENTS.md' })).toBe('kept');
    expect(new TextDecoder().decode(await sandbox.readFile(join(workdir, 'AGENTS.md')))).toBe('Ours.\n');
    expect(await provideInstructionsFile(sandbox, { workdir, source: "no such file's.md", target: 'X.md' })).toBe('missing');
  });

  it('stops at the first failing setup step and at a step past its time limit', async () => {
    const redactor = new Redactor();
    await expect(
      runSetup(
        sandbox,
        [
          { run: 'echo one > one.txt', timeoutMs: 10_000 },
          { run: 'exit 4', timeoutMs: 10_000 },
          { run: 'echo three > three.txt', timeoutMs: 10_000 },
        ],
        { workdir, redactor },
      ),
    ).rejects.toThrow('Setup step 2 (`exit 4`) failed with exit code 4');
    expect(execFileSync('ls', [workdir]).toString().split('\n')).toEqual(expect.arrayContaining(['one.txt']));
    expect(execFileSync('ls', [workdir]).toString()).not.toContain('three.txt');
    await expect(runSetup(sandbox, [{ run: 'echo waiting; sleep 5', timeoutMs: 1000 }], { workdir, redactor })).rejects.toThrow(
      'Setup step 1 (`echo waiting; sleep 5`) ran past its 1-second limit',
    );
  });
});
