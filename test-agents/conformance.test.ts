import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../src/agents/profile.js';
import { agentEnv } from '../src/jobs/steps/choose-agent.js';
import { workdirOf } from '../src/jobs/steps/keep-sandbox.js';
import { runAgent, type AgentRun } from '../src/jobs/steps/run-agent.js';
import { LocalSandboxProvider } from '../src/sandbox/local.js';
import { APP_SANDBOX_TAG, type Sandbox } from '../src/sandbox/provider.js';
import { shellQuote } from '../src/security/shell-quote.js';
import { DirectorySessionStore } from '../src/sessions/directory-session-store.js';
import { readSessionState, writeSessionState } from '../src/sessions/sandbox-session.js';
import { CONFORMANCE_AGENTS, type ConformanceAgent } from './agents.js';
import { startModelServer, type ModelServer } from './model-server.js';
import { refreshSample } from './samples.js';

// One agent run may take minutes on a busy two-core machine: OpenClaw took 6 to start and give up on a 429 under a load of 20.
const RUN_TIMEOUT_MS = 10 * 60_000;
const CONTENT = 'hello from the mock model';

// `CONFORMANCE_AGENTS=claude,codex npm run test:agents` runs some of them.
const only = process.env.CONFORMANCE_AGENTS?.split(',').map((s) => s.trim());
const agents = CONFORMANCE_AGENTS.filter((a) => only === undefined || only.includes(a.profile.name));

interface Turn {
  run: AgentRun;
  events: AgentEvent[];
  stdout: string;
  baseUrl: string;
}

