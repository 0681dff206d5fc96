import type { ProfileRegistry } from '../agents/registry.js';
import { Redactor } from '../security/redact.js';
import { APP_SECRET_NAMES, type Settings } from './settings.js';

/**
 * A redactor holding every secret of the app's environment: the base of every job's redactor, and the
 * one for every text the app posts or logs outside a job.
 */
export function appRedactor(settings: Settings, profiles: ProfileRegistry): Redactor {
  // Endpoint overrides (the profiles' optional variables) are not secret: a patch may well name them.
  // Custom agents (.github/issuesmith.yml) may be given the operator's ISSUESMITH_CUSTOM_AGENT_SECRETS.
  const names = new Set([...APP_SECRET_NAMES, ...settings.customAgentSecrets, ...profiles.all().flatMap((p) => [...p.secrets.required])]);
  return new Redactor([...names].map((n) => settings.env[n]));
}
