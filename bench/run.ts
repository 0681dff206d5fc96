// Benchmarks, run by `npm run bench` (never by `npm test`). Each reports a ratio against a baseline
// measured in the same run on the same machine, since absolute times on shared machines mean little.
// `BENCH=job`, `BENCH=queue` or `BENCH=webhooks` runs one of them.
import { jobBench } from './job.js';
import { queueBench } from './queue.js';
import { webhooksBench, type Latencies } from './webhooks.js';

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

if (only === undefined || only === 'webhooks') {
  const w = await webhooksBench();
  const ms = (l: Latencies): string => `p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(1)} ms (${l.ok}/${l.sent} answered 2xx)`;
  console.log(`signed issue_comment.created deliveries, ${w.rate} a second for ${w.seconds} s each, on loopback:`);
  for (const kind of ['plain', 'agent'] as const) {
    const ratio = w.app[kind].p99 / w.bare[kind].p99;
    console.log(`  ${kind === 'plain' ? 'plain comments' : '/agent commands'}: p99 ratio ${ratio.toFixed(2)} (goal <= 1.2)`);
    console.log(`    app:          ${ms(w.app[kind])}`);
    console.log(`    bare Probot:  ${ms(w.bare[kind])}`);
    if (w.app[kind].ok !== w.app[kind].sent) failed = true;
  }
  console.log(`  GitHub API calls made for a delivery before its answer: ${w.callsBeforeAnswer} (must be 0)`);
  console.log(`  GitHub API calls in the background while /agent deliveries came: ${w.backgroundCalls}; jobs waiting at the end: ${w.waitingAtEnd}`);
  for (const [kind, n] of Object.entries(w.backgroundKinds)) console.log(`    ${n} × ${kind}`);
  if (w.callsBeforeAnswer > 0) failed = true;
}

process.exitCode = failed ? 1 : 0;
