import { Template } from 'e2b';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { claude } from '../../../src/agents/claude.js';
import { builtInProfiles } from '../../../src/agents/registry.js';
import { agentTemplates } from '../../../src/sandbox/templates/registry.js';
import { templatesCommand } from '../../../scripts/templates.js';
import { FakeE2BServer } from '../../helpers/fake-e2b-server.js';

let fake: FakeE2BServer;

beforeAll(async () => {
  // A new team: none of the agents' templates is built yet.
  fake = await FakeE2BServer.start({ templates: ['base'] });
});

afterAll(async () => {
  await fake.close();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

async function run(...argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  for (const [k, v] of Object.entries(fake.env)) vi.stubEnv(k, v);
  const code = await templatesCommand(argv, (line) => out.push(line), { ...process.env, ...fake.env });
  return { code, out };
}

describe('npm run templates', () => {
  it('says which templates the team lacks, with the command that builds each', async () => {
    const { code, out } = await run('check', 'claude', 'openclaw');
    expect(code).toBe(1);
    expect(out).toEqual([
      'claude: issuesmith-claude-2-1-197 is missing (npm run templates -- build claude)',
      `openclaw: issuesmith-openclaw-2026-9-6 is missing (npm run templates -- build openclaw)`,
    ]);
  });

  it("builds an agent's template under the name its profile expects, with the definition, resources and progress", async () => {
    const { code, out } = await run('build', 'claude-code');
    expect(code).toBe(0);
    const build = fake.record.builds.find((b) => b.name === claude.template);
    expect(build).toMatchObject({ cpuCount: 2, memoryMB: 4096, status: 'ready' });
    const sent = JSON.parse(await Template.toJSON(agentTemplates.claude!(claude.cli!), false)) as { steps: unknown[]; fromImage: string };
    expect(build?.template?.fromImage).toBe(sent.fromImage);
    expect(build?.template?.steps).toEqual(sent.steps);
    expect(out[0]).toBe('claude: building issuesmith-claude-2-1-197 (@anthropic-ai/claude-code@2.1.197)');
    expect(out).toContain('claude: RUN npm install -g @anthropic-ai/claude-code@2.1.197');
    expect(out.at(-2)).toMatch(/^claude: built issuesmith-claude-2-1-197 \(template tpl-issuesmith-claude-2-1-197, build [0-9a-f]+\)$/);
    expect((await run('check', 'claude')).code).toBe(0);
  });

  it('builds every agent when none is named, and goes on past a failed build, exiting non-zero', async () => {
    const amp = builtInProfiles.find((p) => p.name === 'amp')!;
    fake.failBuildsOf(amp.template);
    const { code, out } = await run('build');
    expect(code).toBe(1);
    expect(fake.record.builds.map((b) => b.name)).toEqual(expect.arrayContaining(builtInProfiles.map((p) => p.template)));
    expect(out.at(-1)).toMatch(/^Failed: amp \(.*failed.*\)\.$/);
    expect(fake.templates).toEqual(expect.arrayContaining(builtInProfiles.filter((p) => p !== amp).map((p) => p.template)));
    expect(fake.templates).not.toContain(amp.template);
  });

  it('needs E2B_API_KEY, knows only the built-in agents, and shows a definition without E2B', async () => {
    expect(await templatesCommand(['build'], () => undefined, {})).toBe(2);
    await expect(templatesCommand(['build', 'gpt-pilot'], () => undefined, {})).rejects.toThrow(/no agent called `gpt-pilot`/);
    const out: string[] = [];
    expect(await templatesCommand(['show', 'codex'], (l) => out.push(l), {})).toBe(0);
    expect(out[0]).toMatch(/^# issuesmith-codex-0-171-0\nFROM node:22-bookworm-slim\n/);
  });
});
