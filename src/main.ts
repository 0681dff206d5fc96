import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { run } from 'probot';
import { webhookSecretProblem } from './config/webhook-secret.js';
import { appOctokit } from './github/app-octokit.js';
import issuesmith from './index.js';
import { logWritten } from './log-written.js';
import { rootWebhookHandler } from './root-webhook-handler.js';
import type { Runtime } from './runtime.js';

// Refused before anything listens: a GitHub App without its own webhook secret accepts forged deliveries.
// Probot lays .env over the real environment when it starts, so the check reads both the same way.
const problem = webhookSecretProblem({ ...process.env, ...dotEnv() });
if (problem !== undefined) {
  process.stderr.write(`issuesmith cannot start: ${problem}\n`);
  process.exit(1);
}

let runtime: Runtime | undefined;
let log: { error(obj: object, msg?: string): void } = { error: (obj, msg) => console.error(msg, obj) };
// Without APP_ID Probot serves its setup page, which registers the app from app.yml.
// Every GitHub client waits out rate limits, secondary ones included, before a write gives up.
// An app registered from that page sends its deliveries to `<base>/`: they are served there too.
const server = await run(
  async (app, options) => {
    runtime = issuesmith(app, options);
    log = app.log;
    options.addHandler(await rootWebhookHandler(app));
  },
  { Octokit: appOctokit() },
);

// Containers stop with SIGTERM: stop listening and taking jobs, let running jobs finish within the
// grace period (ISSUESMITH_SHUTDOWN_GRACE_SECONDS), then interrupt them: their sandboxes are paused
// and, with Redis, the jobs go back to the queue for another worker.
const shutdown = (): void => {
  void (async () => {
    await server.stop().catch(() => undefined);
    await runtime?.shutdown().catch((err: unknown) => log.error({ err }, 'shutdown did not finish cleanly'));
    await logWritten(log);
    process.exit(0);
  })();
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

function dotEnv(): Record<string, string> {
  try {
    return parseEnv(readFileSync(join(process.cwd(), '.env'), 'utf8')) as Record<string, string>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
}
