import { run } from 'probot';
import issuesmith from './index.js';

// Without APP_ID Probot serves its setup page, which registers the app from app.yml.
await run((app, options) => {
  issuesmith(app, options);
});
