import { defineConfig } from 'vitest/config';

// `npm run test:agents`: the real agent CLIs against a scripted model on loopback (test-agents/).
// Not part of `npm test`: it installs the pinned CLIs (hundreds of MB) and runs for minutes.
export default defineConfig({
  test: {
    include: ['test-agents/**/*.test.ts'],
    // One agent at a time: each CLI takes most of a small machine while it starts.
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 20 * 60_000,
    hookTimeout: 20 * 60_000,
  },
});
