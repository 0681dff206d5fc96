import { mkdtempSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localNiceFromEnv } from '../../src/sandbox/local-nice.js';
import { LocalSandboxProvider, local } from '../../src/sandbox/local.js';

const root = mkdtempSync(join(tmpdir(), 'issuesmith-local-nice-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Field 19 of /proc/<pid>/stat, after the command's name in parentheses, is the nice value.
const NICE_OF_SHELL_AND_CHILD = 'cut -d" " -f19 /proc/$$/stat; sh -c \'cut -d" " -f19 /proc/$$/stat\'; cat /proc/$$/autogroup 2>/dev/null || echo none';

async function niceInSandbox(p: LocalSandboxProvider): Promise<string[]> {
  const s = await p.create({ template: 'claude', envs: {}, timeoutMs: 60_000, metadata: { app: 'issuesmith', installation: '5', repo: 'Octo/Nice', issue: '1', job: 'd' } });
  try {
    return (await s.run(NICE_OF_SHELL_AND_CHILD)).stdout.trim().split('\n');
  } finally {
    await s.kill();
  }
}

describe('ISSUESMITH_LOCAL_NICE: the local sandbox commands at a lower priority than the app', () => {
  it('reads a whole number from 0 to 19, and warns about anything else and runs at the app’s own priority', () => {
    const warnings: string[] = [];
    const read = (v: string | undefined): number => localNiceFromEnv({ ISSUESMITH_LOCAL_NICE: v }, (m) => warnings.push(m));
    expect([read(undefined), read(''), read(' 10 '), read('0'), read('19')]).toEqual([0, 0, 10, 0, 19]);
    expect(warnings).toEqual([]);
    expect([read('20'), read('-5'), read('ten'), read('1e1'), read('5; rm -rf /')]).toEqual([0, 0, 0, 0, 0]);
    expect(warnings).toHaveLength(5);
    expect(warnings[0]).toContain('ISSUESMITH_LOCAL_NICE=20 is not a whole number from 0 to 19');
    // The value is only quoted back in the log, cut short, never run.
    expect(warnings[4]).toContain('ISSUESMITH_LOCAL_NICE=5; rm -rf /');
  });

  it('runs every command, and what it starts, at that nice value, with its session group where the kernel has one', async () => {
    const app = getPriority();
    const [own, child, group] = await niceInSandbox(new LocalSandboxProvider({ root, nice: 12 }));
    expect(own).toBe(String(Math.max(12, app)));
    expect(child).toBe(own);
    // The kernel groups tasks by session only with autogroup, for tasks in the root CPU cgroup.
    if (group !== 'none') expect(group).toMatch(/nice 12$/);
  });

  it('leaves commands at the app’s own priority by default, and the registry entry reads the variable', async () => {
    const [own, child] = await niceInSandbox(new LocalSandboxProvider({ root }));
    expect([own, child]).toEqual([String(getPriority()), String(getPriority())]);
    const warnings: string[] = [];
    const ctx = {
      env: { ISSUESMITH_LOCAL_NICE: '9' },
      workDir: root,
      sandboxBudgetMs: 60_000,
      warn: (m: string) => warnings.push(m),
      logger: () => ({ warn: () => undefined }) as never,
    };
    const [fromEnv] = await niceInSandbox(local.create(ctx as never) as LocalSandboxProvider);
    expect(fromEnv).toBe(String(Math.max(9, getPriority())));
    // The only warning is the provider's own: no sandbox.
    expect(warnings).toEqual([expect.stringContaining('NO SANDBOX')]);
  });
});
