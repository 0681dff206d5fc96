import { z } from 'zod';
import { agentProblems, builtInAgent, type ConfigProblem, type RepoConfigContext } from './agent-checks.js';
import { agentSchema } from './agent-settings.js';
import { branchPrefix, budgetFields, login, minutes, relativePath } from './config-fields.js';
import { describeIssue, where, type ConfigSource } from './describe-issue.js';

export type { ConfigSource } from './describe-issue.js';
export type { RepoConfigContext } from './agent-checks.js';

/** Where a repository's settings live, on its default branch. */
export const REPO_CONFIG_PATH = '.github/issuesmith.yml';

/** Options a person may put in the command (`/agent codex model=gpt-5.5 base=release-2 ...`). */
export const REQUEST_OPTIONS = ['model', 'base'] as const;
export type RequestOption = (typeof REQUEST_OPTIONS)[number];

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
    _extends: z.string().describe("Another repository's settings to start from: `repo`, `owner/repo` or `owner/repo:path.yml`.").optional(),
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
          .describe("Labels `<prefix>` and `<prefix>:<agent>` start work. Default: the app's (agent).")
          .optional(),
        command: z
          .string()
          .regex(/^\/[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/, { error: 'a slash and a word, like /agent' })
          .describe("The comment command. Default: the app's (/agent).")
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
        max_concurrent_jobs: z.number().int().positive().max(64).describe("Jobs running at once in this repository. Default: no limit but the app's.").optional(),
        max_changed_files: z.number().int().positive().describe('A change touching more files is refused, nothing pushed. Default: no limit.').optional(),
        max_patch_bytes: z.number().int().positive().describe('A change whose patch is larger is refused, nothing pushed. Default: no limit.').optional(),
      })
      .optional(),
    budget: budgetFields.optional(),
    follow_ups: z
      .strictObject({
        on_changes_requested: z
          .boolean()
          .describe(
            "A review that requests changes, by someone who may start work, on a pull request the app opened, continues the agent's session with the review and its line comments, without `/agent`. Default: false.",
          )
          .optional(),
      })
      .optional(),
    ci: z
      .strictObject({
        auto_fix: z
          .boolean()
          .describe("When every check suite on the head of the app's own pull request has completed and one failed, start a `fix ci` turn by itself. Default: false.")
          .optional(),
        max_attempts: z.number().int().min(1).max(10).describe('Automatic `fix ci` turns per pull request at most; then one comment says so. Default: 2.').optional(),
      })
      .optional(),
    allow_workflow_changes: z.boolean().describe('Allow changes under .github/workflows/ (the app then needs the `workflows` permission). Default: false.').optional(),
    allow_submodule_changes: z.boolean().describe('Allow changes that add, move or update submodules. Default: false.').optional(),
    allow_external_symlinks: z.boolean().describe('Allow symbolic links that point outside the repository. Default: false.').optional(),
  })
  .describe('issuesmith settings for one repository: .github/issuesmith.yml');

export type RepoConfigFile = z.infer<typeof repoConfigSchema>;

export type ParsedRepoConfig = { ok: true; config: RepoConfigFile; warnings: string[] } | { ok: false; problems: string[]; warnings: string[] };

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

function withoutKeys(input: unknown, issues: ReadonlyArray<{ path: PropertyKey[]; keys: string[] }>): unknown {
  const copy = structuredClone(input) as Record<string, unknown>;
  for (const i of issues) {
    let cur: unknown = copy;
    for (const key of i.path) cur = (cur as Record<string, unknown>)[String(key)];
    for (const key of i.keys) delete (cur as Record<string, unknown>)[key];
  }
  return copy;
}

function semanticProblems(config: RepoConfigFile, ctx: RepoConfigContext): ConfigProblem[] {
  const problems = agentProblems(config.agents ?? {}, ctx);
  if (config.default_agent !== undefined) {
    const name = config.default_agent.toLowerCase();
    if (builtInAgent(name, ctx) === undefined && config.agents?.[name] === undefined) {
      const names = [...ctx.builtIns.map((p) => p.name), ...Object.keys(config.agents ?? {}).filter((n) => builtInAgent(n, ctx) === undefined)];
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
