import { describe, expect, it } from 'vitest';
import { stepLine } from '../../src/report/step-line.js';

describe('a step line', () => {
  it('cuts a long command and closes its code span, so a mention after it stays harmless', () => {
    const line = stepLine({ type: 'tool', name: 'Bash', detail: `Ran \`echo ${'a'.repeat(200)}\` and ask @octocat` }) ?? '';
    expect(line.length).toBeLessThanOrEqual(160);
    expect(line.endsWith('…`')).toBe(true);
    expect((line.match(/`/g) ?? []).length % 2).toBe(0);
  });

  it('keeps a short step whole', () => {
    expect(stepLine({ type: 'tool', name: 'Bash', detail: 'Ran `npm test`' })).toBe('Ran `npm test`');
  });
});
