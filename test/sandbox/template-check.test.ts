import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProfileRegistry } from '../../src/agents/registry.js';
import { expectedTemplates, operatorProfiles } from '../../src/config/agent-templates.js';
import { settingsFromEnv } from '../../src/config/settings.js';
import issuesmith from '../../src/index.js';
import type { Runtime } from '../../src/runtime.js';
import { E2BSandboxProvider } from '../../src/sandbox/e2b.js';
import { FakeE2BServer } from '../helpers/fake-e2b-server.js';

let fake: FakeE2BServer;
const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

beforeAll(async () => {
  // OpenCode and OpenClaw (enabled too by ANTHROPIC_API_KEY) have their templates; Claude Code and Codex do not.
  const built = new ProfileRegistry();
  fake = await FakeE2BServer.start({ templates: ['base', built.require('opencode').template, built.require('openclaw').template] });
});

afterAll(async () => {
  await fake.close();
});

function provider(): E2BSandboxProvider {
  return new E2BSandboxProvider({ ...fake.connection, logger: log, retry: { attempts: 1 } });
}

const settings = settingsFromEnv({ ANTHROPIC_API_KEY: 'sk-ant-x', CODEX_API_KEY: 'sk-codex-x' });
const profiles = operatorProfiles(settings);
const claudeTemplate = profiles.require('claude').template;
const codexTemplate = profiles.require('codex').template;

describe('the start-up check of the agents’ templates', () => {
  it('expects the templates of the agents whose key is set, with the command that builds each', () => {
    expect(expectedTemplates(profiles, settings)).toEqual([
      { agent: 'claude', displayName: 'Claude Code', template: 'issuesmith-claude-2-1-197', build: 'npm run templates -- build claude' },
      { agent: 'codex', displayName: 'Codex', template: 'issuesmith-codex-0-171-0', build: 'npm run templates -- build codex' },
      { agent: 'opencode', displayName: 'OpenCode', template: 'issuesmith-opencode-1-18-33', build: 'npm run templates -- build opencode' },
      { agent: 'openclaw', displayName: 'OpenClaw', template: 'issuesmith-openclaw-2026-9-6', build: 'npm run templates -- build openclaw' },
    ]);
    expect(expectedTemplates(profiles, settingsFromEnv({ AMP_API_KEY: 'k' }))).toEqual([expect.objectContaining({ agent: 'amp' })]);
  });

  it("takes the operator's template for an agent (ISSUESMITH_TEMPLATES), which is theirs to build", () => {
    const own = settingsFromEnv({ CODEX_API_KEY: 'k', ISSUESMITH_TEMPLATES: 'claude=acme-claude, codex = acme-codex' });
    const mine = operatorProfiles(own);
    expect(mine.require('claude').template).toBe('acme-claude');
    expect(expectedTemplates(mine, own)).toEqual([{ agent: 'codex', displayName: 'Codex', template: 'acme-codex' }]);
    expect(() => settingsFromEnv({ ISSUESMITH_TEMPLATES: 'gpt9=x' })).toThrow(/ISSUESMITH_TEMPLATES: `gpt9` is not the name of a built-in agent/);
    expect(() => settingsFromEnv({ ISSUESMITH_TEMPLATES: 'claude=$(rm -rf /)' })).toThrow(/agent=template pairs/);
  });

  it('asks E2B once at start, logs what is missing with its build command, and reports it', async () => {
    fake.addTemplate(codexTemplate);
    const p = provider();
    p.checkTemplates(expectedTemplates(profiles, settings));
    expect(p.templateStatus().state).toBe('pending');
    await expect(p.templateProblem(codexTemplate)).resolves.toBeUndefined();
    expect(p.templateStatus()).toEqual({ state: 'checked', missing: [{ agent: 'claude', template: claudeTemplate, build: 'npm run templates -- build claude' }] });
    expect(log.warn).toHaveBeenCalledWith(
      { agent: 'claude', template: claudeTemplate, build: 'npm run templates -- build claude' },
      `the E2B template ${claudeTemplate} for Claude Code does not exist: build it with \`npm run templates -- build claude\``,
    );
    // Asked once each at start; a template that exists is never asked about again.
    expect(fake.record.templateChecks.filter((n) => n === codexTemplate)).toHaveLength(1);
    await p.templateProblem(codexTemplate);
    expect(fake.record.templateChecks.filter((n) => n === codexTemplate)).toHaveLength(1);
  });

  it('answers a job for a missing template with the fix, and asks again, so a template built since needs no restart', async () => {
    const p = provider();
    p.checkTemplates(expectedTemplates(profiles, settings));
    const problem = await p.templateProblem(claudeTemplate);
    expect(problem).toBe(
      "Claude Code runs in the E2B template `issuesmith-claude-2-1-197`, which this app's E2B team does not have yet, so nothing was started. The app's operator can build it with `npm run templates -- build claude` (see the README's *Build the agents' sandbox templates*).",
    );
    fake.addTemplate(claudeTemplate);
    await expect(p.templateProblem(claudeTemplate)).resolves.toBeUndefined();
    expect(p.templateStatus().missing).toEqual([]);
    fake.removeTemplate(claudeTemplate);
  });

  it('leaves jobs alone when E2B cannot be asked, and says so', async () => {
    const p = new E2BSandboxProvider({ ...fake.connection, apiKey: 'e2b_wrong', logger: log, retry: { attempts: 1 } });
    p.checkTemplates(expectedTemplates(profiles, settings));
    await expect(p.templateProblem(claudeTemplate)).resolves.toBeUndefined();
    expect(p.templateStatus()).toEqual({ state: 'failed', missing: [] });
    expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ reason: expect.any(String) as string }), "could not check that the agents' E2B templates exist");
  });

  it('shows the missing templates in /healthz, which stays healthy', async () => {
    const p = provider();
    p.checkTemplates(expectedTemplates(profiles, settings));
    await p.templateProblem('none');
    const routes: Array<(req: IncomingMessage, res: ServerResponse) => boolean> = [];
    const runtime = { settings, sandboxes: p, queue: { stats: () => Promise.resolve({ waiting: 0, running: 0 }) }, metrics: {} } as unknown as Runtime;
    issuesmith({ on: () => undefined } as never, { addHandler: (h) => void routes.push(h as never) }, { ...runtime, settings: { ...settings, role: 'worker' } });
    const body = await new Promise<string>((resolve) => {
      const res = { writeHead: vi.fn(), end: resolve } as unknown as ServerResponse;
      expect(routes.some((route) => route({ method: 'GET', url: '/healthz' } as IncomingMessage, res))).toBe(true);
    });
    expect(JSON.parse(body)).toMatchObject({
      status: 'ok',
      sandbox: 'e2b',
      templates: { state: 'checked', missing: [{ agent: 'claude', template: claudeTemplate, build: 'npm run templates -- build claude' }] },
    });
  });
});
