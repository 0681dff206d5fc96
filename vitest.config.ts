import { defineConfig } from 'vitest/config';

// Files that stub environment variables or fake timers keep a module graph of their own; the rest
// share one per worker (`isolate: false`): importing the app (Probot, Octokit, the E2B SDK) again for
// every file was about half of the suite's CPU time.
const ISOLATED = [
  'test/sandbox/templates/build-templates.test.ts',
  'test/sandbox/registry.test.ts',
  'test/sandbox/e2b.test.ts',
  'test/jobs/reporter.test.ts',
  'test/jobs/pipeline-agents.test.ts',
  'test/github/app-octokit.test.ts',
];

export default defineConfig({
  test: {
    // The machines are small and shared: two workers at most.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    unstubEnvs: true,
    projects: [
      { extends: true, test: { name: 'isolated', include: ISOLATED, isolate: true } },
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: ISOLATED, isolate: false } },
    ],
  },
});
