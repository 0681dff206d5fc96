/** Probot's default webhook secret, public in its source: a signature made with it proves nothing. */
export const PROBOT_DEFAULT_SECRET = 'development';

/**
 * Why the app must not start as a GitHub App with this environment, or undefined when it may. Without
 * `WEBHOOK_SECRET`, Probot checks signatures with its public default, so anyone could forge a delivery.
 * Without `APP_ID` Probot serves its setup page, which registers the app and writes a secret: allowed.
 */
export function webhookSecretProblem(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if ((env.APP_ID ?? '').trim() === '') return undefined;
  const secret = env.WEBHOOK_SECRET ?? '';
  if (secret.trim() === '') return 'WEBHOOK_SECRET is not set: set it to the webhook secret of the GitHub App (without it anyone could forge webhooks)';
  if (secret === PROBOT_DEFAULT_SECRET) return `WEBHOOK_SECRET is Probot's public default "${PROBOT_DEFAULT_SECRET}": set it to the GitHub App's own webhook secret`;
  return undefined;
}
