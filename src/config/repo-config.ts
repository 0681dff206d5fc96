import { z } from 'zod';
import { AGENT_OUTPUTS } from '../agents/output-formats.js';
import { sandboxProviders } from '../sandbox/registry.js';
import { Redactor } from '../security/redact.js';
import { APP_SECRET_NAMES } from './settings.js';

/** Where a repository's settings live, on its default branch. */
export const REPO_CONFIG_PATH = '.github/issuesmith.yml';

/** Options a person may put in the command (`/agent codex model=gpt-5.5 base=release-2 ...`). */
export const REQUEST_OPTIONS = ['model', 'base'] as const;
export type RequestOption = (typeof REQUEST_OPTIONS)[number];

/** Placeholders a custom agent's command may use; the app quotes every value it puts in. */
export const COMMAND_PLACEHOLDERS = ['workdir', 'prompt_file', 'model'] as const;
export const RESUME_PLACEHOLDERS = ['workdir', 'prompt_file', 'model', 'session'] as const;

const MAX_MINUTES = 24 * 60;
const minutes = z.number({ error: 'a number of minutes' }).positive().max(MAX_MINUTES);
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'a variable name: letters, digits and _, not starting with a digit' });
const login = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/, { error: 'a GitHub login' });
const relativePath = z
  .string()
  .min(1)
  .max(255)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && !/[\0\n\r]/.test(p) && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'), {
    error: 'a relative path inside the repository, without `..`, like `docs/agents.md`',
  });
const branchPrefix = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, { error: 'letters, digits, `.`, `_`, `-` and `/`, starting with a letter or digit' })
  .refine((p) => !p.includes('..') && !p.includes('//') && !p.includes('/.') && !p.includes('.lock/') && !p.endsWith('.lock'), {
    error: 'a valid start of a git branch name (no `..`, `//`, `/.` or `.lock`)',
  });

const agentSchema = z
  .strictObject({
    model: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^\s-]\S*$/, { error: 'a model name: no spaces, not starting with a dash' })
      .describe('Model the agent uses unless a request names another (`model=`).').optional(),
    template: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/, { error: 'a sandbox template name or id' })
      .describe('The sandbox template the agent runs in. Default: the agent\'s own (`claude`, `codex`, ...).')
      .optional(),
    timeout_minutes: minutes.describe("Hard limit on one run of the agent, at most the app's own limit (ISSUESMITH_JOB_TIMEOUT_MINUTES).").optional(),
    env: z.record(envName, z.string().max(4096)).describe('Non-secret variables set in the sandbox for this agent.').optional(),
    command: z
      .string()
      .min(1)
      .max(2000)
      .describe('Custom agents only: the command, run in the checkout with the prompt on stdin. Placeholders {workdir}, {prompt_file}, {model} are quoted by the app.')
      .optional(),
    resume_command: z.string().min(1).max(2000).describe('Custom agents only: the command that continues a session; also takes {session}.').optional(),
    output: z.enum(AGENT_OUTPUTS).describe('Custom agents only: the format the command prints on stdout.').optional(),
    secrets: z
      .array(envName)
      .max(20)
      .describe("Custom agents only: variables forwarded from the app's environment (only those its operator offers in ISSUESMITH_CUSTOM_AGENT_SECRETS or the built-in agents' keys).")
      .optional(),
    instructions_file: relativePath.describe('Custom agents only: the file the agent reads for context (like AGENTS.md). Default: AGENTS.md.').optional(),
  })
  .describe('A built-in agent (claude, codex, amp, opencode, openclaw) to adjust, or a custom agent to define.');

const setupStep = z.union(
  [
    z.string().min(1).max(2000),
    z.strictObject({
      run: z.string().min(1).max(2000).describe('The command, run with bash in the checkout.'),
      timeout_minutes: minutes.describe('Time limit of this command. Default: 10.').optional(),
    }),
  ],
  { error: 'a command, or { run: <command>, timeout_minutes: <number> }' },
);

