import { run } from 'probot';
import issuesmith from './index.js';
import type { Runtime } from './runtime.js';

let runtime: Runtime | undefined;
// Without APP_ID Probot serves its setup page, which registers the app from app.yml.
const server = await run((app, options) => {
  runtime = issuesmith(app, options);
});

// Containers stop with SIGTERM: stop listening, let running jobs finish (their sandboxes are killed in finally).
process.once('SIGTERM', () => {
  void (async () => {
    await server.stop().catch(() => undefined);
    await runtime?.close();
    process.exit(0);
  })();
});
