import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAgentOutput } from '../../src/agents/agent-stream.js';
import type { AgentProfile } from '../../src/agents/profile.js';
import { builtInProfiles } from '../../src/agents/registry.js';
import { hostilePrompt, makeScene, of, PROMPT_MARKER, pwned, readRecord, removeScene, runCommand, type Scene, writePrompt } from './harness.js';

// Each built command runs for real, through bash, against the fake CLI of test/fixtures/bin.
const HOSTILE_MODEL = `model'; touch pwned; echo '$(touch pwned)`;
const HOSTILE_SESSION = `session'$(touch pwned)'\`touch pwned\``;
// Amp and OpenClaw take no model flag: the model comes from their own configuration.
// The agents whose CLI takes a model say so themselves (takesModel: false for the others).
const TAKES_MODEL = new Set(builtInProfiles.filter((p) => p.takesModel !== false).map((p) => p.name));

const keyed = (p: AgentProfile): Record<string, string> => ({ ...p.env, [p.secrets.required[0] ?? 'NO_KEY']: 'test-key' });

let scene: Scene;
beforeEach(() => {
  scene = makeScene();
});
afterEach(() => removeScene(scene));

describe.each(builtInProfiles.map((p) => [p.name, p] as const))('%s, run for real against its fake CLI', (name, profile) => {
  it('gets a hostile prompt byte for byte on stdin and never in argv; quotes a hostile work dir and model', async () => {
    const prompt = hostilePrompt(scene);
    writePrompt(scene, prompt);
    const cmd = profile.command({ promptFile: scene.promptFile, workdir: scene.workdir, model: HOSTILE_MODEL, timeoutMs: 60_000 });
    expect(cmd).not.toContain(PROMPT_MARKER);

    const ran = await runCommand(cmd, scene, keyed(profile));
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const record = readRecord(scene);
    expect(record.stdin).toBe(prompt);
    expect(record.argv.join('\n')).not.toContain(PROMPT_MARKER);
    expect(record.cwd).toBe(scene.workdir);
    if (TAKES_MODEL.has(name)) expect(record.argv).toContain(HOSTILE_MODEL);
    expect(pwned(scene)).toBe(false);
    expect(readFileSync(join(scene.workdir, 'hello.txt'), 'utf8')).toBe('hello from the fake\n');

    const events = parseAgentOutput(profile, ran.stdout);
    expect(of(events, 'session')[0]?.id).toMatch(/^(T-)?[0-9a-f-]{36}$|^ses_[0-9a-f]+$/);
    expect(of(events, 'tool').length).toBeGreaterThan(0);
    expect(of(events, 'usage').reduce((n, u) => n + u.inputTokens + u.outputTokens, 0)).toBeGreaterThan(0);
    expect(of(events, 'result').at(-1)).toMatchObject({ ok: true, summary: 'Done: I changed 1 file(s).' });
  });

  it('resumes the session an earlier run made, by its id, from the same work dir, with its memory', async () => {
    const env = { ...keyed(profile), ...(name === 'amp' ? { AMP_URL: `file://${scene.root}/amp-service` } : {}) };
    writePrompt(scene, hostilePrompt(scene, ['say first']));
    const first = await runCommand(profile.command({ promptFile: scene.promptFile, workdir: scene.workdir }), scene, env);
    expect(first.code).toBe(0);
    const id = of(parseAgentOutput(profile, first.stdout), 'session')[0]?.id ?? 'none';
    writePrompt(scene, hostilePrompt(scene, ['recall']));
    const ran = await runCommand(profile.command({ promptFile: scene.promptFile, workdir: scene.workdir, resume: id }), scene, env);
    expect(ran.code).toBe(0);
    expect(readRecord(scene).argv).toContain(id);
    expect(readRecord(scene).cwd).toBe(scene.workdir);
    const events = parseAgentOutput(profile, ran.stdout);
    expect(new Set(of(events, 'session').map((e) => e.id))).toEqual(new Set([id]));
    expect(of(events, 'result').at(-1)).toMatchObject({ ok: true, summary: 'I remember 1 earlier turn(s).' });
  });

  it('passes a hostile session id as one argument, and fails as the agent does when it has no such session', async () => {
    const env = { ...keyed(profile), ...(name === 'amp' ? { AMP_URL: `file://${scene.root}/amp-service` } : {}) };
    writePrompt(scene, hostilePrompt(scene, ['say continued']));
    const ran = await runCommand(profile.command({ promptFile: scene.promptFile, workdir: scene.workdir, resume: HOSTILE_SESSION }), scene, env);
    expect(pwned(scene)).toBe(false);
    expect(ran.code).not.toBe(0);
    expect(ran.stderr).toContain(HOSTILE_SESSION);
    expect(existsSync(scene.recordFile)).toBe(false);
  });

  it.each([
    ['auth', 'auth'],
    ['rate_limit', 'rate_limit'],
  ] as const)('reports `fail %s` the way the agent does, and it is classified', async (directive, reason) => {
    writePrompt(scene, hostilePrompt(scene, [`fail ${directive}`]));
    const ran = await runCommand(profile.command({ promptFile: scene.promptFile, workdir: scene.workdir }), scene, keyed(profile));
    expect(ran.code).not.toBe(0);
    const failed = of(parseAgentOutput(profile, ran.stdout), 'result').at(-1);
    expect(failed).toMatchObject({ ok: false, reason });
  });

  it('refuses to run without its key, and says so at once', async () => {
    writePrompt(scene, hostilePrompt(scene));
    const started = Date.now();
    const ran = await runCommand(profile.command({ promptFile: scene.promptFile, workdir: scene.workdir }), scene, { ...profile.env }, 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(ran.code).not.toBe(0);
    expect(of(parseAgentOutput(profile, ran.stdout), 'result').filter((r) => r.ok)).toEqual([]);
    expect(existsSync(scene.recordFile)).toBe(false);
  });
});

describe('the fake CLIs refuse the flags the real ones would not run with', () => {
  it.each([
    ['codex exec -', 'codex'],
    ['codex exec --json --dangerously-bypass-approvals-and-sandbox resume some-id -C /tmp -', 'codex'],
    ['amp --stream-json -x', 'amp'],
    ['amp -x "the prompt in argv"', 'amp'],
    ['opencode run --auto', 'opencode'],
    ['openclaw agent --local --json --message-file /dev/stdin', 'openclaw'],
    ['openclaw agent --local --json --agent main --message-file -', 'openclaw'],
  ])('`%s`', async (cmd) => {
    writePrompt(scene, hostilePrompt(scene));
    const ran = await runCommand(`${cmd} < ${JSON.stringify(scene.promptFile)}`, scene, {
      CODEX_API_KEY: 'k',
      AMP_API_KEY: 'k',
      ANTHROPIC_API_KEY: 'k',
    });
    expect(ran.code).not.toBe(0);
    expect(existsSync(scene.recordFile)).toBe(false);
  });

  it('codex refuses a directory outside git without --skip-git-repo-check', async () => {
    writePrompt(scene, hostilePrompt(scene));
    const ran = await runCommand(`cd "$W" && codex exec --json --dangerously-bypass-approvals-and-sandbox - < "$P"`, scene, {
      CODEX_API_KEY: 'k',
      W: scene.workdir,
      P: scene.promptFile,
    });
    expect(ran.stderr).toContain('--skip-git-repo-check was not specified');
    expect(ran.code).toBe(1);
  });

  it('opencode without --auto rejects every write', async () => {
    writePrompt(scene, hostilePrompt(scene));
    const ran = await runCommand(`opencode run --format json --dir "$W" < "$P"`, scene, { ANTHROPIC_API_KEY: 'k', W: scene.workdir, P: scene.promptFile });
    expect(ran.code).toBe(0);
    expect(existsSync(join(scene.workdir, 'hello.txt'))).toBe(false);
    expect(of(parseAgentOutput(builtInProfiles.find((p) => p.name === 'opencode') as AgentProfile, ran.stdout), 'tool')[0]?.detail).toMatch(/\(failed\)$/);
  });

  it('openclaw without OPENCLAW_WORKSPACE_DIR edits its own workspace, not the work dir', async () => {
    writePrompt(scene, hostilePrompt(scene));
    const ran = await runCommand(`cd "$W" && openclaw agent --local --json --agent main --message-file /dev/stdin < "$P"`, scene, {
      ANTHROPIC_API_KEY: 'k',
      W: scene.workdir,
      P: scene.promptFile,
    });
    expect(ran.code).toBe(0);
    expect(existsSync(join(scene.workdir, 'hello.txt'))).toBe(false);
    expect(existsSync(join(scene.home, '.openclaw', 'workspace', 'hello.txt'))).toBe(true);
  });
});

describe('sessions that depend on the absolute work directory', () => {
  it.each(['claude', 'opencode'])('%s does not find its session from another directory, as the real one does not', async (name) => {
    const profile = builtInProfiles.find((p) => p.name === name) as AgentProfile;
    writePrompt(scene, hostilePrompt(scene, ['say first']));
    const first = await runCommand(profile.command({ promptFile: scene.promptFile, workdir: scene.workdir }), scene, keyed(profile));
    const id = of(parseAgentOutput(profile, first.stdout), 'session')[0]?.id ?? 'none';
    const elsewhere = join(scene.root, 'elsewhere');
    mkdirSync(elsewhere);
    const ran = await runCommand(profile.command({ promptFile: scene.promptFile, workdir: elsewhere, resume: id }), scene, keyed(profile));
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(new RegExp(`(No conversation found with session ID|Session not found): ${id}`));
  });
});
