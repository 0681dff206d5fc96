import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretLintCoreConfig } from '@secretlint/types';

// secretlint's recommended preset: AWS (key ids too), GCP, private keys, GitHub, GitLab, Slack, npm,
// OpenAI, Anthropic, Hugging Face, SendGrid, Shopify, database URLs with passwords, basic auth in URLs...
const CONFIG: SecretLintCoreConfig = {
  rules: [{ id: recommended.meta.id, rule: recommended, rules: [{ id: '@secretlint/secretlint-rule-aws', options: { enableIDScanRule: true } }] }],
};

export interface SecretShape {
  /** The rule that matched, e.g. `@secretlint/secretlint-rule-aws`. */
  rule: string;
  /** The matched text: never shown, only compared. */
  text: string;
}

/**
 * The secrets a maintained rule set finds in a text. The text's own `secretlint-disable` comments do
 * not count: the agent writes the text, and could otherwise switch the scan off.
 */
export async function secretShapes(text: string): Promise<SecretShape[]> {
  const content = text.replace(/secretlint-disable/gi, (m) => 'x'.repeat(m.length));
  const result = await lintSource({
    source: { filePath: 'change', content, ext: '', contentType: 'text' },
    options: { config: CONFIG, noPhysicFilePath: true },
  });
  return result.messages.map((m) => ({ rule: m.ruleId, text: content.slice(m.range[0], m.range[1]) }));
}
