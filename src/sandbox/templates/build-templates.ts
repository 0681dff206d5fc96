import { E2B, type LogEntry } from 'e2b';
import { e2bClientOptions, messageOf, type E2BConnectionOptions } from '../e2b-client.js';
import type { TemplateCli } from './agent-template.js';
import { agentTemplates, TEMPLATE_RESOURCES } from './registry.js';

/** One agent's template to build: its definition's name in `agentTemplates`, the name to build it under, its pin. */
export interface TemplateTarget {
  agent: string;
  name: string;
  cli: TemplateCli;
}

export interface TemplateBuildResult {
  agent: string;
  name: string;
  /** E2B's ids for the build, when it succeeded. */
  templateId?: string;
  buildId?: string;
  error?: string;
}

export interface TemplateBuildOptions {
  connection?: E2BConnectionOptions;
  /** One line of progress for the operator (the build's own log, prefixed with the agent). */
  write(line: string): void;
  /** Ignore E2B's layer cache and build every step again. */
  skipCache?: boolean;
  signal?: AbortSignal;
}

/**
 * Builds agents' templates into the E2B team of the connection's key with the SDK's build API, one
 * after another, streaming each build's log. A failed build is reported and the next one still runs.
 */
export async function buildAgentTemplates(targets: readonly TemplateTarget[], o: TemplateBuildOptions): Promise<TemplateBuildResult[]> {
  const client = new E2B(e2bClientOptions(o.connection));
  const results: TemplateBuildResult[] = [];
  for (const t of targets) {
    const define = agentTemplates[t.agent];
    if (define === undefined) {
      results.push({ agent: t.agent, name: t.name, error: `no template definition for ${t.agent}` });
      continue;
    }
    o.write(`${t.agent}: building ${t.name} (${t.cli.package}@${t.cli.version})`);
    try {
      const info = await client.Template.build(define(t.cli), t.name, {
        ...TEMPLATE_RESOURCES,
        ...(o.skipCache === true ? { skipCache: true } : {}),
        ...(o.signal !== undefined ? { signal: o.signal } : {}),
        onBuildLogs: (entry: LogEntry) => o.write(`${t.agent}: ${entry.level === 'info' ? '' : `${entry.level}: `}${entry.message}`),
      });
      o.write(`${t.agent}: built ${t.name} (template ${info.templateId}, build ${info.buildId})`);
      results.push({ agent: t.agent, name: t.name, templateId: info.templateId, buildId: info.buildId });
    } catch (err) {
      o.write(`${t.agent}: the build of ${t.name} failed: ${messageOf(err)}`);
      results.push({ agent: t.agent, name: t.name, error: messageOf(err) });
    }
  }
  return results;
}

/** Whether each template exists in the team (the SDK's `Template.exists`), by name. */
export async function templatesExist(names: readonly string[], connection?: E2BConnectionOptions): Promise<Map<string, boolean>> {
  const client = new E2B(e2bClientOptions(connection));
  const out = new Map<string, boolean>();
  for (const name of names) out.set(name, await client.Template.exists(name));
  return out;
}
