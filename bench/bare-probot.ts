// The baseline of the webhooks benchmark: a bare Probot app with an empty handler, started as the app
// is (Probot's `run`, the same environment), so the difference in answer times is the app's own.
import { run } from 'probot';

await run((app) => {
  app.on('issue_comment.created', async () => undefined);
});
