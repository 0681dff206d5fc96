import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** A process that logs `lines` lines through Probot's own logger, as the app does, and exits at once (after `logWritten` when `wait`). */
function linesWritten(lines: number, wait: boolean): number {
  const script = `
    const { getLog } = await import(${JSON.stringify(join(ROOT, 'node_modules', 'probot', 'lib', 'helpers', 'get-log.js'))});
    const { logWritten } = await import(${JSON.stringify(join(ROOT, 'dist', 'src', 'log-written.js'))});
    const log = (await getLog({ logFormat: 'json', level: 'info' })).child({ name: 'shutdown' });
    for (let i = 0; i < ${lines}; i += 1) log.warn({ issue: 'octo/hello#' + i, deliveries: ['d-' + i] }, 'stopped before this issue was told');
    if (${wait}) await logWritten(log);
    process.exit(0);
  `;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(out.stderr).toBe('');
  return out.stdout.split('\n').filter((l) => l.includes('stopped before')).length;
}

describe('the log on exit', () => {
  it('has every line a shutdown wrote just before the process exits', () => {
    expect(linesWritten(300, true)).toBe(300);
  });

  it('(without the wait, an exit right after a burst drops its end: what the test above guards against)', () => {
    expect(linesWritten(300, false)).toBeLessThan(300);
  });
});
