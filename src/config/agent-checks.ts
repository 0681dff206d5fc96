import { AGENT_OUTPUTS } from '../agents/output-formats.js';
import { sandboxProviders } from '../sandbox/registry.js';
import { Redactor } from '../security/redact.js';
import { COMMAND_PLACEHOLDERS, RESUME_PLACEHOLDERS, type AgentSettings } from './agent-settings.js';
import { APP_SECRET_NAMES } from './settings.js';

/** What the app knows when it checks a file: its built-in agents and the variables custom agents may ask for. */
export interface RepoConfigContext {
  builtIns: ReadonlyArray<{ name: string; aliases: string[]; displayName: string; secrets: { required: string[]; optional: string[] }; takesModel?: boolean }>;
  /** Variables a custom agent may forward (the built-in agents' keys and ISSUESMITH_CUSTOM_AGENT_SECRETS). */
  customAgentSecrets: ReadonlySet<string>;
  /** Further variables `env` may not set: those that point an agent's key at another host (keyless sandboxes' base URLs). */
  protectedEnv?: ReadonlySet<string>;
}

/** A problem the schema cannot see, at its path in the settings. */
export interface ConfigProblem {
  path: PropertyKey[];
  message: string;
}

type BuiltIn = RepoConfigContext['builtIns'][number];

const CUSTOM_ONLY = ['command', 'resume_command', 'output', 'secrets', 'instructions_file'] as const;
const SECRET_LOOKING = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|AUTH/i;
// An agent vendor's endpoint: with it a repository could send the operator's key to a host of its choosing.
const VENDOR_ENDPOINT = /^(ANTHROPIC|OPENAI|CODEX|AMP|GEMINI|GOOGLE|OPENCODE|OPENCLAW|CLAUDE)_\w*(URL|URI|HOST|ENDPOINT|BASE)$/i;
const APP_OWN_PREFIXES = ['ISSUESMITH_', 'GITHUB_', 'GHE_', ...sandboxProviders.envPrefixes(), 'WEBHOOK_', 'PRIVATE_KEY', 'REDIS_', 'APP_ID'];

/** Whether a variable is one of the app's own (its key, webhook secret, sandbox key, queue URL, settings). */
export function isAppOwnVariable(name: string): boolean {
  const upper = name.toUpperCase();
  return APP_SECRET_NAMES.includes(upper) || APP_OWN_PREFIXES.some((p) => upper.startsWith(p));
}

/** The built-in agent a name or alias means, if any. */
export function builtInAgent(name: string, ctx: RepoConfigContext): BuiltIn | undefined {
  return ctx.builtIns.find((p) => p.name === name || p.aliases.includes(name));
}

/** What the schema cannot say about `agents:`: built-in agents vs custom ones, placeholders, secret names. */
export function agentProblems(agents: Record<string, AgentSettings>, ctx: RepoConfigContext): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const profileSecrets = new Set(ctx.builtIns.flatMap((p) => [...p.secrets.required, ...p.secrets.optional]));
  const leaky = new Redactor();
  for (const [name, agent] of Object.entries(agents)) {
    const at = (...rest: PropertyKey[]): PropertyKey[] => ['agents', name, ...rest];
    const known = builtInAgent(name, ctx);
    if (known !== undefined) {
      for (const key of CUSTOM_ONLY) {
        if (agent[key] !== undefined) {
          problems.push({
            path: at(key),
            message: `\`${name}\` is a built-in agent (${known.displayName}): only model, template, timeout_minutes and env can be set for it. Give a custom agent a name of its own.`,
          });
        }
      }
      if (agent.model !== undefined && known.takesModel === false) problems.push({ path: at('model'), message: `${known.displayName} takes no model setting.` });
    } else {
      problems.push(...customAgentProblems(name, agent, ctx, at));
    }
    for (const [key, value] of Object.entries(agent.env ?? {})) {
      if (profileSecrets.has(key) || ctx.protectedEnv?.has(key) || VENDOR_ENDPOINT.test(key)) {
        problems.push({ path: at('env', key), message: "is the app's to set: it is an agent's key or points an agent's key at another host." });
      } else if (isAppOwnVariable(key) || SECRET_LOOKING.test(key)) {
        problems.push({ path: at('env', key), message: "looks like a secret: `env` is for non-secret values (the app forwards agents' keys itself)." });
      } else if (leaky.matches(value)) {
        problems.push({ path: at('env', key), message: 'the value looks like an access token: `env` is for non-secret values.' });
      }
    }
  }
  return problems;
}

function customAgentProblems(name: string, agent: AgentSettings, ctx: RepoConfigContext, at: (...rest: PropertyKey[]) => PropertyKey[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (agent.command === undefined) problems.push({ path: at('command'), message: `is required: \`${name}\` is not a built-in agent, so it needs a command (and an output).` });
  if (agent.output === undefined) problems.push({ path: at('output'), message: `is required for a custom agent: one of ${AGENT_OUTPUTS.map((o) => `\`${o}\``).join(', ')}.` });
  for (const [key, allowed] of [
    ['command', COMMAND_PLACEHOLDERS],
    ['resume_command', RESUME_PLACEHOLDERS],
  ] as const) {
    const template = agent[key];
    if (template === undefined) continue;
    for (const m of template.matchAll(/\{([a-z_]+)\}/g)) {
      if (!(allowed as readonly string[]).includes(m[1] ?? '')) {
        problems.push({ path: at(key), message: `unknown placeholder {${m[1]}}: use ${allowed.map((p) => `{${p}}`).join(', ')}.` });
      }
    }
  }
  for (const [i, secret] of (agent.secrets ?? []).entries()) {
    if (isAppOwnVariable(secret)) problems.push({ path: at('secrets', i), message: `\`${secret}\` is one of the app's own secrets or settings and is never given to an agent.` });
    else if (!ctx.customAgentSecrets.has(secret)) {
      problems.push({
        path: at('secrets', i),
        message: `\`${secret}\` is not offered to custom agents by this app: its operator lists the variables they may use in ISSUESMITH_CUSTOM_AGENT_SECRETS.`,
      });
    }
  }
  return problems;
}
