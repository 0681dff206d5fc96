import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAgentOutput } from '../../src/agents/agent-stream.js';
import { customAgentProfile } from '../../src/agents/custom-agent.js';

const HOSTILE = `$(touch pwned)'; touch pwned2; echo '\`touch pwned3\``;

describe('a custom agent from the repository settings', () => {
  it('fills its placeholders with quoted values, reads the prompt on stdin, and never inlines the prompt', () => {
    const dir = mkdtempSync(join(tmpdir(), 'issuesmith-custom-'));
    try {
      const workdir = join(dir, "work dir 'x'");
      execFileSync('mkdir', ['-p', workdir]);
      const promptFile = join(dir, 'prompt.md');
      writeFileSync(promptFile, 'PROMPT TEXT $(touch pwned4)\n');
      const profile = customAgentProfile('mine', { command: `printf '%s\\n' {workdir} {model} {prompt_file} > ${join(dir, 'args')} # {model}`, output: 'text' });
      const cmd = profile.command({ workdir, promptFile, model: HOSTILE });
      expect(cmd).not.toContain('PROMPT TEXT');
      execFileSync('bash', ['-c', `${cmd}; cat > ${join(dir, 'stdin')}`], { cwd: dir });
      expect(readFileSync(join(dir, 'args'), 'utf8')).toBe(`${workdir}\n${HOSTILE}\n${promptFile}\n`);
      expect(execFileSync('ls', [workdir]).toString()).toBe('');
      expect(
        execFileSync('ls', [dir])
          .toString()
          .split('\n')
          .filter((f) => f.startsWith('pwned')),
      ).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses resume_command with the quoted session when it continues one', () => {
    const profile = customAgentProfile('mine', { command: 'go {prompt_file}', resume_command: 'go --resume {session}', output: 'text' });
    expect(profile.command({ workdir: '/w', promptFile: '/p', resume: "abc'; rm -rf /" })).toBe(`cd /w && { go --resume 'abc'\\''; rm -rf /'\n} < /p`);
    expect(profile.command({ workdir: '/w', promptFile: '/p' })).toBe('cd /w && { go /p\n} < /p');
  });

  it('asks for a model when its command needs one, and refuses one that starts with a dash', () => {
    const profile = customAgentProfile('mine', { command: 'go --model {model}', output: 'text' });
    expect(profile.takesModel).toBe(true);
    expect(() => profile.command({ workdir: '/w', promptFile: '/p' })).toThrow('needs a model: set `agents.mine.model`');
    expect(() => profile.command({ workdir: '/w', promptFile: '/p', model: '--help' })).toThrow('not a valid model name');
  });

  it('reads plain text output: its last lines are the summary', () => {
    const events = parseAgentOutput(customAgentProfile('mine', { command: 'x', output: 'text' }), 'working\n\nchanged a.txt\nDone.\n');
    expect(events.at(-1)).toEqual({ type: 'result', ok: true, summary: 'working\nchanged a.txt\nDone.' });
  });

  it('reads a known stream format with the built-in parser', () => {
    const line = JSON.stringify({
      type: 'result',
      subtype: 'success',
      is_error: false,
      result: 'All done',
      session_id: 's1',
      total_cost_usd: 0.01,
      usage: { input_tokens: 3, output_tokens: 4 },
    });
    const events = parseAgentOutput(customAgentProfile('mine', { command: 'x', output: 'claude-stream-json', secrets: ['ANTHROPIC_API_KEY'], template: 'mine' }), `${line}\n`);
    expect(events).toContainEqual(expect.objectContaining({ type: 'result', ok: true, summary: 'All done' }));
    const profile = customAgentProfile('mine', { command: 'x', output: 'codex-json', secrets: ['MISTRAL_API_KEY'] });
    expect(profile).toMatchObject({ template: 'base', secrets: { required: ['MISTRAL_API_KEY'], optional: [] }, instructionsFile: 'AGENTS.md' });
  });
});
