import { claude } from '../src/agents/claude.js';
import { CLI_PINS, type CliPin } from '../src/agents/cli-pins.js';
import { codex } from '../src/agents/codex.js';
import { openclaw } from '../src/agents/openclaw.js';
import { opencode } from '../src/agents/opencode.js';
import type { AgentProfile } from '../src/agents/profile.js';
import type { Sandbox } from '../src/sandbox/provider.js';
import { ensureInstalled, ensureNode24 } from './install.js';

/**
 * How the conformance suite sets one agent up: what the sandbox template would hold (the CLI, its
 * runtime, its configuration pointing at the model's endpoint) and what the app's environment holds
 * (its key, and for Claude Code its base URL). The command line, the sandbox variables taken from the
 * app's environment, the output parser and the session files are the app's own profile's.
 */
export interface ConformanceAgent {
  profile: AgentProfile;
  pin: CliPin;
  /** The directories to put first on the sandbox's PATH, installing what is missing. */
  install(): Promise<string[]>;
  /** The app's environment: the key, and the endpoint where the profile takes one. */
  appEnv(baseUrl: string): Record<string, string>;
  /** Variables of the template that keep the CLI off the network: update checks, telemetry. */
  templateEnv: Record<string, string>;
  /** Writes the CLI's own configuration into the new sandbox, as its template would hold it. */
  configure(sandbox: Sandbox, baseUrl: string): Promise<void>;
  /** The key the app's environment holds, and the header in which it reaches the model. */
  key: string;
  keyHeader: 'x-api-key' | 'authorization';
  /** Whether the CLI reports a cost (Codex reports tokens only). */
  reportsCost: boolean;
  /** Names of the captured samples in test/fixtures/agent-samples. */
  samples: { success: string; auth: string; rateLimit: string };
}

export const KEYS = { anthropic: 'sk-ant-api03-conformance-key', openai: 'sk-proj-conformance-key' };

const claudeAgent: ConformanceAgent = {
  profile: claude,
  pin: CLI_PINS.claude,
  install: async () => [await ensureInstalled(CLI_PINS.claude, { bin: 'claude' })],
  appEnv: (baseUrl) => ({ ANTHROPIC_API_KEY: KEYS.anthropic, ANTHROPIC_BASE_URL: baseUrl }),
  templateEnv: {
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    // Two retries of a 429, as the real API is retried, without the default ten.
    CLAUDE_CODE_MAX_RETRIES: '2',
  },
  configure: async () => undefined,
  key: KEYS.anthropic,
  keyHeader: 'x-api-key',
  reportsCost: true,
  samples: { success: 'claude-stream-json-success.jsonl', auth: 'claude-stream-json-401.jsonl', rateLimit: 'claude-stream-json-429-with-retries.jsonl' },
};

const codexAgent: ConformanceAgent = {
  profile: codex,
  pin: CLI_PINS.codex,
  install: async () => [await ensureInstalled(CLI_PINS.codex, { bin: 'codex' })],
  appEnv: () => ({ CODEX_API_KEY: KEYS.openai }),
  templateEnv: {},
  // Codex reads no base URL from the environment: a provider in ~/.codex/config.toml names it. This
  // one takes the key from CODEX_API_KEY, as the built-in provider does, and skips the WebSocket
  // transport Codex tries first against OpenAI (the scripted server speaks HTTP only).
  configure: (sandbox, baseUrl) =>
    sandbox.writeFile(
      `${sandbox.homeDir}/.codex/config.toml`,
      [
        'model = "mock-model"',
        'model_provider = "conformance"',
        'check_for_update_on_startup = false',
        '',
        '[analytics]',
        'enabled = false',
        '',
        '[model_providers.conformance]',
        'name = "Scripted model"',
        `base_url = "${baseUrl}/v1"`,
        'env_key = "CODEX_API_KEY"',
        'wire_api = "responses"',
        'supports_websockets = false',
        'request_max_retries = 1',
        'stream_max_retries = 0',
        '',
      ].join('\n'),
    ),
  key: KEYS.openai,
  keyHeader: 'authorization',
  reportsCost: false,
  samples: { success: 'codex-exec-json-shell.jsonl', auth: 'codex-exec-json-401.jsonl', rateLimit: 'codex-exec-json-429.jsonl' },
};

