// The agents' E2B templates: `npm run templates -- build [agent…]` builds the shipped definitions
// (src/sandbox/templates) into the E2B team of E2B_API_KEY, each under the name its profile expects;
// `check [agent…]` says which exist; `show [agent…]` prints them as Dockerfiles (no E2B needed).
import { pathToFileURL } from 'node:url';
import { Template } from 'e2b';
import { builtInProfiles, ProfileRegistry } from '../src/agents/registry.js';
import type { AgentProfile } from '../src/agents/profile.js';
import { buildAgentTemplates, templatesExist, type TemplateTarget } from '../src/sandbox/templates/build-templates.js';
import { agentTemplates } from '../src/sandbox/templates/registry.js';

const USAGE = `usage: npm run templates -- <build|check|show> [--skip-cache] [agent…]
  build   build the agents' templates into the E2B team of E2B_API_KEY (all agents when none is named)
  check   say which of them exist in that team
  show    print each definition as a Dockerfile`;

/** The built-in agents named on the command line (by name or alias), or all of them. */
export function targetsOf(names: readonly string[]): TemplateTarget[] {
  const registry = new ProfileRegistry();
  const profiles: AgentProfile[] = names.length === 0 ? [...builtInProfiles] : names.map((n) => registry.require(n));
  return [...new Set(profiles)].map((p) => {
    if (p.cli === undefined) throw new Error(`${p.name} has no pinned CLI`);
    return { agent: p.name, name: p.template, cli: p.cli };
  });
}

/** Runs one command; returns the process's exit code. */
export async function templatesCommand(argv: readonly string[], write: (line: string) => void, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const [command, ...rest] = argv;
  const skipCache = rest.includes('--skip-cache');
  const targets = targetsOf(rest.filter((a) => !a.startsWith('--')));
  if (command === 'show') {
    for (const t of targets) write(`# ${t.name}\n${Template.toDockerfile(agentTemplates[t.agent]!(t.cli))}`);
    return 0;
  }
  if (command !== 'build' && command !== 'check') {
    write(USAGE);
    return 2;
  }
  if ((env.E2B_API_KEY ?? '') === '') {
    write('E2B_API_KEY is not set: the templates are built into the E2B team of that key.');
    return 2;
  }
  if ((env.ISSUESMITH_TEMPLATES ?? '') !== '') write(`Note: ISSUESMITH_TEMPLATES (${env.ISSUESMITH_TEMPLATES}) points the app at other templates for those agents.`);
  if (command === 'check') {
    const exist = await templatesExist(targets.map((t) => t.name));
    for (const t of targets) write(`${t.agent}: ${t.name} ${exist.get(t.name) === true ? 'exists' : `is missing (npm run templates -- build ${t.agent})`}`);
    return [...exist.values()].every(Boolean) ? 0 : 1;
  }
  const results = await buildAgentTemplates(targets, { write, skipCache });
  const failed = results.filter((r) => r.error !== undefined);
  write(failed.length === 0 ? `Built ${results.map((r) => r.name).join(', ')}.` : `Failed: ${failed.map((r) => `${r.agent} (${r.error ?? ''})`).join('; ')}.`);
  return failed.length === 0 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  templatesCommand(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
