// Loaded with `--import` into a process a benchmark starts when BENCH_CPU_PROF=<dir> is set: profiles
// the whole process and writes a V8 CPU profile to <dir> on SIGUSR2, so that a process which is then
// killed (its jobs still running) leaves one too, which `--cpu-prof` does only on a clean exit.
import { Session } from 'node:inspector/promises';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.BENCH_CPU_PROF;
if (dir !== undefined && dir !== '') {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  process.on('SIGUSR2', () => {
    void session.post('Profiler.stop').then(({ profile }) => {
      // Written aside and renamed: the bench waits for the file to appear, then may kill this process.
      const file = join(dir, `${process.pid}.cpuprofile`);
      writeFileSync(`${file}.part`, JSON.stringify(profile));
      renameSync(`${file}.part`, file);
    });
  });
}