/** The whole file. Unknown keys are reported as warnings, not errors (see parseRepoConfig). */
export const repoConfigSchema = z
  .strictObject({
    _extends: z.string().describe('Another repository\'s settings to start from: `repo`, `owner/repo` or `owner/repo:path.yml`.').optional(),
    default_agent: z.string().min(1).max(40).describe("Agent for the bare label and for `/agent <text>`. Default: the app's ISSUESMITH_DEFAULT_AGENT (claude).").optional(),
    agents: z
      .record(z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, { error: 'an agent name: lowercase letters, digits and -' }), agentSchema)
      .describe('Per-agent settings, and custom agents.')
      .optional(),
    trigger: z
      .strictObject({
        label_prefix: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/, { error: 'a label name without spaces or colons' })
          .describe('Labels `<prefix>` and `<prefix>:<agent>` start work. Default: the app\'s (agent).')
          .optional(),
        command: z
          .string()
          .regex(/^\/[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/, { error: 'a slash and a word, like /agent' })
          .describe('The comment command. Default: the app\'s (/agent).')
          .optional(),
      })
      .optional(),
    permission: z.enum(['write', 'maintain', 'admin']).describe("Least role that may start work. Default: the app's (write).").optional(),
    allowed_users: z.array(login).max(500).describe('When set, only these people may start work (they still need `permission`).').optional(),
    options: z
      .strictObject({
        allow: z.array(z.enum(REQUEST_OPTIONS)).describe('Options people may put in a command. Default: [model, base].').optional(),
      })
      .optional(),
    pull_request: z
      .strictObject({
        draft: z.boolean().describe("Open pull requests as drafts. Default: the app's (true). Partial work is always a draft.").optional(),
        branch_prefix: branchPrefix.describe('Start of the branch name, followed by `<number>-<slug>`. Default: issuesmith/.').optional(),
        labels: z.array(z.string().min(1).max(50)).max(20).describe('Labels put on the pull request.').optional(),
        reviewers: z
          .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9._-]+)?$/, { error: 'a login, or org/team' }))
          .max(20)
          .describe('Reviewers asked for: logins, or `org/team` for a team.')
          .optional(),
      })
      .optional(),
    setup: z.array(setupStep).max(20).describe('Commands run in the checkout before the agent, in order (e.g. npm ci). A failure stops the job and is reported.').optional(),
    instructions: z.string().max(20_000).describe('Text added to every prompt.').optional(),
    instructions_file: relativePath
      .describe("A file of this repository the agent should read: copied to the agent's own file (CLAUDE.md, AGENTS.md) when the repository has none.")
      .optional(),
    limits: z
      .strictObject({
        max_concurrent_jobs: z.number().int().positive().max(64).describe('Jobs running at once in this repository. Default: no limit but the app\'s.').optional(),
        max_changed_files: z.number().int().positive().describe('A change touching more files is refused, nothing pushed. Default: no limit.').optional(),
        max_patch_bytes: z.number().int().positive().describe('A change whose patch is larger is refused, nothing pushed. Default: no limit.').optional(),
      })
      .optional(),
    allow_workflow_changes: z
      .boolean()
      .describe('Allow changes under .github/workflows/ (the app then needs the `workflows` permission). Default: false.')
      .optional(),
    allow_submodule_changes: z.boolean().describe('Allow changes that add, move or update submodules. Default: false.').optional(),
    allow_external_symlinks: z.boolean().describe('Allow symbolic links that point outside the repository. Default: false.').optional(),
  })
  .describe('issuesmith settings for one repository: .github/issuesmith.yml');

export type RepoConfigFile = z.infer<typeof repoConfigSchema>;
export type AgentSettings = z.infer<typeof agentSchema>;

/** What the app knows when it checks a file: its built-in agents and the variables custom agents may ask for. */
export interface RepoConfigContext {
  builtIns: ReadonlyArray<{ name: string; aliases: string[]; displayName: string; secrets: { required: string[]; optional: string[] }; takesModel?: boolean }>;
  /** Variables a custom agent may forward (the built-in agents' keys and ISSUESMITH_CUSTOM_AGENT_SECRETS). */
  customAgentSecrets: ReadonlySet<string>;
  /** Further variables `env` may not set: those that point an agent's key at another host (keyless sandboxes' base URLs). */
  protectedEnv?: ReadonlySet<string>;
}

