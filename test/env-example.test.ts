import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { builtInProfiles } from '../src/agents/registry.js';
import { sandboxProviders } from '../src/sandbox/registry.js';

const ROOT = join(import.meta.dirname, '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** The variables .env.example documents: `NAME=` or `# NAME=` at the start of a line. */
function documented(): Set<string> {
  return new Set([...read('.env.example').matchAll(/^(?:# ?)?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] ?? ''));
}

/** The variables the compose file passes to each service, after YAML merges (`<<: *common-env`). */
function composeVariables(): Map<string, string[]> {
  const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as { services: Record<string, { environment?: Record<string, unknown> | string[] }> };
  const byService = new Map<string, string[]>();
  for (const [name, service] of Object.entries(compose.services)) {
    const env = service.environment ?? {};
    byService.set(name, Array.isArray(env) ? env.map((e) => e.split('=')[0] ?? '') : Object.keys(env));
  }
  return byService;
}

/** The keys of the zod object `schema` in src/config/settings.ts: every app setting read from the environment. */
function settingsSchemaKeys(): string[] {
  const file = join(ROOT, 'src', 'config', 'settings.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const keys: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.name.getText(source) === 'schema' && node.initializer !== undefined && ts.isCallExpression(node.initializer)) {
      const [shape] = node.initializer.arguments;
      if (shape !== undefined && ts.isObjectLiteralExpression(shape)) for (const p of shape.properties) if (p.name !== undefined) keys.push(p.name.getText(source));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return keys;
}

/** Every `env.NAME` / `env['NAME']` the app's source reads (PATH and HOME are the system's). */
function readInSource(): string[] {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  const names = files(join(ROOT, 'src')).flatMap((f) =>
    [...readFileSync(f, 'utf8').matchAll(/\benv(?:\?)?(?:\.([A-Z][A-Z0-9_]+)|\[['"]([A-Z][A-Z0-9_]+)['"]\])/g)].map((m) => m[1] ?? m[2] ?? ''),
  );
  return [...new Set(names)].filter((n) => !['PATH', 'HOME'].includes(n));
}

describe('.env.example, docker-compose.yml and the variables the app reads agree', () => {
  it('documents every variable docker-compose.yml passes, in every service', () => {
    const known = documented();
    const services = composeVariables();
    expect([...services.keys()].sort()).toEqual(['redis', 'web', 'worker']);
    for (const [service, vars] of services) {
      expect(
        vars.filter((v) => !known.has(v)),
        `${service} passes variables .env.example does not name`,
      ).toEqual([]);
    }
  });

  it('runs one web and two worker processes on Redis, from the Dockerfile', () => {
    const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as {
      services: Record<string, { build?: string; environment?: Record<string, string>; deploy?: { replicas?: number } }>;
    };
    const { web, worker } = compose.services;
    expect(web?.build).toBe('.');
    expect(worker?.build).toBe('.');
    expect(web?.environment).toMatchObject({ ISSUESMITH_ROLE: 'web', REDIS_URL: 'redis://redis:6379' });
    expect(worker?.environment).toMatchObject({ ISSUESMITH_ROLE: 'worker', REDIS_URL: 'redis://redis:6379' });
    expect(worker?.deploy?.replicas).toBe(2);
  });

  it("documents every app setting, every sandbox provider's variable and every agent's key", () => {
    const known = documented();
    const schema = settingsSchemaKeys();
    // The AST walk found the schema: a renamed schema must not make this test pass with nothing to check.
    expect(schema).toContain('ISSUESMITH_CONCURRENCY');
    const sandbox = sandboxProviders.entries.flatMap((e) => [...(e.selectedBy !== undefined ? [e.selectedBy] : []), ...(e.secrets ?? [])]);
    const agents = builtInProfiles.flatMap((p) => [...p.secrets.required, ...p.secrets.optional]);
    const wanted = [...new Set([...schema, ...sandbox, ...agents, ...readInSource()])];
    expect(wanted.filter((v) => !known.has(v))).toEqual([]);
  });

  it('names each variable once', () => {
    const lines = [...read('.env.example').matchAll(/^(?:# ?)?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect(lines.filter((v, i) => lines.indexOf(v) !== i)).toEqual([]);
  });
});
