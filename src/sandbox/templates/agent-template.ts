import { Template, type TemplateBuilder } from 'e2b';
import { shellJoin, shellQuote } from '../../security/shell-quote.js';

/** An agent's CLI as a template installs it: an npm package at one exact version (the profile's `cli`). */
export interface TemplateCli {
  package: string;
  version: string;
}

/** What one agent's template needs beyond what every agent template has. */
export interface AgentTemplateSpec {
  /** The tag of the official Node image the template starts from (`22-bookworm-slim`). */
  nodeImage: string;
  /** The oldest Node the CLI runs on: the build fails on an image whose Node is older. */
  minNode: string;
  cli: TemplateCli;
  /** The command the package installs; `<bin> --version` proves it starts. */
  bin: string;
  /** Variables every process in the sandbox gets. */
  envs?: Record<string, string>;
  /** Files written to the user's home, by path relative to it, as their lines. */
  homeFiles?: Record<string, readonly string[]>;
}

/** The sandbox's user and home: the app works under /home/user (Sandbox.homeDir). */
export const TEMPLATE_USER = 'user';
export const TEMPLATE_HOME = '/home/user';

/** What every agent needs besides its CLI: git for the checkout, ripgrep for searching, ps, curl and CA certificates. */
export const SYSTEM_PACKAGES = ['git', 'ripgrep', 'ca-certificates', 'curl', 'procps', 'tar', 'gzip'];

// npm's own rules for a package name, and a version without anything a shell would read.
const PACKAGE = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+-]*$/;
const NODE_VERSION = /^\d+\.\d+\.\d+$/;

/**
 * One agent's template: the Node image, the system packages, a check that its Node is new enough, the
 * CLI at its pinned version installed globally, the agent's own settings in the home directory, and
 * the default user `user` in `/home/user`, where `<bin> --version` must answer.
 */
export function agentTemplate(spec: AgentTemplateSpec): TemplateBuilder {
  if (!PACKAGE.test(spec.cli.package) || !VERSION.test(spec.cli.version)) throw new Error(`not an npm package at a version: ${spec.cli.package}@${spec.cli.version}`);
  if (!NODE_VERSION.test(spec.minNode)) throw new Error(`not a Node version: ${spec.minNode}`);
  let t = Template()
    .fromNodeImage(spec.nodeImage)
    .aptInstall(SYSTEM_PACKAGES, { noInstallRecommends: true })
    .runCmd(nodeAtLeast(spec.minNode))
    .npmInstall(`${spec.cli.package}@${spec.cli.version}`, { g: true });
  if (spec.envs !== undefined && Object.keys(spec.envs).length > 0) t = t.setEnvs(spec.envs);
  t = t.setUser(TEMPLATE_USER).setWorkdir(TEMPLATE_HOME);
  for (const [path, lines] of Object.entries(spec.homeFiles ?? {})) t = t.runCmd(writeHomeFile(path, lines));
  return t.runCmd(shellJoin([spec.bin, '--version']));
}

/** A command that fails the build when the image's Node is older than `min`. */
function nodeAtLeast(min: string): string {
  const script = `const want="${min}".split(".").map(Number),have=process.versions.node.split(".").map(Number);for(let i=0;i<3;i++){if(have[i]>want[i])process.exit(0);if(have[i]<want[i]){console.error("Node "+process.versions.node+" is older than ${min}");process.exit(1)}}`;
  return shellJoin(['node', '-e', script]);
}

/** Writes one file under the home directory, as the sandbox's user, making its directory first: one line an argument, so the step stays one line. */
function writeHomeFile(path: string, lines: readonly string[]): string {
  if (lines.some((l) => l.includes('\n'))) throw new Error(`a home file's lines cannot hold a newline: ${path}`);
  if (path.startsWith('/') || path.split('/').includes('..')) throw new Error(`a home file's path must stay under the home directory: ${path}`);
  const full = `${TEMPLATE_HOME}/${path}`;
  const dir = full.slice(0, full.lastIndexOf('/'));
  return `mkdir -p ${shellQuote(dir)} && printf '%s\\n' ${shellJoin(lines)} > ${shellQuote(full)}`;
}
