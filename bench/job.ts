import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeGitHub } from '../test/helpers/fake-github.js';
import { commentPayload } from '../test/helpers/payloads.js';
import { inProcessApp } from './in-process-app.js';

export interface BenchResult {
  name: string;
  subject: string;
  baseline: string;
  subjectMs: number;
  baselineMs: number;
  runs: number;
  /** The app's writes to GitHub's REST API per job (median), and what they were in the median job. */
  writes: number;
  writeList: string[];
  /** From the webhook to the pull request's creation, and to the status comment's final text (medians). */
  toPullRequestMs: number;
  toFinalStatusMs: number;
  /** From the webhook to the job's last counted write (check runs and reactions that trail the final state). */
  toLastWriteMs: number;
}

// Async: the fake GitHub answers in this same process, so a blocking call would wait for itself.
const run = promisify(execFile);

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const BIN = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'bin');

/**
 * The job's writes to GitHub's REST API: every POST, PATCH, PUT and DELETE, except minting and revoking
 * installation tokens (the job's credentials, not anything a reader sees). The commit goes over git.
 */
export function isCountedWrite(c: { method: string; path: string }): boolean {
  if (c.method === 'GET' || c.method === 'HEAD') return false;
  return !/^\/app\/installations\/\d+\/access_tokens$/.test(c.path) && c.path !== '/installation/token';
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/**
 * One whole job with the fake Claude: webhook → queue → permission → tokens → sandbox → clone → agent
 * → patch → host push → pull request → comment, against a fake GitHub on loopback, with the app's own
 * Octokit as in production: Probot's throttle on (one write a second at most). The baseline is the
 * irreducible work the job wraps, done by hand with the same tools: shallow clone, the same fake agent,
 * diff, then fetch, apply, commit and push of that diff. The ratio is the app's overhead.
 */
export async function jobBench(): Promise<BenchResult> {
  const github = await new FakeGitHub().start();
  github.git.createRepo('Codertocat', 'Hello-World', { 'README.md': '# Hello\n', 'src/app.js': 'console.log(1);\n' });
  const work = mkdtempSync(join(tmpdir(), 'issuesmith-bench-'));
  const env = { ...process.env, PATH: `${BIN}:${process.env.PATH ?? ''}`, ANTHROPIC_API_KEY: 'sk-ant-bench-000000000000', GIT_CONFIG_NOSYSTEM: '1' };
  const remote = `${github.git.url}/Codertocat/Hello-World.git`;
  const token = 'ghs_benchwritetoken0000000000000000000';
  github.git.tokens.set(token, 'write');
  const auth = ['-c', `http.extraHeader=Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`];

  const baseline: number[] = [];
  const subject: number[] = [];
  const writes: string[][] = [];
  const toPull: number[] = [];
  const toFinal: number[] = [];
  const toLast: number[] = [];
  try {
    for (let i = 0; i < RUNS; i += 1) {
      // Baseline.
      const t0 = performance.now();
      const dir = mkdtempSync(join(work, 'base-'));
      const repo = join(dir, 'repo');
      await run('git', [...auth, 'clone', '-q', '--depth', '1', remote, repo], { env });
      const sha = (await run('git', ['-C', repo, 'rev-parse', 'HEAD'], { env })).stdout.trim();
      writeFileSync(join(dir, 'prompt'), `bench ${i}\nfake-agent: write bench/${i}.md base ${i}\n`);
      await run('bash', ['-c', `cd ${repo} && claude -p --output-format stream-json --verbose --dangerously-skip-permissions < ../prompt > /dev/null`], { env });
      await run('bash', ['-c', `git add -A && git diff --cached --binary ${sha} > ../patch`], { env, cwd: repo });
      const host = join(dir, 'host');
      await run('git', ['init', '-q', host], { env });
      await run('git', [...auth, '-C', host, 'fetch', '-q', '--depth=1', remote, sha], { env });
      await run('git', ['-C', host, 'checkout', '-q', '-b', `base-${i}`, sha], { env });
      await run('git', ['-C', host, 'apply', '--index', join(dir, 'patch')], { env });
      await run('git', ['-C', host, '-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-qm', 'bench'], { env });
      await run('git', [...auth, '-C', host, 'push', '-q', remote, `HEAD:refs/heads/base-${i}`], { env });
      rmSync(dir, { recursive: true, force: true });
      baseline.push(performance.now() - t0);

      // Subject: the whole app, in process.
      const { probot, runtime } = inProcessApp({ apiUrl: `${github.git.url}/api/v3`, work, path: env.PATH, anthropicKey: env.ANTHROPIC_API_KEY });
      const payload = commentPayload(`/agent claude bench\nfake-agent: write bench/app-${i}.md app ${i}`, { commentId: 100 + i });
      const before = github.calls.length;
      const t1 = performance.now();
      await probot.receive({ id: `bench-${i}`, name: 'issue_comment', payload } as never);
      await runtime.queue.drain();
      subject.push(performance.now() - t1);
      const calls = github.calls.slice(before);
      writes.push(calls.filter(isCountedWrite).map((c) => `${c.method} ${c.path}  +${(c.at - t1).toFixed(0)} ms`));
      toPull.push((calls.find((c) => c.method === 'POST' && /\/pulls$/.test(c.path))?.at ?? Number.NaN) - t1);
      toFinal.push((calls.findLast((c) => c.method === 'PATCH' && /\/issues\/comments\/\d+$/.test(c.path))?.at ?? Number.NaN) - t1);
      toLast.push((calls.findLast(isCountedWrite)?.at ?? Number.NaN) - t1);
      if (github.callsTo('POST', /\/pulls$/).length !== i + 1) throw new Error('the job did not open its pull request');
    }
  } finally {
    await github.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return {
    name: 'one whole job (fake Claude, local sandbox, fake GHES on loopback)',
    subject: 'webhook → pull request through the app',
    baseline: 'clone, agent, diff, fetch, apply, commit, push by hand',
    subjectMs: median(subject),
    baselineMs: median(baseline),
    runs: RUNS,
    writes: median(writes.map((w) => w.length)),
    writeList: writes.find((w) => w.length === median(writes.map((x) => x.length))) ?? [],
    toPullRequestMs: median(toPull),
    toFinalStatusMs: median(toFinal),
    toLastWriteMs: median(toLast),
  };
}
