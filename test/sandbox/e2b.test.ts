import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../src/errors.js';
import { E2BSandboxProvider, type E2BProviderOptions } from '../../src/sandbox/e2b.js';
import { reapOrphans, startReaper } from '../../src/sandbox/e2b-reaper.js';
import { CommandTimeoutError, FileTooLargeError, SandboxError, type CreateOptions, type Sandbox } from '../../src/sandbox/provider.js';
import { FakeE2BServer } from '../helpers/fake-e2b-server.js';

let fake: FakeE2BServer;
const made: Sandbox[] = [];

beforeAll(async () => {
  fake = await FakeE2BServer.start();
});

afterAll(async () => {
  await fake.close();
});

// The provider is configured the way a deployment configures it: through the SDK's own variables.
beforeEach(() => {
  for (const [k, v] of Object.entries(fake.env)) vi.stubEnv(k, v);
  fake.rejectApiKey(false);
  fake.rateLimit(0);
  fake.busy(0);
});

afterEach(async () => {
  await Promise.all(made.splice(0).map((s) => s.kill().catch(() => undefined)));
  vi.unstubAllEnvs();
});

// Keys in the sandbox as they are, unless a test says otherwise: keyless sandboxes have their own tests below.
function provider(o: E2BProviderOptions = {}): E2BSandboxProvider {
  return new E2BSandboxProvider({ retry: { baseDelayMs: 1, maxDelayMs: 5 }, keyless: false, ...o });
}

const job: CreateOptions = {
  template: 'claude',
  envs: { ANTHROPIC_API_KEY: 'sk-ant-test-key' },
  timeoutMs: 10 * 60_000,
  metadata: { app: 'issuesmith', installation: '5', repo: 'octo/hello', issue: '7', job: 'delivery-1' },
};
const OWNER = { installation: '5', repo: 'octo/hello' };

async function create(p = provider(), o: Partial<CreateOptions> = {}): Promise<Sandbox> {
  const s = await p.create({ ...job, ...o });
  made.push(s);
  return s;
}

function createRecord(id: string) {
  const rec = fake.record.creates.find((c) => c.sandboxId === id);
  if (rec === undefined) throw new Error(`no create recorded for ${id}`);
  return rec;
}

function commandsOf(id: string) {
  return fake.record.commands.filter((c) => c.sandboxId === id);
}