export type ParsedRepoConfig = { ok: true; config: RepoConfigFile; warnings: string[] } | { ok: false; problems: string[]; warnings: string[] };

/** Where each part of the merged settings came from, for messages: the first file holding a path wins. */
export interface ConfigSource {
  label: string;
  config: Record<string, unknown> | null;
}

/**
 * Checks the merged settings: the schema first, then what the schema cannot say (built-in agents vs
 * custom ones, secret names). Unknown keys are warnings and are dropped; every other problem is
 * returned with its path and a hint, all at once.
 */
export function parseRepoConfig(raw: unknown, ctx: RepoConfigContext, sources: readonly ConfigSource[] = []): ParsedRepoConfig {
  const input: unknown = raw ?? {};
  const warnings: string[] = [];
  const first = repoConfigSchema.safeParse(input, { reportInput: true });
  let result = first;
  if (!first.success) {
    const unknown = first.error.issues.filter((i) => i.code === 'unrecognized_keys');
    const others = first.error.issues.filter((i) => i.code !== 'unrecognized_keys');
    for (const i of unknown) for (const key of i.keys) warnings.push(`${where([...i.path, key], sources)}: unknown setting, ignored`);
    if (others.length > 0) return { ok: false, problems: others.flatMap((i) => describeIssue(i, [], sources)), warnings };
    result = repoConfigSchema.safeParse(withoutKeys(input, unknown), { reportInput: true });
    if (!result.success) return { ok: false, problems: result.error.issues.flatMap((i) => describeIssue(i, [], sources)), warnings };
  }
  const config = result.data as RepoConfigFile;
  const problems = semanticProblems(config, ctx).map((p) => `${where(p.path, sources)}: ${p.message}`);
  return problems.length > 0 ? { ok: false, problems, warnings } : { ok: true, config, warnings };
}

type Issue = z.core.$ZodIssue;

function describeIssue(issue: Issue, prefix: PropertyKey[], sources: readonly ConfigSource[]): string[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union') {
    // Report the alternative whose shape matched the value (an object with a bad field), when there is one.
    const matched = issue.errors.find((branch) => branch.length > 0 && !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
    if (matched) return matched.flatMap((i) => describeIssue(i, path, sources));
    return [`${where(path, sources)}: expected ${issue.message}, got ${shown((issue as { input?: unknown }).input)}`];
  }
  if (issue.code === 'invalid_key') return issue.issues.map((i) => `${where(path, sources)}: the name is not valid: expected ${i.message}`);
  return [`${where(path, sources)}: ${hint(issue)}`];
}

