// Benchmarks, run by `npm run bench` (never by `npm test`). Each reports a ratio against a baseline
// measured in the same run on the same machine, since absolute times on shared machines mean little.
// `BENCH=job` or `BENCH=queue` runs one of them.
import { jobBench } from './job.js';
import { queueBench } from './queue.js';

const only = process.env.BENCH;
let failed = false;

if (only === undefined || only === 'job') {
  const r = await jobBench();
  console.log(`${r.name}: ${r.subjectMs.toFixed(0)} ms (median of ${r.runs}) vs baseline ${r.baselineMs.toFixed(0)} ms: ratio ${(r.subjectMs / r.baselineMs).toFixed(2)}`);
  console.log(`  subject:  ${r.subject}`);
  console.log(`  baseline: ${r.baseline}`);
  console.log(`  Probot's throttle on; from the webhook: pull request ${r.toPullRequestMs.toFixed(0)} ms, final status ${r.toFinalStatusMs.toFixed(0)} ms (medians)`);
  console.log(`  GitHub REST writes per job (token minting and revocation not counted): ${r.writes}`);
  for (const w of r.writeList) console.log(`    ${w}`);
}

if (only === undefined || only === 'queue') {
  const q = await queueBench();
  console.log(`two workers and one web process on one Redis: ${q.jobs} jobs over ${q.issues} issues in ${q.seconds.toFixed(1)} s`);
  console.log(`  enqueued ${q.enqueued}, redeliveries refused ${q.refused}, run ${q.run}, duplicates ${q.duplicates}, lost ${q.lost}`);
  console.log(`  mean job run on the live workers: ${q.meanJobSeconds.toFixed(2)} s; GitHub write requests per job: ${q.writesPerJob.toFixed(1)}`);
  console.log(`  the killed worker's job completed on another worker: ${q.killedJobCompleted ? 'yes' : 'no'}`);
  if (q.duplicates > 0 || q.lost > 0 || !q.killedJobCompleted || q.enqueued !== q.jobs) failed = true;
}

process.exitCode = failed ? 1 : 0;
