import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ProfileRegistry } from '../../src/agents/registry.js';
import { configContext } from '../../src/jobs/prepare-job.js';
import { parseRepoConfig, repoConfigJsonSchemaText, type RepoConfigContext } from '../../src/config/repo-config.js';
import { repoSettings } from '../../src/config/repo-settings.js';
import { settingsFromEnv } from '../../src/config/settings.js';

const ROOT = join(import.meta.dirname, '..', '..');
// What the worker checks files with: the built-in agents, their keys and the operator's list.
const ctx: RepoConfigContext = configContext({
  settings: settingsFromEnv({ ISSUESMITH_CUSTOM_AGENT_SECRETS: 'MISTRAL_API_KEY, WEBHOOK_SECRET' }),
  profiles: new ProfileRegistry(),
});

function problems(yaml: string): string[] {
  const r = parseRepoConfig(parseYaml(yaml), ctx);
  if (r.ok) throw new Error('expected problems');
  return r.problems;
}

/** The yaml example of the README's settings section, as it is printed there. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Repository settings'));
  const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const example = blocks.find((b) => b.includes('default_agent'));
  if (example === undefined) throw new Error('no example in the README');
  return example;
}

describe('the .github/issuesmith.yml schema', () => {
  it("accepts the README's example, every setting of it", () => {
    const r = parseRepoConfig(parseYaml(readmeExample()), ctx);
    expect(r).toMatchObject({ ok: true, warnings: [] });
    if (!r.ok) return;
    const repo = repoSettings(r.config, settingsFromEnv({}));
    expect(repo).toMatchObject({
      defaultAgent: 'codex',
      permission: 'maintain',
      allowedUsers: ['octocat', 'hubot'],
      labelPrefix: 'ai',
      command: '/ai',
      pullRequest: { draft: false, branchPrefix: 'bot/', labels: ['agent-made'], reviewers: ['octocat'], teamReviewers: ['maintainers'] },
      setup: [
        { run: 'npm ci', timeoutMs: 600_000 },
        { run: 'npm run build', timeoutMs: 300_000 },
      ],
      instructionsFile: 'docs/agents.md',
      limits: { maxConcurrentJobs: 2, maxChangedFiles: 40, maxPatchBytes: 500_000 },
      allowWorkflowChanges: false,
    });
    expect([...repo.allowedOptions]).toEqual(['model', 'base']);
  });

  it('takes a missing or empty file as the defaults', () => {
    const r = parseRepoConfig(undefined, ctx);
    expect(r.ok && repoSettings(r.config, settingsFromEnv({ ISSUESMITH_DRAFT_PR: 'false' }))).toMatchObject({
      defaultAgent: 'claude',
      permission: 'write',
      labelPrefix: 'agent',
      command: '/agent',
      allowWorkflowChanges: false,
      pullRequest: { draft: false, branchPrefix: 'issuesmith/' },
    });
  });

  it('names a value of the wrong type with its path and what it got', () => {
    expect(problems('agents:\n  codex:\n    timeout_minutes: ten\n')).toEqual(['agents.codex.timeout_minutes: expected a number, got "ten"']);
  });

  it('lists every problem at once', () => {
    const found = problems(
      'permission: owner\nlimits:\n  max_changed_files: 0\npull_request:\n  draft: maybe\n  branch_prefix: "bad..prefix"\nsetup:\n  - run: npm ci\n    timeout_minutes: -1\n  - 42\n',
    );
    expect(found).toEqual([
      'permission: expected one of "write", "maintain", "admin", got "owner"',
      'pull_request.draft: expected true or false, got "maybe"',
      'pull_request.branch_prefix: expected a valid start of a git branch name (no `..`, `//`, `/.` or `.lock`), got "bad..prefix"',
      'setup.0.timeout_minutes: must be more than 0, got -1',
      'setup.1: expected a command, or { run: <command>, timeout_minutes: <number> }, got 42',
      'limits.max_changed_files: must be more than 0, got 0',
    ]);
  });

  it('refuses a bad agent name, an unknown output and an unknown placeholder', () => {
    expect(problems('agents:\n  My_Agent:\n    command: x\n    output: text\n')).toEqual([expect.stringMatching(/^agents\.My_Agent: the name is not valid/)]);
    expect(problems('agents:\n  mine:\n    command: run {prompt}\n    output: yaml\n')).toEqual([
      'agents.mine.output: expected one of "text", "claude-stream-json", "codex-json", "opencode-json", "openclaw-json", got "yaml"',
    ]);
    expect(problems('agents:\n  mine:\n    command: run {prompt} {session}\n    output: text\n')).toEqual([
      'agents.mine.command: unknown placeholder {prompt}: use {workdir}, {prompt_file}, {model}.',
      'agents.mine.command: unknown placeholder {session}: use {workdir}, {prompt_file}, {model}.',
    ]);
  });

  it('requires a command and an output of a custom agent, and refuses them on a built-in one', () => {
    expect(problems('agents:\n  mine:\n    model: x\n')).toEqual([
      expect.stringMatching(/^agents\.mine\.command: is required/),
      expect.stringMatching(/^agents\.mine\.output: is required/),
    ]);
    expect(problems('agents:\n  codex:\n    command: evil\n')).toEqual([expect.stringMatching(/^agents\.codex\.command: `codex` is a built-in agent \(Codex\)/)]);
    expect(problems('agents:\n  amp:\n    model: x\n')).toEqual(['agents.amp.model: Amp takes no model setting.']);
  });

  it("never lets a custom agent ask for the app's own secrets or variables the operator did not offer", () => {
    expect(
      problems('agents:\n  mine:\n    command: x\n    output: text\n    secrets: [PRIVATE_KEY, WEBHOOK_SECRET, E2B_API_KEY, AWS_SECRET_ACCESS_KEY, MISTRAL_API_KEY]\n'),
    ).toEqual([
      "agents.mine.secrets.0: `PRIVATE_KEY` is one of the app's own secrets or settings and is never given to an agent.",
      "agents.mine.secrets.1: `WEBHOOK_SECRET` is one of the app's own secrets or settings and is never given to an agent.",
      "agents.mine.secrets.2: `E2B_API_KEY` is one of the app's own secrets or settings and is never given to an agent.",
      expect.stringMatching(/^agents\.mine\.secrets\.3: `AWS_SECRET_ACCESS_KEY` is not offered to custom agents by this app/),
    ]);
  });

  it('refuses secrets in env: agent keys, secret-looking names, token-shaped values', () => {
    const found = problems(`agents:\n  codex:\n    env:\n      CODEX_API_KEY: x\n      GH_TOKEN: y\n      HARMLESS: ghp_${'a'.repeat(36)}\n      NODE_ENV: test\n`);
    expect(found).toEqual([
      expect.stringMatching(/^agents\.codex\.env\.CODEX_API_KEY: is the app's to set/),
      expect.stringMatching(/^agents\.codex\.env\.GH_TOKEN: looks like a secret/),
      expect.stringMatching(/^agents\.codex\.env\.HARMLESS: the value looks like an access token/),
    ]);
    expect(found.join('\n')).not.toContain('ghp_');
  });

  it("never lets env point an agent's key at another host", () => {
    const found = problems(
      'agents:\n  opencode:\n    env:\n      ANTHROPIC_BASE_URL: https://evil.example\n      GOOGLE_GEMINI_BASE_URL: https://evil.example\n      OPENAI_API_HOST: evil.example\n      DATABASE_URL: postgres://localhost/test\n',
    );
    expect(found).toEqual([
      expect.stringMatching(/^agents\.opencode\.env\.ANTHROPIC_BASE_URL: is the app's to set/),
      expect.stringMatching(/^agents\.opencode\.env\.GOOGLE_GEMINI_BASE_URL: is the app's to set/),
      expect.stringMatching(/^agents\.opencode\.env\.OPENAI_API_HOST: is the app's to set/),
    ]);
    expect(problems('agents:\n  claude:\n    model: --dangerously-do-things\n')).toEqual([expect.stringMatching(/^agents\.claude\.model: expected a model name/)]);
  });

  it('refuses a default agent that does not exist, and accepts a custom one', () => {
    expect(problems('default_agent: gpt9\n')).toEqual([expect.stringMatching(/^default_agent: there is no agent called `gpt9`: use one of `claude`, `codex`/)]);
    expect(parseRepoConfig(parseYaml('default_agent: mine\nagents:\n  mine:\n    command: m\n    output: text\n'), ctx).ok).toBe(true);
  });

  it('warns about unknown keys, at any depth, and keeps the rest', () => {
    const r = parseRepoConfig(parseYaml('colour: blue\npermission: admin\nagents:\n  codex:\n    modle: x\npull_request:\n  draft: true\n  assignees: [a]\n'), ctx);
    expect(r).toMatchObject({
      ok: true,
      warnings: ['agents.codex.modle: unknown setting, ignored', 'pull_request.assignees: unknown setting, ignored', 'colour: unknown setting, ignored'],
    });
    expect(r.ok && r.config).toEqual({ permission: 'admin', agents: { codex: {} }, pull_request: { draft: true } });
  });

  it('says which file a problem is in when several were merged', () => {
    const sources = [
      { label: 'o/r:.github/issuesmith.yml', config: { permission: 'admin' } },
      { label: 'o/.github:.github/issuesmith.yml', config: { limits: { max_patch_bytes: 'big' } } },
    ];
    const r = parseRepoConfig({ permission: 'admin', limits: { max_patch_bytes: 'big' } }, ctx, sources);
    expect(r).toMatchObject({ ok: false, problems: ['limits.max_patch_bytes (in o/.github:.github/issuesmith.yml): expected a number, got "big"'] });
  });

  it('is in sync with schema/issuesmith.schema.json (run `npm run schema` after changing it)', () => {
    expect(readFileSync(join(ROOT, 'schema', 'issuesmith.schema.json'), 'utf8')).toBe(repoConfigJsonSchemaText());
  });

  it('gives editors a schema that knows every top-level setting and refuses unknown ones', () => {
    const schema = JSON.parse(repoConfigJsonSchemaText()) as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(Object.keys(schema.properties).sort()).toEqual(
      [
        '_extends',
        'agents',
        'allow_external_symlinks',
        'allow_submodule_changes',
        'allow_workflow_changes',
        'allowed_users',
        'budget',
        'ci',
        'follow_ups',
        'default_agent',
        'instructions',
        'instructions_file',
        'limits',
        'options',
        'permission',
        'pull_request',
        'setup',
        'trigger',
      ].sort(),
    );
    expect(schema.additionalProperties).toBe(false);
  });
});