describe.each(agents)('$profile.displayName $pin.version through the app profile', (agent: ConformanceAgent) => {
  const { profile } = agent;
  let server: ModelServer;
  let root: string;
  let provider: LocalSandboxProvider;

  beforeAll(async () => {
    const path = await agent.install();
    server = await startModelServer();
    root = mkdtempSync(join(tmpdir(), 'issuesmith-conformance-'));
    provider = new LocalSandboxProvider({ path: [...path, process.env.PATH ?? '/usr/bin:/bin'].join(delimiter), root });
  }, 15 * 60_000);

  afterAll(async () => {
    await server?.close();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  /** A new sandbox for `issue`, set up as the template and the app would: the CLI's config, the key, a checkout. */
  async function openSandbox(issue: string, scenario: string): Promise<{ sandbox: Sandbox; baseUrl: string }> {
    const baseUrl = `${server.origin}/${scenario}`;
    const sandbox = await provider.create({
      template: profile.template,
      envs: { ...agent.templateEnv, ...agentEnv(profile, agent.appEnv(baseUrl)) },
      timeoutMs: 2 * RUN_TIMEOUT_MS,
      metadata: { ...APP_SANDBOX_TAG, installation: '1', repo: `conformance/${profile.name}`, issue },
    });
    await agent.configure(sandbox, baseUrl);
    const workdir = workdirOf(sandbox);
    const git = `git -c user.name=conformance -c user.email=conformance@example.invalid`;
    const r = await sandbox.run(
      `mkdir -p ${shellQuote(workdir)} && cd ${shellQuote(workdir)} && git init -q . && printf '# conformance\\n' > README.md && git add README.md && ${git} commit -qm init`,
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    return { sandbox, baseUrl };
  }

  /** One turn, as the pipeline runs it: the prompt in a file, the profile's command, the app's stream fold. */
  async function turn(sandbox: Sandbox, baseUrl: string, prompt: string, resume?: string): Promise<Turn> {
    const promptFile = `${sandbox.homeDir}/.issuesmith/prompt.md`;
    await sandbox.writeFile(promptFile, prompt);
    let stdout = '';
    // The same sandbox, keeping a copy of what the agent prints for the samples.
    const teed: Sandbox = {
      id: sandbox.id,
      homeDir: sandbox.homeDir,
      run: (cmd, o = {}) =>
        sandbox.run(cmd, {
          ...o,
          onStdout: (s) => {
            stdout += s;
            o.onStdout?.(s);
          },
        }),
      writeFile: (p, d) => sandbox.writeFile(p, d),
      readFile: (p, o) => sandbox.readFile(p, o),
      pause: () => sandbox.pause(),
      kill: () => sandbox.kill(),
    };
    const events: AgentEvent[] = [];
    const command = profile.command({ promptFile, workdir: workdirOf(sandbox), timeoutMs: RUN_TIMEOUT_MS, ...(resume !== undefined ? { resume } : {}) });
    const run = await runAgent({ sandbox: teed, profile, command, timeoutMs: RUN_TIMEOUT_MS, onEvent: (e) => events.push(e) });
    return { run, events, stdout, baseUrl };
  }

  const promptFor = (sandbox: Sandbox, marker: string, file: string): string =>
    `${marker} Please add ${file} to the repository.\nconformance: write ${workdirOf(sandbox)}/${file} ${CONTENT}\n`;

  const requestsWith = (text: string): ModelServer['requests'] => server.requests.filter((r) => JSON.stringify(r.body ?? '').includes(text));

  const read = async (sandbox: Sandbox, path: string): Promise<string> => new TextDecoder().decode(await sandbox.readFile(path));

  const capture = (name: string, sandbox: Sandbox, t: Turn): void => {
    refreshSample(name, { profile, stdout: t.stdout, home: sandbox.homeDir, baseUrl: t.baseUrl });
  };

  it(
    'edits the work tree from the prompt, reports usage, and resumes in a new sandbox from the saved session',
    async () => {
      const first = await openSandbox('1', 'ok');
      const marker1 = `conformance-first-${profile.name}`;
      const t1 = await turn(first.sandbox, first.baseUrl, promptFor(first.sandbox, marker1, 'hello.txt'));
      expect(t1.run, t1.run.outputTail).toMatchObject({ ok: true, exitCode: 0 });
      // The prompt reached the model, with the key the app's environment held.
      const seen = requestsWith(marker1);
      expect(seen.length).toBeGreaterThan(0);
      expect(String(seen[0]?.headers[agent.keyHeader])).toContain(agent.key);
      expect(t1.stdout).not.toContain(agent.key);
      // The scripted tool call edited the work tree, and nothing else did.
      expect((await read(first.sandbox, `${workdirOf(first.sandbox)}/hello.txt`)).trim()).toBe(CONTENT);
      const status = await first.sandbox.run(`cd ${shellQuote(workdirOf(first.sandbox))} && git status --porcelain --untracked-files=all`);
      expect(status.stdout.trim()).toBe('?? hello.txt');
      // The stream parsed into the app's events: session, tool, text, usage, cost, result.
      expect(t1.run.sessionId).toBeTruthy();
      expect(t1.events.some((e) => e.type === 'tool')).toBe(true);
      expect(t1.run.summary).toContain('Done: I created the file.');
      expect(t1.run.inputTokens).toBeGreaterThan(0);
      expect(t1.run.outputTokens).toBeGreaterThan(0);
      if (agent.reportsCost) expect(t1.run.costUsd).toBeGreaterThan(0);
      else expect(t1.run.costUsd).toBeUndefined();
      capture(agent.samples.success, first.sandbox, t1);

      // The end of the turn: the session files go to the store, and the sandbox is gone.
      const paths = profile.sessionState({ home: first.sandbox.homeDir, workdir: workdirOf(first.sandbox) });
      const saved = await readSessionState(first.sandbox, paths, `${first.sandbox.homeDir}/.issuesmith/session.tar.gz`);
      expect(saved).toBeDefined();
      const store = new DirectorySessionStore(join(root, 'sessions'));
      await store.save('conformance#1', saved as Uint8Array);
      await first.sandbox.kill();

      // A follow-up in a new sandbox: the same paths, a fresh checkout, the session restored.
      const second = await openSandbox('1', 'ok');
      expect(second.sandbox.homeDir).toBe(first.sandbox.homeDir);
      expect(second.sandbox.id).not.toBe(first.sandbox.id);
      await writeSessionState(second.sandbox, (await store.load('conformance#1')) as Uint8Array, `${second.sandbox.homeDir}/.issuesmith/session.tar.gz`);
      const marker2 = `conformance-second-${profile.name}`;
      const t2 = await turn(second.sandbox, second.baseUrl, promptFor(second.sandbox, marker2, 'second.txt'), t1.run.sessionId);
      expect(t2.run, t2.run.outputTail).toMatchObject({ ok: true, exitCode: 0 });
      expect((await read(second.sandbox, `${workdirOf(second.sandbox)}/second.txt`)).trim()).toBe(CONTENT);
      // The model saw the first turn's conversation with the second prompt: the session was resumed.
      const resumed = requestsWith(marker2);
      expect(resumed.length).toBeGreaterThan(0);
      expect(resumed.some((r) => JSON.stringify(r.body).includes(marker1))).toBe(true);
      await second.sandbox.kill();
    },
    3 * RUN_TIMEOUT_MS,
  );

  it(
    'classifies a rejected key (401) as auth',
    async () => {
      const { sandbox, baseUrl } = await openSandbox('401', '401');
      const t = await turn(sandbox, baseUrl, promptFor(sandbox, 'conformance-401', 'hello.txt'));
      expect(t.run, t.run.outputTail).toMatchObject({ ok: false, reason: 'auth' });
      capture(agent.samples.auth, sandbox, t);
      await sandbox.kill();
    },
    2 * RUN_TIMEOUT_MS,
  );

  it(
    'classifies a rate limit (429) as rate_limit',
    async () => {
      const { sandbox, baseUrl } = await openSandbox('429', '429');
      const t = await turn(sandbox, baseUrl, promptFor(sandbox, 'conformance-429', 'hello.txt'));
      expect(t.run, t.run.outputTail).toMatchObject({ ok: false, reason: 'rate_limit' });
      capture(agent.samples.rateLimit, sandbox, t);
      await sandbox.kill();
    },
    2 * RUN_TIMEOUT_MS,
  );
});
