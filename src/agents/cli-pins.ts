/**
 * The npm package and version of each built-in agent's CLI: the one version the app's profile (its
 * command line, environment and output parser) is proven against by `npm run test:agents`, and the
 * one the sandbox templates install. Change a pin here, then run the conformance suite.
 */
export interface CliPin {
  /** The npm package that publishes the CLI. */
  package: string;
  version: string;
  /** The Node.js versions the CLI's package declares it runs on (its `engines.node`; `*` when it declares none). */
  node: string;
}

export const CLI_PINS = {
  // 2.1.197 is the last release that runs on Node 20, which the development machines have;
  // 2.1.198 and later declare Node >=22.
  claude: { package: '@anthropic-ai/claude-code', version: '2.1.197', node: '>=18.0.0' },
  codex: { package: '@openai/codex', version: '0.171.0', node: '>=16' },
  opencode: { package: 'opencode-ai', version: '1.18.33', node: '*' },
  openclaw: { package: 'openclaw', version: '2026.9.6', node: '>=24.16.0 <25 || >=26.1.0' },
  // Amp talks only to Amp's own service: this pin is not run by the conformance suite.
  amp: { package: '@sourcegraph/amp', version: '0.0.1790142911-g7618fb', node: '*' },
} as const satisfies Record<string, CliPin>;

export type PinnedAgent = keyof typeof CLI_PINS;
