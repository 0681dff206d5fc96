/**
 * The fake GitHub (test/helpers/fake-github.ts) in a process of its own, for the footprint and webhooks
 * benches, with the repository the bench's jobs work on. Tells its parent its host over the IPC
 * channel, answers `calls` with the REST calls it received (method, path, time since its own start)
 * and `callsWithBodies` with their bodies too and their times on the wall clock (milliseconds since
 * the epoch, as `performance.timeOrigin + performance.now()` reads it in any process), and stops on
 * `stop` or when the parent goes away.
 */
import { FakeGitHub } from '../test/helpers/fake-github.js';

const github = await new FakeGitHub().start();
github.git.createRepo('Codertocat', 'Hello-World', { 'README.md': '# Hello\n' });
const stop = (): void => {
  void github.stop().finally(() => process.exit(0));
};
process.on('message', (m) => {
  if (m === 'calls') process.send?.({ calls: github.calls.map(({ method, path, at }) => ({ method, path, at })) });
  if (m === 'callsWithBodies') process.send?.({ callsWithBodies: github.calls.map((c) => ({ ...c, at: performance.timeOrigin + c.at })) });
  if (m === 'stop') stop();
});
process.on('disconnect', stop);
process.send?.({ host: github.host });