const opencodeAgent: ConformanceAgent = {
  profile: opencode,
  pin: CLI_PINS.opencode,
  install: async () => [await ensureInstalled(CLI_PINS.opencode, { bin: 'opencode' })],
  appEnv: () => ({ OPENAI_API_KEY: KEYS.openai }),
  templateEnv: { OPENCODE_DISABLE_MODELS_FETCH: '1', OPENCODE_DISABLE_LSP_DOWNLOAD: '1', OPENCODE_DISABLE_SHARE: '1' },
  // An OpenAI-compatible provider (Chat Completions) whose key is the OPENAI_API_KEY the profile sends.
  configure: (sandbox, baseUrl) =>
    sandbox.writeFile(
      `${sandbox.homeDir}/.config/opencode/opencode.json`,
      `${JSON.stringify(
        {
          $schema: 'https://opencode.ai/config.json',
          autoupdate: false,
          share: 'disabled',
          model: 'conformance/mock-model',
          small_model: 'conformance/mock-model',
          provider: {
            conformance: {
              npm: '@ai-sdk/openai-compatible',
              name: 'Scripted model',
              options: { baseURL: `${baseUrl}/v1`, apiKey: '{env:OPENAI_API_KEY}' },
              models: { 'mock-model': { name: 'Mock model', cost: { input: 3, output: 15 } } },
            },
          },
        },
        null,
        2,
      )}\n`,
    ),
  key: KEYS.openai,
  keyHeader: 'authorization',
  reportsCost: true,
  samples: { success: 'opencode-run-json.jsonl', auth: 'opencode-run-json-401.jsonl', rateLimit: 'opencode-run-json-429.jsonl' },
};

const openclawAgent: ConformanceAgent = {
  profile: openclaw,
  pin: CLI_PINS.openclaw,
  install: async () => {
    const node = await ensureNode24();
    return [await ensureInstalled(CLI_PINS.openclaw, { bin: 'openclaw', pathPrefix: [node] }), node];
  },
  appEnv: () => ({ ANTHROPIC_API_KEY: KEYS.anthropic }),
  templateEnv: { OPENCLAW_NO_AUTO_UPDATE: '1' },
  // A provider speaking Anthropic Messages with the ANTHROPIC_API_KEY the profile sends. Without
  // skipBootstrap, OpenClaw seeds AGENTS.md, SOUL.md, IDENTITY.md and USER.md into its workspace,
  // which is the checkout: they would end up in the pull request.
  configure: (sandbox, baseUrl) =>
    sandbox.writeFile(
      `${sandbox.homeDir}/.openclaw/openclaw.json`,
      `${JSON.stringify(
        {
          update: { checkOnStart: false },
          models: {
            providers: {
              conformance: {
                baseUrl,
                apiKey: '${ANTHROPIC_API_KEY}',
                api: 'anthropic-messages',
                models: [
                  {
                    id: 'mock-model',
                    name: 'Mock model',
                    reasoning: false,
                    input: ['text'],
                    cost: { input: 3, output: 15, cacheRead: 0, cacheWrite: 0 },
                    contextWindow: 200000,
                    maxTokens: 8192,
                  },
                ],
              },
            },
          },
          agents: { defaults: { model: { primary: 'conformance/mock-model' }, skipBootstrap: true } },
        },
        null,
        2,
      )}\n`,
    ),
  key: KEYS.anthropic,
  keyHeader: 'x-api-key',
  reportsCost: true,
  samples: { success: 'openclaw-agent-local.json', auth: 'openclaw-agent-local-401.json', rateLimit: 'openclaw-agent-local-429.json' },
};

/** Every agent that runs offline. Amp is not here: its CLI talks only to Amp's own service. */
export const CONFORMANCE_AGENTS: readonly ConformanceAgent[] = [claudeAgent, codexAgent, opencodeAgent, openclawAgent];
