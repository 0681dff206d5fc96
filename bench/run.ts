// Benchmarks, run by `npm run bench` (never by `npm test`). Each reports a ratio against a baseline
// measured in the same run on the same machine, since absolute times on shared machines mean little.
// `BENCH=job`, `BENCH=queue`, `BENCH=webhooks`, `BENCH=footprint`, `BENCH=phases` or `BENCH=commit-path` runs one of them.
import { commitPathBench } from './commit-path.js';
import { footprintBench } from './footprint.js';
import { jobBench } from './job.js';
import { phasesBench } from './phases.js';
import { queueBench } from './queue.js';
import { handlerCost } from './handler-cost.js';
import { webhooksBench, type Latencies } from './webhooks.js';

const only = process.env.BENCH;
let failed = false;

if (only === undefined || only === 'job') {
  const r = await jobBench();
  console.log(`${r.name}: ${r.subjectMs.toFixed(0)} ms (median of ${r.runs}) vs baseline ${r.baselineMs.toFixed(0)} ms: ratio ${(r.subjectMs / r.baselineMs).toFixed(2)}`);
  console.log(`  subject:  ${r.subject}`);
  console.log(`  baseline: ${r.baseline}`);
  console.log(
    `  Probot's throttle on; from the webhook: pull request ${r.toPullRequestMs.toFixed(0)} ms, final status ${r.toFinalStatusMs.toFixed(0)} ms, last write ${r.toLastWriteMs.toFixed(0)} ms (medians)`,
  );
  const over = (ms: number): string => `${(ms - r.baselineMs).toFixed(0)} ms`;
  console.log(
    `  beyond the baseline's ${r.baselineMs.toFixed(0)} ms: to the pull request ${over(r.toPullRequestMs)}, to the final status ${over(r.toFinalStatusMs)}, to the last write ${over(r.toLastWriteMs)}`,
  );
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
    const cpu = w.cpuMsPerDelivery;
    console.log(`    CPU per delivery: app ${cpu.app[kind].toFixed(2)} ms, bare Probot ${cpu.bare[kind].toFixed(2)} ms: ratio ${(cpu.app[kind] / cpu.bare[kind]).toFixed(2)}`);
    if (w.app[kind].ok !== w.app[kind].sent) failed = true;
  }
  console.log(`  GitHub API calls made for a delivery before its answer: ${w.callsBeforeAnswer} (must be 0)`);
  console.log(`  GitHub API calls in the background while /agent deliveries came: ${w.backgroundCalls}; jobs waiting at the end: ${w.waitingAtEnd}`);
  for (const [kind, n] of Object.entries(w.backgroundKinds)) console.log(`    ${n} × ${kind}`);
  const h = await handlerCost();
  console.log(
    `  in one process, a plain comment through probot.receive (no HTTP, no signature), median of 5 rounds of 4000: app ${h.appUs.toFixed(0)} µs, empty handler ${h.bareUs.toFixed(0)} µs of CPU: ratio ${(h.appUs / h.bareUs).toFixed(2)}`,
  );
  const down = w.shutdown;
  console.log(
    `  SIGTERM with those ${w.waitingAtEnd} jobs waiting (no Redis: lost, their issues told): ${down.killed ? 'killed after 10 s' : `exited in ${(down.ms / 1000).toFixed(1)} s`}, ${down.comments} comments on ${down.issues} issues meanwhile`,
  );
  if (w.callsBeforeAnswer > 0) failed = true;
}