function hint(issue: Issue): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `is required (${article(issue.expected)})`;
      return `expected ${article(issue.expected)}, got ${shown(input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${shown(input)}`;
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} entries`;
      return `must be more than ${issue.inclusive ? 'or equal to ' : ''}${String(issue.minimum)}, got ${shown(input)}`;
    case 'too_big':
      if (issue.origin === 'string') return `is too long (at most ${String(issue.maximum)} characters)`;
      if (issue.origin === 'array') return `has too many entries (at most ${String(issue.maximum)})`;
      return `must be at most ${String(issue.maximum)}, got ${shown(input)}`;
    case 'invalid_format':
    case 'custom':
      return `expected ${issue.message}, got ${shown(input)}`;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  const names: Record<string, string> = { number: 'a number', string: 'text', boolean: 'true or false', array: 'a list', object: 'a mapping (key: value)', int: 'a whole number' };
  return names[expected] ?? expected;
}

function shown(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `agents.codex.timeout_minutes`, and the file it came from when several were merged. */
function where(path: readonly PropertyKey[], sources: readonly ConfigSource[]): string {
  const dotted = path.length === 0 ? '(top level)' : path.map(String).join('.');
  if (sources.filter((s) => s.config !== null).length < 2) return dotted;
  const source = sources.find((s) => has(s.config, path));
  return source ? `${dotted} (in ${source.label})` : dotted;
}

function has(obj: unknown, path: readonly PropertyKey[]): boolean {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || !(String(key) in cur)) return false;
    cur = (cur as Record<string, unknown>)[String(key)];
  }
  return true;
}

function withoutKeys(input: unknown, issues: ReadonlyArray<{ path: PropertyKey[]; keys: string[] }>): unknown {
  const copy = structuredClone(input) as Record<string, unknown>;
  for (const i of issues) {
    let cur: unknown = copy;
    for (const key of i.path) cur = (cur as Record<string, unknown>)[String(key)];
    for (const key of i.keys) delete (cur as Record<string, unknown>)[key];
  }
  return copy;
}

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

function semanticProblems(config: RepoConfigFile, ctx: RepoConfigContext): Array<{ path: PropertyKey[]; message: string }> {
  const problems: Array<{ path: PropertyKey[]; message: string }> = [];
  const builtIn = (name: string) => ctx.builtIns.find((p) => p.name === name || p.aliases.includes(name));
  const profileSecrets = new Set(ctx.builtIns.flatMap((p) => [...p.secrets.required, ...p.secrets.optional]));
  const leaky = new Redactor();
  for (const [name, agent] of Object.entries(config.agents ?? {})) {
    const at = (...rest: PropertyKey[]): PropertyKey[] => ['agents', name, ...rest];
    const known = builtIn(name);
    if (known !== undefined) {
      for (const key of CUSTOM_ONLY) {
        if (agent[key] !== undefined) {
          problems.push({ path: at(key), message: `\`${name}\` is a built-in agent (${known.displayName}): only model, template, timeout_minutes and env can be set for it. Give a custom agent a name of its own.` });
        }
      }
      if (agent.model !== undefined && known.takesModel === false) problems.push({ path: at('model'), message: `${known.displayName} takes no model setting.` });
    } else {
      if (agent.command === undefined) problems.push({ path: at('command'), message: `is required: \`${name}\` is not a built-in agent, so it needs a command (and an output).` });
      if (agent.output === undefined) problems.push({ path: at('output'), message: `is required for a custom agent: one of ${AGENT_OUTPUTS.map((o) => `\`${o}\``).join(', ')}.` });
      for (const [key, allowed] of [['command', COMMAND_PLACEHOLDERS], ['resume_command', RESUME_PLACEHOLDERS]] as const) {
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
          problems.push({ path: at('secrets', i), message: `\`${secret}\` is not offered to custom agents by this app: its operator lists the variables they may use in ISSUESMITH_CUSTOM_AGENT_SECRETS.` });
        }
      }
    }
    for (const [key, value] of Object.entries(agent.env ?? {})) {
      if (profileSecrets.has(key) || ctx.protectedEnv?.has(key) || VENDOR_ENDPOINT.test(key)) {
        problems.push({ path: at('env', key), message: "is the app's to set: it is an agent's key or points an agent's key at another host." });
      } else if (isAppOwnVariable(key) || SECRET_LOOKING.test(key)) {
        problems.push({ path: at('env', key), message: 'looks like a secret: `env` is for non-secret values (the app forwards agents\' keys itself).' });
      } else if (leaky.matches(value)) {
        problems.push({ path: at('env', key), message: 'the value looks like an access token: `env` is for non-secret values.' });
      }
    }
  }
  if (config.default_agent !== undefined) {
    const name = config.default_agent.toLowerCase();
    if (builtIn(name) === undefined && config.agents?.[name] === undefined) {
      const names = [...ctx.builtIns.map((p) => p.name), ...Object.keys(config.agents ?? {}).filter((n) => builtIn(n) === undefined)];
      problems.push({ path: ['default_agent'], message: `there is no agent called \`${config.default_agent}\`: use one of ${names.map((n) => `\`${n}\``).join(', ')}.` });
    }
  }
  return problems;
}

/** The JSON Schema of the file, for editors (`# yaml-language-server: $schema=...`); `npm run schema` writes it. */
export function repoConfigJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(repoConfigSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...generated, $id: 'https://github.com/issuesmith/issuesmith/blob/main/schema/issuesmith.schema.json', title: 'issuesmith repository settings' };
}

export function repoConfigJsonSchemaText(): string {
  return `${JSON.stringify(repoConfigJsonSchema(), null, 2)}\n`;
}
