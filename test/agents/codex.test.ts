import { describe, expect, it } from 'vitest';
import { parseAgentOutput } from '../../src/agents/agent-stream.js';
import { codex } from '../../src/agents/codex.js';
import { parseCodexLine } from '../../src/agents/codex-stream.js';
import type { AgentEvent } from '../../src/agents/profile.js';
import { UserError } from '../../src/errors.js';
import { of, sample } from './harness.js';

const events = (output: string): AgentEvent[] => parseAgentOutput(codex, output);

describe("Codex's exec --json parser", () => {
  it('reads the thread id, the file change (a turn), the final message and usage from the apply-patch sample', () => {
    const es = events(sample('codex-exec-json-apply-patch.jsonl'));
    expect(es).toEqual([
      { type: 'session', id: '01a2073f-22f7-7ec3-9fd0-6be405ad3538' },
      { type: 'turn' },
      { type: 'tool', name: 'apply_patch', detail: 'Created `/home/user/repo/hello.txt`' },
      { type: 'text', text: 'Done: I created the file.' },
      { type: 'usage', inputTokens: 26, outputTokens: 10 },
      { type: 'result', ok: true, summary: 'Done: I created the file.' },
    ]);
  });

  it('shows the command a shell item ran, not its bash -lc wrapper, and keeps a warning item as log', () => {
    const es = events(sample('codex-exec-json-shell.jsonl'));
    expect(of(es, 'tool')).toEqual([{ type: 'tool', name: 'shell', detail: "Ran `printf %s 'hello from the mock model' > '/home/user/repo/hello.txt'`" }]);
    expect(of(es, 'log')[0]?.text).toMatch(/^Model metadata for `mock-model` not found/);
    expect(of(es, 'error')).toEqual([]);
    expect(of(es, 'result')).toEqual([{ type: 'result', ok: true, summary: 'Done: I created the file.' }]);
  });

  it('reads the 401 sample as a rejected key and the 429 sample as rate limited', () => {
    const unauthorized = events(sample('codex-exec-json-401.jsonl'));
    expect(of(unauthorized, 'session')[0]?.id).toBe('01a2073f-2d04-7770-af52-39a003037e2d');
    expect(of(unauthorized, 'error')[0]).toMatchObject({ reason: 'auth' });
    expect(of(unauthorized, 'result')).toEqual([
      { type: 'result', ok: false, reason: 'auth', summary: 'unexpected status 401 Unauthorized: mock forced 401, url: http://127.0.0.1:40021/v1/responses' },
    ]);
    const limited = events(sample('codex-exec-json-429.jsonl'));
    expect(of(limited, 'result')[0]).toMatchObject({ ok: false, reason: 'rate_limit', summary: 'exceeded retry limit, last status: 429 Too Many Requests' });
  });

  it('unwraps both ways Codex quotes the shell it runs a command in', () => {
    const item = (command: string): string => JSON.stringify({ type: 'item.completed', item: { id: 'i', type: 'command_execution', command, exit_code: 0 } });
    const details = [
      item(`/bin/bash -lc 'printf %s "a b" > "/w/x.txt"'`),
      item(`/bin/bash -lc "printf %s 'a b' > '/w/x.txt' && echo \\"\\$HOME\\" \\\\"`),
      item('/bin/zsh -c "ls -la"'),
      item('bash -lc "unterminated'),
    ].map((l) => of(events(l), 'tool')[0]?.detail);
    expect(details).toEqual(['Ran `printf %s "a b" > "/w/x.txt"`', `Ran \`printf %s 'a b' > '/w/x.txt' && echo "$HOME" \\\``, 'Ran `ls -la`', 'Ran `bash -lc "unterminated`']);
  });

  it("keeps what a command printed as the tool's result, failed when the command failed", () => {
    const line =
      '{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"npm test","aggregated_output":"1 failing\\n","exit_code":1,"status":"failed"}}';
    expect(of(events(line), 'tool-result')).toEqual([{ type: 'tool-result', output: '1 failing\n', failed: true }]);
  });

  it('adds a failed command’s exit code and names the other item kinds', () => {
    const lines = [
      '{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"npm test","aggregated_output":"","exit_code":1,"status":"failed"}}',
      '{"type":"item.completed","item":{"id":"item_2","type":"file_change","changes":[{"path":"a.ts","kind":"update"},{"path":"b.ts","kind":"add"}],"status":"completed"}}',
      '{"type":"item.completed","item":{"id":"item_3","type":"mcp_tool_call","server":"docs","tool":"search","arguments":{"query":"zod"},"status":"completed"}}',
      '{"type":"item.completed","item":{"id":"item_4","type":"web_search","query":"vitest 4 config"}}',
      '{"type":"item.completed","item":{"id":"item_5","type":"reasoning","text":"thinking"}}',
    ];
    expect(of(events(lines.join('\n')), 'tool').map((e) => e.detail)).toEqual([
      'Ran `npm test` (exit 1)',
      'Changed `a.ts` and 1 more',
      'search `zod`',
      'Searched the web for `vitest 4 config`',
    ]);
  });

  it('keeps a line that is not JSON, or JSON of an unknown type, as log text and never throws', () => {
    expect(parseCodexLine('Reading prompt from stdin...')).toEqual([{ type: 'log', text: 'Reading prompt from stdin...' }]);
    expect(parseCodexLine('{"type":"thread.renamed","name":"x"}')).toEqual([{ type: 'log', text: '{"type":"thread.renamed","name":"x"}' }]);
    expect(parseCodexLine('{"type":"item.completed","item":{"type":"image_view"}}')).toEqual([{ type: 'log', text: '{"type":"item.completed","item":{"type":"image_view"}}' }]);
    expect(parseCodexLine('{"type":')).toEqual([{ type: 'log', text: '{"type":' }]);
  });
});

describe('the Codex profile', () => {
  it('runs codex exec in the work dir with the prompt on stdin, as the table in issue 3 says', () => {
    expect(codex.command({ promptFile: '/home/user/.issuesmith/prompt.md', workdir: '/home/user/repo' })).toBe(
      'cd /home/user/repo && codex exec --json --dangerously-bypass-approvals-and-sandbox --skip-git-repo-check -C /home/user/repo - < /home/user/.issuesmith/prompt.md',
    );
  });

  it('resumes with `exec resume <id> -` from the work dir, without -C', () => {
    const cmd = codex.command({ promptFile: '/p.md', workdir: '/home/user/repo', resume: '01a2073f-22f7-7ec3-9fd0-6be405ad3538', model: 'gpt-5.1-codex' });
    expect(cmd).toBe(
      'cd /home/user/repo && codex exec --json --dangerously-bypass-approvals-and-sandbox --skip-git-repo-check --model gpt-5.1-codex resume 01a2073f-22f7-7ec3-9fd0-6be405ad3538 - < /p.md',
    );
    expect(cmd).not.toContain('-C');
  });

  it('refuses a session id or model that Codex would read as a flag', () => {
    expect(() => codex.command({ promptFile: '/p', workdir: '/w', resume: '--last' })).toThrow(UserError);
    expect(() => codex.command({ promptFile: '/p', workdir: '/w', model: '-c' })).toThrow(UserError);
  });

  it('needs CODEX_API_KEY, sends nothing besides (Codex does not read OPENAI_BASE_URL), and reads AGENTS.md', () => {
    expect(codex.secrets).toEqual({ required: ['CODEX_API_KEY'], optional: [] });
    expect(codex.template).toBe('issuesmith-codex-0-171-0');
    expect(codex.instructionsFile).toBe('AGENTS.md');
  });
});
