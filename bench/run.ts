// Benchmarks, run by `npm run bench` (never by `npm test`). Each reports a ratio against a baseline
// measured in the same run on the same machine, since absolute times on shared machines mean little.
import { jobBench } from './job.js';

const results = [await jobBench()];
for (const r of results) {
  console.log(`${r.name}: ${r.subjectMs.toFixed(0)} ms (median of ${r.runs}) vs baseline ${r.baselineMs.toFixed(0)} ms: ratio ${(r.subjectMs / r.baselineMs).toFixed(2)}`);
  console.log(`  subject:  ${r.subject}`);
  console.log(`  baseline: ${r.baseline}`);
}
