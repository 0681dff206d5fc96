import { UserError } from '../errors.js';
import type { Redactor } from '../security/redact.js';
import { shellQuote } from '../security/shell-quote.js';
import { CommandTimeoutError, type Sandbox } from './provider.js';

/**
 * Copies the repository's `instructions_file` to the file the agent reads (CLAUDE.md, AGENTS.md) when
 * the checkout has none. The copy is excluded in `.git/info/exclude`, so it is never part of the change.
 */
export async function provideInstructionsFile(
  sandbox: Sandbox,
  o: { workdir: string; source: string; target: string; redactor?: Redactor },
): Promise<'copied' | 'kept' | 'missing'> {
  const src = shellQuote(o.source);
  const dst = shellQuote(o.target);
  const r = await sandbox.run(
    `if [ -e ${dst} ]; then echo kept; elif [ ! -f ${src} ]; then echo missing; else mkdir -p "$(dirname ${dst})" && cp ${src} ${dst} && printf '/%s\\n' ${dst} >> .git/info/exclude && echo copied; fi`,
    { cwd: o.workdir, timeoutMs: 30_000 },
  );
  const said = r.stdout.trim();
  if (r.exitCode !== 0 || !['copied', 'kept', 'missing'].includes(said)) {
    // Redacted whole, then cut: a cut secret would no longer be recognised.
    const stderr = o.redactor?.redact(r.stderr.trim()) ?? r.stderr.trim();
    throw new Error(`could not provide the instructions file: ${stderr.slice(-200)}`);
  }
  return said as 'copied' | 'kept' | 'missing';
}

/**
 * Runs the repository's setup commands in the checkout, in order, each with its own time limit and
 * all of them within `budgetMs` (the operator's ISSUESMITH_SETUP_TIMEOUT_MINUTES): a step gets what is
 * left of the budget when that is less than its own limit. The first failure stops the job with a
 * message naming the step and showing its last lines (redacted).
 */
export async function runSetup(
  sandbox: Sandbox,
  steps: ReadonlyArray<{ run: string; timeoutMs: number }>,
  o: { workdir: string; redactor: Redactor; signal?: AbortSignal; budgetMs?: number; now?: () => number },
): Promise<void> {
  const now = o.now ?? Date.now;
  const until = o.budgetMs === undefined ? Number.POSITIVE_INFINITY : now() + o.budgetMs;
  for (const [i, step] of steps.entries()) {
    const label = `Setup step ${i + 1} (\`${oneLine(o.redactor.redact(step.run))}\`)`;
    const left = until - now();
    const budgetText = `the ${span(o.budgetMs ?? 0)} this app allows for all of setup`;
    if (left <= 0)
      throw new UserError(
        `${label} did not run: the steps before it used up ${budgetText}, so the agent did not run and nothing was pushed. Make the \`setup\` commands in \`.github/issuesmith.yml\` faster, or fewer, and ask again.`,
      );
    const timeoutMs = Math.min(step.timeoutMs, left);
    let why: string;
    let output: string;
    try {
      const r = await sandbox.run(step.run, { cwd: o.workdir, timeoutMs, ...(o.signal ? { signal: o.signal } : {}) });
      if (r.exitCode === 0) continue;
      why = `failed with exit code ${r.exitCode}`;
      output = `${r.stdout}\n${r.stderr}`;
    } catch (err) {
      if (!(err instanceof CommandTimeoutError)) throw err;
      why = timeoutMs < step.timeoutMs ? `ran past ${budgetText} and was stopped` : `ran past its ${duration(step.timeoutMs)} limit and was stopped`;
      output = `${err.stdout}\n${err.stderr}`;
    }
    const tail = o.redactor.redact(output.trim().split('\n').slice(-30).join('\n'));
    throw new UserError(
      `${label} ${why}, so the agent did not run and nothing was pushed. Fix the \`setup\` commands in \`.github/issuesmith.yml\` and ask again.${details(tail)}`,
    );
  }
}

function span(ms: number): string {
  const [n, unit] = ms >= 60_000 ? [Math.round(ms / 60_000), 'minute'] : [Math.max(1, Math.round(ms / 1000)), 'second'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

function duration(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)}-minute` : `${Math.max(1, Math.round(ms / 1000))}-second`;
}

function oneLine(cmd: string): string {
  const line = cmd.replace(/\s+/g, ' ').trim();
  return (line.length > 60 ? `${line.slice(0, 57)}...` : line).replaceAll('`', "'");
}

function details(text: string): string {
  if (text.trim() === '') return '';
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `\n\n<details><summary>Last lines of its output</summary>\n\n${fence}\n${text}\n${fence}\n</details>`;
}

/** What the repository's settings ask for in the checkout before the agent starts. */
export async function prepareCheckout(
  sandbox: Sandbox,
  o: {
    workdir: string;
    repo: { instructionsFile: string | undefined; setup: ReadonlyArray<{ run: string; timeoutMs: number }>; setupBudgetMs?: number };
    profile: { instructionsFile: string };
    redactor: Redactor;
    signal?: AbortSignal;
    log?: { warn(obj: object, msg?: string): void };
  },
): Promise<void> {
  if (o.repo.instructionsFile !== undefined && o.repo.instructionsFile !== o.profile.instructionsFile) {
    const done = await provideInstructionsFile(sandbox, { workdir: o.workdir, source: o.repo.instructionsFile, target: o.profile.instructionsFile, redactor: o.redactor });
    if (done === 'missing') o.log?.warn({ file: o.repo.instructionsFile }, 'instructions_file names a file the repository does not have');
  }
  await runSetup(sandbox, o.repo.setup, {
    workdir: o.workdir,
    redactor: o.redactor,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.repo.setupBudgetMs !== undefined ? { budgetMs: o.repo.setupBudgetMs } : {}),
  });
}
