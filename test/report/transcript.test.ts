import { describe, expect, it } from 'vitest';
import { CHECK_TEXT_MAX, renderTranscript, TranscriptBuffer, type TranscriptEntry } from '../../src/report/transcript.js';
import { Redactor } from '../../src/security/redact.js';

const none = (t: string): string => t;

describe('the transcript of a job', () => {
  it("shows the agent's messages, each tool call on one line with its result shortened, errors, logs and usage", () => {
    const output = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n');
    const text = renderTranscript({
      head: [
        { kind: 'text', text: 'I will fix the parser.\nFirst, the tests. @octocat <img src=x>' },
        { kind: 'tool', name: 'Bash', detail: 'Ran `npm test`\nsecond line of the command' },
        { kind: 'tool-result', output },
        { kind: 'tool-result', output: 'boom ``` breakout', failed: true },
        { kind: 'error', message: 'API Error: 500\nretrying' },
        { kind: 'log', text: 'API retry 1/10 (status 429)' },
        { kind: 'usage', inputTokens: 1234, outputTokens: 56, costUsd: 0.0123 },
        { kind: 'result', ok: true, summary: 'Fixed it.' },
      ],
      redact: none,
    });
    expect(text).toBe(
      [
        '## Transcript',
        '> I will fix the parser.\n> First, the tests. &#64;octocat &lt;img src=x>',
        ':wrench: Ran `npm test`',
        `<sub>Tool result:</sub>\n\n\`\`\`\n${output.split('\n').slice(0, 12).join('\n')}\n… (18 more lines)\n\`\`\``,
        '<sub>:x: Tool failed:</sub>\n\n````\nboom ``` breakout\n````',
        ':x: **Error:** API Error: 500 retrying',
        '<sub>Log:</sub> API retry 1/10 (status 429)',
        '<sub>Usage so far: 1,234 tokens in, 56 out · $0.0123</sub>',
        ':checkered_flag: **The agent finished.**\n\n> Fixed it.',
      ].join('\n\n'),
    );
  });

  it('stays under 65,535 characters, keeping the beginning and the latest part with a line saying what was left out', () => {
    const entries: TranscriptEntry[] = Array.from({ length: 2_000 }, (_, i) => ({ kind: 'tool', name: 'Bash', detail: `Ran \`step ${i} ${'x'.repeat(60)}\`` }));
    const text = renderTranscript({ head: entries.slice(0, 100), omitted: 500, tail: entries.slice(100), redact: none });
    expect(text.length).toBeLessThanOrEqual(CHECK_TEXT_MAX);
    expect(text.length).toBeGreaterThan(CHECK_TEXT_MAX - 500);
    expect(text).toContain('Ran `step 0 ');
    expect(text).toContain('Ran `step 1999 ');
    const gap = /> :scissors: \*\*([\d,]+) entries \(([\d,]+) characters\) left out here\*\*/.exec(text);
    expect(gap).not.toBeNull();
    // The entries the text skips and the ones dropped before it: 2,500 in all, less what is shown.
    const shown = (text.match(/^:wrench: /gm) ?? []).length;
    expect(Number(gap?.[1]?.replace(/,/g, ''))).toBe(2_500 - shown);
    // The beginning, then the gap, then the end, in order.
    expect(text.indexOf('step 0 ')).toBeLessThan(text.indexOf(':scissors:'));
    expect(text.indexOf(':scissors:')).toBeLessThan(text.indexOf('step 1999 '));
  });

  it('says what the reporter dropped even when the rest fits', () => {
    const text = renderTranscript({ head: [{ kind: 'text', text: 'start' }], omitted: 3, tail: [{ kind: 'text', text: 'end' }], redact: none });
    expect(text).toBe(
      [
        '## Transcript',
        '> start',
        "> :scissors: **3 entries left out here**: GitHub keeps 65,535 characters of a check run's text, so the beginning and the latest part are shown.",
        '> end',
      ].join('\n\n'),
    );
  });

  it('never leaks the beginning of a secret that straddles a cut', () => {
    const secret = 'sk-ant-api03-' + 'S'.repeat(80);
    const redactor = new Redactor([secret]);
    const redact = (t: string): string => redactor.redact(t);
    // A tool result long enough that its shortening falls inside the secret, a message over the
    // entry cap with the secret across it, and a one-line tool call cut inside the secret.
    const entries: TranscriptEntry[] = [
      { kind: 'tool-result', output: `${'a'.repeat(1_480)}${secret} tail` },
      { kind: 'text', text: `${'b'.repeat(15_990)}${secret}` },
      { kind: 'tool', name: 'Bash', detail: `Ran \`${'c'.repeat(490)}${secret}\`` },
      { kind: 'error', message: `failed with ${secret}` },
    ];
    // Over the whole cap too: the head and tail cut falls among entries holding the secret.
    const filler: TranscriptEntry[] = Array.from({ length: 600 }, () => ({ kind: 'log', text: `${'d'.repeat(100)} ${secret}` }));
    const text = renderTranscript({ head: [...entries, ...filler], tail: entries, redact });
    expect(text.length).toBeLessThanOrEqual(CHECK_TEXT_MAX);
    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain('sk-ant');
    expect(text).not.toContain('SSSS');
    // Without the redactor the same cuts would show its beginning: the test would catch a leak.
    expect(renderTranscript({ head: entries, redact: none })).toContain('sk-ant');
  });

  it('says so when nothing happened yet', () => {
    expect(renderTranscript({ head: [], redact: none })).toBe('## Transcript\n\nNothing yet.');
  });
});

describe('the transcript kept while a job runs', () => {
  it('holds the beginning and a ring of the latest entries, counting what fell out between them', () => {
    const buffer = new TranscriptBuffer(1_000, 2_000);
    for (let i = 0; i < 10_000; i += 1) buffer.push({ kind: 'log', text: `entry ${i} ${'x'.repeat(84)}` });
    const size = (es: readonly TranscriptEntry[]): number => es.reduce((n, e) => n + (e.kind === 'log' ? e.text.length : 0), 0);
    expect(size(buffer.head)).toBeLessThanOrEqual(1_000);
    expect(size(buffer.tail)).toBeLessThanOrEqual(2_000);
    expect(buffer.head[0]).toMatchObject({ text: expect.stringMatching(/^entry 0 /) });
    expect(buffer.tail.at(-1)).toMatchObject({ text: expect.stringMatching(/^entry 9999 /) });
    expect(buffer.head.length + buffer.omitted + buffer.tail.length).toBe(10_000);
    expect(buffer.version).toBe(10_000);
  });
});
