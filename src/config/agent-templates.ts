import { builtInProfiles, ProfileRegistry } from '../agents/registry.js';
import type { ExpectedTemplate } from '../sandbox/template-check.js';
import type { Settings } from './settings.js';

/** The command that builds a built-in agent's shipped template into the operator's E2B team. */
export function buildCommand(agent: string): string {
  return `npm run templates -- build ${agent}`;
}

/** The built-in agents, each in the template the operator named for it (ISSUESMITH_TEMPLATES) or its shipped one. */
export function operatorProfiles(settings: Pick<Settings, 'agentTemplates'>): ProfileRegistry {
  return new ProfileRegistry(builtInProfiles.map((p) => (settings.agentTemplates[p.name] !== undefined ? { ...p, template: settings.agentTemplates[p.name] ?? p.template } : p)));
}

/**
 * The templates of the agents this app offers: the built-in ones whose key is set. A shipped template
 * comes with the command that builds it; one the operator named is theirs to build.
 */
export function expectedTemplates(profiles: ProfileRegistry, settings: Pick<Settings, 'agentTemplates' | 'env'>): ExpectedTemplate[] {
  return builtInProfiles.flatMap((builtIn): ExpectedTemplate[] => {
    const p = profiles.get(builtIn.name) ?? builtIn;
    if (!p.secrets.required.some((name) => (settings.env[name] ?? '') !== '')) return [];
    const own = settings.agentTemplates[p.name] !== undefined;
    return [{ agent: p.name, displayName: p.displayName, template: p.template, ...(own ? {} : { build: buildCommand(p.name) }) }];
  });
}
