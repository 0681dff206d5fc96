/**
 * The fake E2B (test/helpers/fake-e2b-server.ts) in a process of its own, for the footprint bench's
 * `BENCH_FOOTPRINT_SANDBOX=e2b`: the app then runs its jobs as in production, through the real E2B SDK,
 * and the agents' processes are E2B's, not the app's. Prints the variables that point the SDK at it
 * (one JSON line) and serves until stdin closes or it is signalled.
 *
 * Environment: FAKE_E2B_PATH (PATH inside the sandboxes, the fake agents first), FAKE_E2B_ROOT.
 */
import { FakeE2BServer } from '../test/helpers/fake-e2b-server.js';

const fake = await FakeE2BServer.start({
  ...(process.env.FAKE_E2B_PATH ? { path: process.env.FAKE_E2B_PATH } : {}),
  ...(process.env.FAKE_E2B_ROOT ? { root: process.env.FAKE_E2B_ROOT } : {}),
});
process.stdout.write(`${JSON.stringify(fake.env)}\n`);
const stop = (): void => {
  void fake.close().finally(() => process.exit(0));
};
process.stdin.on('end', stop).resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
