/**
 * The fake E2B (test/helpers/fake-e2b-server.ts) in a process of its own, for the footprint bench's
 * `BENCH_FOOTPRINT_SANDBOX=e2b`: the app then runs its jobs as in production, through the real E2B SDK,
 * and the agents' processes are E2B's, not the app's. Tells its parent the variables that point the SDK
 * at it over the IPC channel, and stops on `stop` or when the parent goes away.
 *
 * Environment: FAKE_E2B_PATH (PATH inside the sandboxes, the fake agents first), FAKE_E2B_ROOT.
 */
import { FakeE2BServer } from '../test/helpers/fake-e2b-server.js';

const fake = await FakeE2BServer.start({
  ...(process.env.FAKE_E2B_PATH ? { path: process.env.FAKE_E2B_PATH } : {}),
  ...(process.env.FAKE_E2B_ROOT ? { root: process.env.FAKE_E2B_ROOT } : {}),
});
const stop = (): void => {
  void fake.close().finally(() => process.exit(0));
};
process.on('message', (m) => {
  if (m === 'stop') stop();
});
process.on('disconnect', stop);
process.send?.({ env: fake.env });
