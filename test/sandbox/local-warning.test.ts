import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { privateKey } from '../helpers/probot.js';

describe('the local provider, chosen by ISSUESMITH_SANDBOX=local', () => {
  let runtime: Runtime | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await runtime?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('makes the app warn loudly at start that nothing is isolated', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        done();
      },
    });
    const probot = new Probot({
      appId: 123,
      privateKey: privateKey(),
      secret: 'test-webhook-secret',
      log: pino({ level: 'warn' }, sink),
      Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, throttle: { enabled: false }, retry: { enabled: false } })),
    });
    dir = mkdtempSync(join(tmpdir(), 'issuesmith-local-warning-'));
    runtime = createRuntime(probot, { ISSUESMITH_SANDBOX: 'local', ISSUESMITH_WORK_DIR: dir });
    await new Promise((r) => setImmediate(r));
    const warning = lines.find((l) => l.level === 40 && /ISSUESMITH_SANDBOX=local/.test(l.msg));
    expect(warning?.msg).toMatch(/NO SANDBOX/);
    expect(warning?.msg).toMatch(/as the app's own user/);
    expect(warning?.msg).toMatch(/never deploy it/);
  });
});