describe('E2BSandboxProvider through the e2b SDK', () => {
  it('creates a sandbox from the template with the job metadata, the envs and the job budget as its timeout', async () => {
    const s = await create();
    expect(s.homeDir).toBe('/home/user');
    const rec = createRecord(s.id);
    expect(rec.template).toBe('claude');
    expect(rec.envs).toEqual({ ANTHROPIC_API_KEY: 'sk-ant-test-key' });
    expect(rec.metadata).toEqual({ app: 'issuesmith', installation: '5', repo: 'octo/hello', issue: '7', job: 'delivery-1' });
    expect(rec.timeoutSeconds).toBe(600);
    expect(rec.autoPause).toBe(false);
    expect(rec.network).toBeUndefined();
  });

  it('tags every sandbox with app=issuesmith, which the reaper looks for', async () => {
    const s = await create(provider(), { metadata: { repo: 'octo/hello' } });
    expect(createRecord(s.id).metadata).toEqual({ repo: 'octo/hello', app: 'issuesmith' });
  });

  it('streams output to the callbacks while the command still runs', async () => {
    const s = await create();
    const chunks: Array<{ stream: string; text: string; at: number }> = [];
    const r = await s.run('echo one; echo oops >&2; sleep 0.4; echo two', {
      onStdout: (text) => chunks.push({ stream: 'out', text, at: Date.now() }),
      onStderr: (text) => chunks.push({ stream: 'err', text, at: Date.now() }),
    });
    const done = Date.now();
    expect(r).toEqual({ exitCode: 0, stdout: 'one\ntwo\n', stderr: 'oops\n' });
    expect(
      chunks
        .filter((c) => c.stream === 'out')
        .map((c) => c.text)
        .join(''),
    ).toBe('one\ntwo\n');
    expect(chunks.find((c) => c.stream === 'err')?.text).toBe('oops\n');
    const first = chunks.find((c) => c.text.includes('one'));
    expect(done - (first?.at ?? done)).toBeGreaterThanOrEqual(300);
  });

  it('runs in the cwd with the sandbox variables and the command variables', async () => {
    const s = await create();
    await s.run('mkdir -p /home/user/work');
    const r = await s.run('pwd; echo "$ANTHROPIC_API_KEY $EXTRA"; echo "$HOME"', { cwd: '/home/user/work', env: { EXTRA: 'extra-value' } });
    const home = fake.sandboxes.get(s.id)?.home ?? '';
    expect(r.stdout).toBe(`${home}/work\nsk-ant-test-key extra-value\n${home}\n`);
    const rec = commandsOf(s.id).at(-1);
    expect(rec?.cwd).toBe('/home/user/work');
    expect(rec?.envNames).toEqual(['EXTRA']);
  });

  it('resolves with the exit code, stdout and stderr of a failing command', async () => {
    const s = await create();
    await expect(s.run('echo out; echo err >&2; exit 3')).resolves.toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('always gives the SDK a time limit, the sandbox budget when the caller gives none, never the SDK default of 60 s', async () => {
    const s = await create();
    await s.run('true');
    const limit = commandsOf(s.id).at(-1)?.timeoutMs ?? 0;
    expect(limit).toBeGreaterThan(9 * 60_000);
    expect(limit).toBeLessThanOrEqual(10 * 60_000 + 30_000);
  });

  it('kills a command at its time limit and rejects with what it printed so far', async () => {
    const s = await create();
    const started = Date.now();
    const err = await s.run('echo started; sleep 10; echo never', { timeoutMs: 400 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandTimeoutError);
    expect((err as CommandTimeoutError).stdout).toBe('started\n');
    expect((err as CommandTimeoutError).timeoutMs).toBe(400);
    expect(Date.now() - started).toBeLessThan(5_000);
    const pid = commandsOf(s.id).at(-1)?.pid;
    expect(fake.record.signals).toContainEqual({ sandboxId: s.id, pid, signal: 'SIGNAL_SIGKILL' });
  });

  it('kills the command when the signal aborts, and resolves with its output', async () => {
    const s = await create();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const started = Date.now();
    const r = await s.run('echo going; sleep 10', { signal: ac.signal });
    expect(r).toEqual({ exitCode: 137, stdout: 'going\n', stderr: '' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(fake.record.signals.some((x) => x.sandboxId === s.id && x.signal === 'SIGNAL_SIGKILL')).toBe(true);
  });

  it('writes and reads files byte for byte, absolute and relative to the home directory', async () => {
    const s = await create();
    const bytes = new Uint8Array(256).map((_, i) => i);
    await s.writeFile('/home/user/out/all-bytes.bin', bytes);
    expect(await s.readFile('/home/user/out/all-bytes.bin')).toEqual(bytes);
    expect(new Uint8Array(await readFile(fake.hostPath(s.id, '/home/user/out/all-bytes.bin')))).toEqual(bytes);
    await s.writeFile('prompt.md', 'fix the bug ünïcode\n');
    expect((await s.run('cat /home/user/prompt.md')).stdout).toBe('fix the bug ünïcode\n');
    expect(fake.record.writes.filter((w) => w.sandboxId === s.id).map((w) => w.path)).toEqual(['/home/user/out/all-bytes.bin', '/home/user/prompt.md']);
  });

  it('stops reading a file at the cap, streamed, and reads one within it whole', async () => {
    const s = await create();
    const big = new Uint8Array(1536 * 1024).map((_, i) => i % 251);
    await s.writeFile('/home/user/out/big.bin', big);
    await expect(s.readFile('/home/user/out/big.bin', { maxBytes: 512 * 1024 })).rejects.toBeInstanceOf(FileTooLargeError);
    // Compared as buffers: vitest's deep equality walks 1.5 MB element by element (~15 s of CPU).
    expect(Buffer.from(await s.readFile('/home/user/out/big.bin', { maxBytes: big.byteLength })).equals(Buffer.from(big))).toBe(true);
  }, 90_000);

  it('rejects with a SandboxError when a file is not there', async () => {
    const s = await create();
    await expect(s.readFile('/home/user/nothing-here')).rejects.toBeInstanceOf(SandboxError);
  });

  it('pauses a sandbox and resumes it by id with its files', async () => {
    const p = provider({ resumeTimeoutMs: 20 * 60_000 });
    const s = await create(p);
    await s.writeFile('/home/user/state.txt', 'kept');
    await s.pause();
    expect(fake.record.pauses).toContain(s.id);
    expect(fake.sandboxes.get(s.id)?.state).toBe('paused');
    expect(p.liveSandboxIds()).not.toContain(s.id);
    await expect(s.run('true')).rejects.toBeInstanceOf(SandboxError);

    const again = await p.connect(s.id, OWNER);
    expect(again?.id).toBe(s.id);
    expect(fake.record.connects).toContain(s.id);
    expect(fake.sandboxes.get(s.id)?.state).toBe('running');
    expect(p.liveSandboxIds()).toContain(s.id);
    expect((await again?.run('cat state.txt'))?.stdout).toBe('kept');
    // The follow-up gets the job's budget, not E2B's 5-minute default.
    expect(fake.sandboxes.get(s.id)?.endAt.getTime()).toBeGreaterThan(Date.now() + 19 * 60_000);
    if (again !== undefined) made.push(again);
  });

  it('connects to a missing sandbox as undefined', async () => {
    await expect(provider().connect('i-never-existed', OWNER)).resolves.toBeUndefined();
  });

  it('kills a sandbox, and killing it again or after E2B ended it is not an error', async () => {
    const p = provider();
    const s = await p.create(job);
    expect(p.liveSandboxIds()).toContain(s.id);
    await s.kill();
    expect(fake.record.kills).toContain(s.id);
    expect(fake.sandboxes.get(s.id)?.state).toBe('killed');
    expect(p.liveSandboxIds()).not.toContain(s.id);
    await expect(s.kill()).resolves.toBeUndefined();

    const t = await p.create(job);
    fake.stop(t.id);
    await expect(t.kill()).resolves.toBeUndefined();
    expect(p.liveSandboxIds()).toEqual([]);
  });
});

describe('E2B errors in words a maintainer can act on', () => {
  it('says to check E2B_API_KEY when E2B rejects the key', async () => {
    fake.rejectApiKey();
    const err = await provider()
      .create(job)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain('E2B_API_KEY');
  });

  it('says to check E2B_API_KEY when there is no key at all', async () => {
    vi.stubEnv('E2B_API_KEY', '');
    const err = await provider()
      .create(job)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain('E2B_API_KEY');
  });

  it('names an unknown template and how to build it', async () => {
    const err = await provider()
      .create({ ...job, template: 'no-such-agent' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain('`no-such-agent`');
    expect((err as Error).message).toContain('`npm run templates -- build`');
  });

  it('retries a rate-limited create and succeeds', async () => {
    fake.rateLimit(2);
    const before = fake.record.api.length;
    const s = await create(provider({ retry: { attempts: 4, baseDelayMs: 1 } }));
    const calls = fake.record.api.slice(before).filter((c) => c.path === '/v2/sandboxes');
    expect(calls.map((c) => c.status)).toEqual([429, 429, 201]);
    expect(createRecord(s.id).template).toBe('claude');
  });

  it('reports a rate limit that outlasts the retries', async () => {
    fake.rateLimit(100);
    const before = fake.record.api.length;
    const err = await provider({ retry: { attempts: 3, baseDelayMs: 1 } })
      .create(job)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/rate limiting.*3 tries/);
    expect(fake.record.api.slice(before).map((c) => c.status)).toEqual([429, 429, 429]);
  });

  it('retries while E2B has no capacity', async () => {
    fake.busy(1);
    const s = await create();
    expect(createRecord(s.id).template).toBe('claude');
  });

  it('says the sandbox died when it stops under a running command', async () => {
    const s = await create();
    fake.dieDuring((cmd) => cmd.includes('die-here'));
    const err = await s.run('echo working; sleep 10 # die-here', { timeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect(err).not.toBeInstanceOf(CommandTimeoutError);
    expect((err as Error).message).toContain(`the E2B sandbox ${s.id} stopped while a command was running`);
    await expect(s.run('true')).rejects.toThrow(/could not start a command in the E2B sandbox/);
  });

  it('says the sandbox ran out of its time when E2B ends it at its timeout', async () => {
    const s = await create(provider(), { timeoutMs: 1_000 });
    const err = await s.run('sleep 10', { timeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as Error).message).toContain('reached its time limit of 1 second');
  });
});

describe('keyless sandboxes', () => {
  it('hands the real key to the egress proxy and shows the sandbox only a placeholder', async () => {
    const real = 'sk-ant-api03-REAL-KEY-never-in-the-sandbox';
    const s = await create(provider({ keyless: true }), { envs: { ANTHROPIC_API_KEY: real, GIT_TERMINAL_PROMPT: '0' } });
    const rec = createRecord(s.id);
    expect(rec.network?.rules).toEqual({ 'api.anthropic.com': [{ transform: { headers: { 'x-api-key': real } } }] });
    expect(rec.envs.ANTHROPIC_API_KEY).toMatch(/^sk-ant-api03-[\w-]{80,}AA$/);
    expect(rec.envs.GIT_TERMINAL_PROMPT).toBe('0');
    expect(JSON.stringify(rec.envs)).not.toContain(real);

    const seen = await s.run('echo "$ANTHROPIC_API_KEY"', { env: { ANTHROPIC_API_KEY: real } });
    expect(seen.stdout.trim()).toBe(rec.envs.ANTHROPIC_API_KEY);
    expect(JSON.stringify(commandsOf(s.id))).not.toContain(real);
  });

  it('gives Amp a placeholder of the shape Amp checks', async () => {
    const s = await create(provider({ keyless: true }), { template: 'amp', envs: { AMP_API_KEY: 'sgamp_user_REAL' } });
    const rec = createRecord(s.id);
    expect(rec.envs.AMP_API_KEY).toMatch(/^sgamp_user_[0-9A-Z]{26}_[0-9a-f]{64}$/);
    expect(rec.network?.rules).toEqual({ 'ampcode.com': [{ transform: { headers: { Authorization: 'Bearer sgamp_user_REAL' } } }] });
  });

  it('is on unless turned off: then the key goes into the sandbox as it is', async () => {
    const on = await create(new E2BSandboxProvider({ retry: { attempts: 1 } }));
    expect(createRecord(on.id).envs.ANTHROPIC_API_KEY).not.toBe('sk-ant-test-key');
    expect(createRecord(on.id).network?.rules).toBeDefined();
    const off = await create(provider({ keyless: false }));
    expect(createRecord(off.id).envs.ANTHROPIC_API_KEY).toBe('sk-ant-test-key');
    expect(createRecord(off.id).network).toBeUndefined();
  });
});

describe('the orphan reaper', () => {
  const hour = 60 * 60_000;
  const ago = (ms: number): Date => new Date(Date.now() - ms);

  it("kills the app's old sandboxes that no live job owns, and nothing else", async () => {
    const orphan = await fake.seed({ metadata: { app: 'issuesmith', repo: 'a/b' }, startedAt: ago(3 * hour) });
    const owned = await fake.seed({ metadata: { app: 'issuesmith' }, startedAt: ago(3 * hour) });
    const young = await fake.seed({ metadata: { app: 'issuesmith' }, startedAt: ago(10 * 60_000) });
    const foreign = await fake.seed({ metadata: { app: 'someone-else' }, startedAt: ago(3 * hour) });
    const paused = await fake.seed({ metadata: { app: 'issuesmith' }, startedAt: ago(3 * hour), state: 'paused' });

    const result = await reapOrphans({ maxAgeMs: 2 * hour, liveIds: () => [owned.id], connection: fake.connection });

    expect(result.killed).toEqual([orphan.id]);
    expect(fake.record.kills).toContain(orphan.id);
    for (const kept of [owned, young, foreign, paused]) expect(fake.record.kills).not.toContain(kept.id);
    expect(fake.record.lists.at(-1)).toEqual({ metadata: { app: 'issuesmith' }, state: ['running'] });
    for (const s of [owned, young, foreign, paused]) fake.stop(s.id);
  });

  it('reads every page, and reaps long-paused sandboxes when told to', async () => {
    const orphans = await Promise.all([1, 2, 3, 4, 5].map(() => fake.seed({ metadata: { app: 'issuesmith' }, startedAt: ago(3 * hour) })));
    const stale = await fake.seed({ metadata: { app: 'issuesmith' }, startedAt: ago(50 * hour), state: 'paused' });
    const result = await reapOrphans({ maxAgeMs: 2 * hour, pausedMaxAgeMs: 48 * hour, liveIds: () => [], connection: fake.connection, pageSize: 2 });
    expect(new Set(result.killed)).toEqual(new Set([...orphans.map((o) => o.id), stale.id]));
  });

  it('finds metadata values that need encoding', async () => {
    const orphan = await fake.seed({ metadata: { app: 'issue smith&co=1' }, startedAt: ago(3 * hour) });
    const result = await reapOrphans({ maxAgeMs: hour, liveIds: () => [], connection: fake.connection, metadata: { app: 'issue smith&co=1' } });
    expect(result.killed).toEqual([orphan.id]);
  });

  it('reaps once at start and stops on demand', async () => {
    const orphan = await fake.seed({ metadata: { app: 'issuesmith' }, startedAt: ago(3 * hour) });
    const p = provider();
    const reaper = startReaper({ maxAgeMs: 2 * hour, liveIds: () => p.liveSandboxIds(), intervalMs: 60_000 });
    await vi.waitFor(() => expect(fake.record.kills).toContain(orphan.id));
    reaper.stop();
  });
});

describe('killing the sandboxes of an earlier run by metadata', () => {
  it('kills the running and paused sandboxes of one job, and no other', async () => {
    const running = await fake.seed({ metadata: { app: 'issuesmith', job: 'delivery-dead' } });
    const paused = await fake.seed({ metadata: { app: 'issuesmith', job: 'delivery-dead' }, state: 'paused' });
    const other = await fake.seed({ metadata: { app: 'issuesmith', job: 'delivery-other' } });
    const foreign = await fake.seed({ metadata: { app: 'someone-else', job: 'delivery-dead' } });

    const killed = await provider().killTagged({ job: 'delivery-dead' });

    expect(new Set(killed)).toEqual(new Set([running.id, paused.id]));
    expect(fake.record.lists.at(-1)).toEqual({ metadata: { job: 'delivery-dead', app: 'issuesmith' }, state: ['running', 'paused'] });
    expect(fake.record.kills).not.toContain(other.id);
    expect(fake.record.kills).not.toContain(foreign.id);
    for (const s of [other, foreign]) fake.stop(s.id);
  });
});
