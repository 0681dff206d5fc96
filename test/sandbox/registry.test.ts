import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProfileRegistry } from '../../src/agents/registry.js';
import { isAppOwnVariable } from '../../src/config/agent-checks.js';
import { APP_SECRET_NAMES, settingsFromEnv } from '../../src/config/settings.js';
import { configContext } from '../../src/jobs/prepare-job.js';
import { createRuntime } from '../../src/runtime.js';
import { LocalSandboxProvider } from '../../src/sandbox/local.js';
import type { SandboxProviderContext, SandboxProviderEntry } from '../../src/sandbox/provider.js';
import { builtInSandboxProviders, SandboxRegistry, sandboxProviders } from '../../src/sandbox/registry.js';
import { FakeE2BServer } from '../helpers/fake-e2b-server.js';
import { testProbot } from '../helpers/probot.js';

let root: string;
let fake: FakeE2BServer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'issuesmith-registry-'));
  fake = await FakeE2BServer.start({ root });
});

afterAll(async () => {
  await fake.close();
  rmSync(root, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

function context(env: Record<string, string> = {}): SandboxProviderContext & { warnings: string[] } {
  const warnings: string[] = [];
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
  return { env, workDir: root, sandboxBudgetMs: 60_000, warn: (m) => warnings.push(m), logger: () => silent, warnings };
}

describe('the sandbox provider registry', () => {
  it('holds E2B and the local provider, in that order', () => {
    expect(sandboxProviders.names()).toEqual(['e2b', 'local']);
    expect(builtInSandboxProviders.map((e) => e.name)).toEqual(['e2b', 'local']);
  });

  it('is what the settings check ISSUESMITH_SANDBOX against', () => {
    expect(settingsFromEnv({ ISSUESMITH_SANDBOX: 'local' }).sandbox).toBe('local');
    expect(() => settingsFromEnv({ ISSUESMITH_SANDBOX: 'docker' })).toThrow('invalid environment: ISSUESMITH_SANDBOX: Invalid option: expected one of "e2b"|"local"');
  });

  it('chooses E2B when E2B_API_KEY is set and ISSUESMITH_SANDBOX is not, and nothing without either', () => {
    expect(settingsFromEnv({ E2B_API_KEY: 'e2b_key' }).sandbox).toBe('e2b');
    expect(settingsFromEnv({ E2B_API_KEY: 'e2b_key', ISSUESMITH_SANDBOX: 'local' }).sandbox).toBe('local');
    expect(settingsFromEnv({ E2B_API_KEY: '' }).sandbox).toBeUndefined();
    expect(settingsFromEnv({}).sandbox).toBeUndefined();
  });

  it('tells a job of an app without a sandbox what its operator sets', () => {
    expect(sandboxProviders.missingMessage()).toBe(
      'The app has no sandbox to run agents in. Its operator needs to set `E2B_API_KEY` (or `ISSUESMITH_SANDBOX=local` for development).',
    );
  });

  it('makes no provider without a name, and says so in the log', () => {
    const ctx = context();
    expect(sandboxProviders.create(undefined, ctx)).toBeUndefined();
    expect(ctx.warnings).toEqual(['No sandbox is configured (set E2B_API_KEY): jobs will be refused with a message until one is.']);
  });

  it('makes the local provider with a warning that it isolates nothing, and no background tasks', () => {
    const ctx = context();
    const provider = sandboxProviders.create('local', ctx);
    expect(provider).toBeInstanceOf(LocalSandboxProvider);
    expect(provider?.startBackgroundTasks).toBeUndefined();
    expect(ctx.warnings).toEqual([
      "ISSUESMITH_SANDBOX=local: NO SANDBOX. Agents and the commands they choose run on this host as the app's own user, able to read the app's files, environment and private key and to reach the network. For development and tests only: never deploy it.",
    ]);
  });

  it("makes E2B from the SDK's variables, and its background task reaps the app's orphaned sandboxes", async () => {
    for (const [k, v] of Object.entries(fake.env)) vi.stubEnv(k, v);
    const orphan = await fake.seed({ metadata: { app: 'issuesmith' }, startedAt: new Date(Date.now() - 3 * 60 * 60_000) });
    const provider = sandboxProviders.create('e2b', context());
    expect(provider?.name).toBe('e2b');
    const tasks = provider?.startBackgroundTasks?.({
      maxAgeMs: 60 * 60_000,
      pausedMaxAgeMs: 7 * 24 * 60 * 60_000,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    expect(tasks).toBeDefined();
    await vi.waitFor(() => expect(fake.record.kills).toContain(orphan.id));
    expect(fake.record.lists.at(-1)).toEqual({ metadata: { app: 'issuesmith' }, state: ['running', 'paused'] });
    tasks?.stop();
  });

  it("gives the app its own variables: the provider's key is a secret, its prefix is the app's, keyless base URLs are protected", () => {
    expect(APP_SECRET_NAMES).toContain('E2B_API_KEY');
    expect(isAppOwnVariable('E2B_DOMAIN')).toBe(true);
    const protectedEnv = configContext({ settings: settingsFromEnv({}), profiles: new ProfileRegistry() }).protectedEnv;
    for (const name of ['ANTHROPIC_BASE_URL', 'OPENAI_BASE_URL', 'AMP_URL', 'GOOGLE_GEMINI_BASE_URL']) expect(protectedEnv?.has(name)).toBe(true);
  });

  it('takes a new provider as one more entry: its name is accepted, made, and offered to an operator without a sandbox', () => {
    const made = new LocalSandboxProvider({ root });
    const docker: SandboxProviderEntry = { name: 'docker', create: () => made };
    const registry = new SandboxRegistry([...builtInSandboxProviders, docker]);
    expect(registry.names()).toEqual(['e2b', 'local', 'docker']);
    expect(registry.create('docker', context())).toBe(made);
    expect(registry.missingMessage()).toBe(
      'The app has no sandbox to run agents in. Its operator needs to set `E2B_API_KEY` or `ISSUESMITH_SANDBOX=docker` (or `ISSUESMITH_SANDBOX=local` for development).',
    );
  });
});

describe('the runtime', () => {
  it('makes the provider the settings name and starts its background tasks', async () => {
    for (const [k, v] of Object.entries(fake.env)) vi.stubEnv(k, v);
    const before = fake.record.lists.length;
    const runtime = createRuntime(testProbot('http://127.0.0.1:9/api/v3'), { ...fake.env, ISSUESMITH_WORK_DIR: root });
    try {
      expect(runtime.sandboxes?.name).toBe('e2b');
      await vi.waitFor(() => expect(fake.record.lists.length).toBeGreaterThan(before));
    } finally {
      await runtime.close();
    }
  });
});
