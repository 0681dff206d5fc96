import { run } from 'probot';
import issuesmith from './index.js';
import type { Runtime } from './runtime.js';

let runtime: Runtime | undefined;
let log: { error(obj: object, msg?: string): void } = { error: (obj, msg) => console.error(msg, obj) };
// Without APP_ID Probot serves its setup page, which registers the app from app.yml.
const server = await run((app, options) => {
  runtime = issuesmith(app, options);
  log = app.log;
});

// Containers stop with SIGTERM: stop listening and taking jobs, let running jobs finish within the
// grace period (ISSUESMITH_SHUTDOWN_GRACE_SECONDS), then interrupt them: their sandboxes are paused
// and, with Redis, the jobs go back to the queue for another worker.
const shutdown = (): void => {
  void (async () => {
    await server.stop().catch(() => undefined);
    await runtime?.shutdown().catch((err: unknown) => log.error({ err }, 'shutdown did not finish cleanly'));
    process.exit(0);
  })();
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
