import type { Job } from '../../src/job.js';

let counter = 0;

/** A valid job for queue tests; `number` picks the issue (and so the job key). */
export function makeJob(o: Partial<Job> = {}): Job {
  counter += 1;
  return {
    deliveryId: `delivery-${process.pid}-${counter}`,
    installationId: 1,
    owner: 'Codertocat',
    repo: 'Hello-World',
    number: 1,
    kind: 'run',
    profile: 'claude',
    instructions: '',
    issue: { title: 'A title', body: 'A body' },
    defaultBranch: 'main',
    requester: { login: 'Codertocat', id: 21031067 },
    trigger: { type: 'label', label: 'agent' },
    receivedAt: new Date(0).toISOString(),
    ...o,
  };
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string | undefined;
}

/** A logger that keeps what it is told, for assertions. */
export function recordingLogger(): { lines: LogLine[]; info: (o: object, m?: string) => void; warn: (o: object, m?: string) => void; error: (o: object, m?: string) => void } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
}

/** A promise with its resolve, for holding a job open until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
