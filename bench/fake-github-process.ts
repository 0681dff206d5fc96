/**
 * The fake GitHub (test/helpers/fake-github.ts) in a process of its own, for the footprint bench's
 * `BENCH_FOOTPRINT_SANDBOX=e2b`, with the repository the bench's jobs work on. Tells its parent its
 * host over the IPC channel, answers `calls` with the REST calls it received (method, path, time),
 * and stops on `stop` or when the parent goes away.
 */
import { FakeGitHub } from '../test/helpers/fake-github.js';

const github = await new FakeGitHub().start();
github.git.createRepo('Codertocat', 'Hello-World', { 'README.md': '# Hello\n' });
const stop = (): void => {
  void github.stop().finally(() => process.exit(0));
};
process.on('message', (m) => {
  if (m === 'calls') process.send?.({ calls: github.calls.map(({ method, path, at }) => ({ method, path, at })) });
  if (m === 'stop') stop();
});
process.on('disconnect', stop);
process.send?.({ host: github.host });
