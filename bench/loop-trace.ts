// Loaded with `--import` into a process a benchmark starts when BENCH_LOOP_TRACE=<dir> is set: times
// the event loop with a 5 ms timer and splits every late turn, from the main thread's own
// /proc/thread-self/schedstat, into the time the thread ran on a CPU (the app's own work: what code can
// fix), the time it waited for a CPU (the machine's load) and the time it slept (blocked in the
// kernel: a lock, a page fault, disk). On a shared machine the delay alone cannot tell these apart.
// Turns later than 20 ms are written to <dir>/<pid>.loop as JSON lines, as they happen (`monoUs` is on
// the clock of V8's CPU profiles, to find what ran then in a BENCH_CPU_PROF profile).
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.BENCH_LOOP_TRACE;
if (dir !== undefined && dir !== '') {
  const file = join(dir, `${process.pid}.loop`);
  const INTERVAL_MS = 5;
  // schedstat: ns on a CPU, ns waiting on a run queue, time slices.
  const sched = (): [number, number] => {
    const [run = '0', wait = '0'] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    return [Number(run) / 1e6, Number(wait) / 1e6];
  };
  let last = performance.now();
  let [lastRun, lastWait] = sched();
  const tick = (): void => {
    const now = performance.now();
    const [run, wait] = sched();
    const lateMs = now - last - INTERVAL_MS;
    if (lateMs > 20) {
      const cpuMs = run - lastRun;
      const waitMs = wait - lastWait;
      const line = {
        at: Math.round(performance.timeOrigin + now),
        monoUs: Number(process.hrtime.bigint() / 1000n),
        lateMs: Math.round(lateMs),
        cpuMs: Math.round(cpuMs),
        runQueueMs: Math.round(waitMs),
        sleptMs: Math.round(Math.max(0, now - last - cpuMs - waitMs)),
      };
      appendFileSync(file, `${JSON.stringify(line)}\n`);
    }
    last = performance.now();
    [lastRun, lastWait] = sched();
    setTimeout(tick, INTERVAL_MS).unref();
  };
  setTimeout(tick, INTERVAL_MS).unref();
}
