import { describe, expect, it } from 'vitest';
import { builtInProfiles, ProfileRegistry } from '../../src/agents/registry.js';
import { UserError } from '../../src/errors.js';

describe('the profile registry', () => {
  it('knows the five agents of the seeds', () => {
    expect(new ProfileRegistry().names()).toEqual(['claude', 'codex', 'amp', 'opencode', 'openclaw']);
  });

  it.each([
    ['claude-code', 'claude'],
    ['Claude', 'claude'],
    ['openai', 'codex'],
    ['CODEX', 'codex'],
    ['ampcode', 'amp'],
    ['open-code', 'opencode'],
    ['open-claw', 'openclaw'],
    ['clawdbot', 'openclaw'],
  ])('finds %s as %s', (typed, name) => {
    expect(new ProfileRegistry().get(typed)?.name).toBe(name);
    expect(new ProfileRegistry().require(typed).name).toBe(name);
  });

  it('answers an unknown name with the names there are', () => {
    const registry = new ProfileRegistry();
    expect(registry.get('gpt-pilot')).toBeUndefined();
    expect(() => registry.require('gpt-pilot')).toThrow(new UserError('There is no agent called `gpt-pilot`. Available agents: `claude`, `codex`, `amp`, `opencode`, `openclaw`.'));
    expect(() => registry.require('a`b')).toThrow(/no agent called `a'b`/);
  });

  it('gives no two profiles the same name or alias, and each a pinned CLI, a template named after its version and an instructions file', () => {
    const keys = builtInProfiles.flatMap((p) => [p.name, ...p.aliases].map((k) => k.toLowerCase()));
    expect(new Set(keys).size).toBe(keys.length);
    for (const p of builtInProfiles) {
      expect(p.template).toBe(`issuesmith-${p.name}-${p.cli?.version.replace(/[^a-z0-9]+/gi, '-')}`);
      expect(p.instructionsFile).toBe(p.name === 'claude' ? 'CLAUDE.md' : 'AGENTS.md');
      expect(p.secrets.required.length).toBeGreaterThan(0);
    }
  });
});