if (only === undefined || only === 'footprint') {
  const f = await footprintBench();
  console.log(
    `${f.jobs} jobs at once in one app process, ${f.sandbox === 'e2b' ? 'sandboxes on a fake E2B' : `local sandboxes (ISSUESMITH_LOCAL_NICE=${f.localNice})`} and GitHub on a fake, each fake in a process of its own at nice 10, fake agent waiting ${f.agentSeconds} s, Probot's throttle on (capped at ${f.timeoutSeconds} s a scenario):`,
  );
  for (const s of f.scenarios) {
    console.log(
      `  over ${s.installations} installation(s): ${s.finished}/${f.jobs} done in ${s.seconds.toFixed(1)} s${s.timedOut ? ' (timed out)' : ''}, ratio to the agent's ${f.agentSeconds} s: ${(s.seconds / f.agentSeconds).toFixed(2)}`,
    );
    console.log(
      `    peak RSS ${(s.peakRssMb + s.helperPeakRssMb).toFixed(0)} MB (goal < 300): the app's process ${s.peakRssMb.toFixed(0)} MB (idle ${s.idleRssMb.toFixed(0)} MB: ratio ${(s.peakRssMb / s.idleRssMb).toFixed(2)}), its spawner process ${s.helperPeakRssMb.toFixed(0)} MB`,
    );
    console.log(
      `    event-loop delay p99: worst second ${s.loadLagP99MaxMs.toFixed(1)} ms (goal <= 100), median second ${s.loadLagP99MedianMs.toFixed(1)} ms vs idle ${s.idleLagP99Ms.toFixed(1)} ms: ratio ${(s.loadLagP99MaxMs / s.idleLagP99Ms).toFixed(2)}`,
    );
    console.log(`    CPU: the event loop's thread ${s.mainThreadCpuS.toFixed(1)} s, the whole process ${s.processCpuS.toFixed(1)} s (agents apart)`);
    if (s.late !== undefined) {
      const l = s.late;
      console.log(
        `    late turns of the loop (BENCH_LOOP_TRACE): ${l.over100} over 100 ms, ${l.cpuOver100} of them with over 100 ms on a CPU; over all turns later than 20 ms, the main thread ran ${(l.cpuMs / 1000).toFixed(1)} s, waited for a CPU ${(l.runQueueMs / 1000).toFixed(1)} s, slept ${(l.sleptMs / 1000).toFixed(1)} s`,
      );
      for (const w of l.worst) console.log(`      at ${w.atS.toFixed(1)} s: ${w.lateMs} ms late: ran ${w.cpuMs} ms, waited for a CPU ${w.runQueueMs} ms, slept ${w.sleptMs} ms`);
    }
    console.log(`    requests made as the app, with its JWT (installation tokens, GET /app): ${s.appRequests}`);
    console.log(`    REST writes (tokens aside): ${s.writes}, ${s.finished > 0 ? `${s.writesPerFinishedJob.toFixed(1)} per finished job` : 'no job finished'}`);
  }
}

if (only === undefined || only === 'phases') {
  const p = await phasesBench();
  console.log(
    `one job by phase (fake Claude${p.agentSeconds > 0 ? ` waiting ${p.agentSeconds} s` : ''}, local sandbox, fake GHES on loopback, Probot's throttle on), medians of ${p.runs} runs, timed from outside the app:`,
  );
  for (const ph of p.phases) console.log(`  ${ph.ms.toFixed(0).padStart(5)} ms  ${ph.name}`);
  console.log(`  ${p.agentMs.toFixed(0).padStart(5)} ms  the agent itself (start to end of the \`claude\` process)`);
  console.log(
    `  overhead ${p.overheadMs.toFixed(0)} ms of ${p.totalMs.toFixed(0)} ms from the webhook to the job's end: ratio to the agent's own time ${(p.overheadMs / p.agentMs).toFixed(2)}`,
  );
  console.log(
    `  of which the app's own work, outside the throttle's pacing of writes (webhook → the change ready for its first write, less the agent): ${p.unpacedOverheadMs.toFixed(0)} ms (goal <= 1000)`,
  );
  console.log('  the median run, as GitHub and the agent saw it:');
  for (const l of p.timeline) console.log(`    ${l}`);
}

if (only === undefined || only === 'commit-path') {
  const c = await commitPathBench();
  console.log(
    `bringing one change out (2 files) on the app's host, API path vs host git, medians of ${c.runs} runs; repositories: 1 MB, ${c.bigRepoMb} MB (random blobs), 1 MB with ${c.commits} commits${c.makeSeconds > 0 ? ` (made in ${c.makeSeconds.toFixed(0)} s, cached)` : ' (cached)'}:`,
  );
  const row = (repo: string, path: string) => c.rows.find((r) => r.repo === repo && r.path === path);
  for (const repo of ['small', 'big', 'deep']) {
    for (const path of ['api', 'host-git']) {
      const r = row(repo, path);
      if (r === undefined) continue;
      console.log(
        `  ${repo.padEnd(5)} ${path.padEnd(8)} ${r.ms.toFixed(0).padStart(6)} ms  ${(r.bytes / 1024).toFixed(0).padStart(8)} KB to the host  RSS +${r.rssGrowthMb.toFixed(1)} MB${path === 'api' ? `  ${r.apiCalls} API calls` : ''}`,
      );
    }
  }
  for (const path of ['api', 'host-git']) {
    const small = row('small', path);
    const big = row('big', path);
    const deep = row('deep', path);
    if (small === undefined || big === undefined || deep === undefined) continue;
    console.log(
      `  ${path}: big/small time ${(big.ms / small.ms).toFixed(2)}, bytes ${(big.bytes / small.bytes).toFixed(2)}; deep/small time ${(deep.ms / small.ms).toFixed(2)}, bytes ${(deep.bytes / small.bytes).toFixed(2)}`,
    );
  }
  for (const repo of ['small', 'big', 'deep']) {
    const api = row(repo, 'api');
    const git = row(repo, 'host-git');
    if (api !== undefined && git !== undefined) console.log(`  ${repo}: API path / host git: time ${(api.ms / git.ms).toFixed(2)}, bytes ${(api.bytes / git.bytes).toFixed(3)}`);
  }
}

process.exitCode = failed ? 1 : 0;
