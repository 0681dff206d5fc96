import { StringDecoder } from 'node:string_decoder';
import { Worker } from 'node:worker_threads';

/**
 * Starting a child process blocks the thread that starts it until the child has exec'd (libuv forks,
 * then waits on the child), a few milliseconds on a quiet machine and hundreds on a loaded one, while
 * every webhook, timer and stream of the app waits. Here a worker thread of this process starts the
 * children and relays their output, so the event loop only handles messages. The child is a child of
 * this process as before: its pid is real, and signals (a process group's kill, a timeout) are sent
 * from the main thread with `process.kill` as before.
 */
export interface OffThreadOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** A process group of its own (for `process.kill(-pid)`). */
  detached?: boolean;
  /** Output as text (UTF-8, split characters joined), in order, before `exited` resolves. */
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
}

export interface OffThreadChild {
  readonly pid: number;
  /** Resolves once the child has exited and its output has been read; rejects if its output was lost (the worker stopped). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** An error starting the child (no such program or directory, ...), with the system's code. */
export class SpawnError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'SpawnError';
  }
}

type FromWorker =
  | { id: number; type: 'spawn'; pid: number }
  | { id: number; type: 'stdout' | 'stderr'; data: Uint8Array }
  | { id: number; type: 'error'; message: string; code?: string }
  | { id: number; type: 'close'; code: number | null; signal: NodeJS.Signals | null };

interface Entry {
  options: OffThreadOptions;
  detached: boolean;
  pid?: number;
  out: StringDecoder;
  err: StringDecoder;
  started: { resolve(child: OffThreadChild): void; reject(err: Error): void };
  exited?: { resolve(r: { code: number | null; signal: NodeJS.Signals | null }): void; reject(err: Error): void };
}

// Plain CommonJS, evaluated by the worker: no file to find next to the compiled or the source module.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { spawn } = require('node:child_process');
parentPort.on('message', ({ id, command, args, options }) => {
  let child;
  const fail = (err) => parentPort.postMessage({ id, type: 'error', message: String((err && err.message) || err), code: err && err.code });
  try {
    child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    fail(err);
    return;
  }
  let failed = false;
  child.once('spawn', () => parentPort.postMessage({ id, type: 'spawn', pid: child.pid }));
  // A copy of exactly the chunk's bytes, moved rather than cloned with the pool it may sit in.
  const relay = (type) => (chunk) => {
    const data = new Uint8Array(chunk);
    parentPort.postMessage({ id, type, data }, [data.buffer]);
  };
  child.stdout.on('data', relay('stdout'));
  child.stderr.on('data', relay('stderr'));
  child.on('error', (err) => {
    if (child.pid === undefined && !failed) {
      failed = true;
      fail(err);
    }
  });
  child.on('close', (code, signal) => {
    if (!failed) parentPort.postMessage({ id, type: 'close', code, signal });
  });
});
`;

let worker: Worker | undefined;
const live = new Map<number, Entry>();
let serial = 0;

/**
 * Starts `command` with `args` from the worker thread; resolves with its pid once it runs, or rejects
 * with a SpawnError when it cannot start. Its stdin is closed; its output goes to the callbacks.
 */
export function spawnOffThread(command: string, args: string[], options: OffThreadOptions = {}): Promise<OffThreadChild> {
  return new Promise((resolve, reject) => {
    const w = theWorker();
    serial += 1;
    const id = serial;
    live.set(id, { options, detached: options.detached === true, out: new StringDecoder('utf8'), err: new StringDecoder('utf8'), started: { resolve, reject } });
    // Held open while a child runs, as a child's own pipes hold the loop open.
    w.ref();
    w.postMessage({ id, command, args, options: { cwd: options.cwd, env: options.env, detached: options.detached } });
  });
}

function theWorker(): Worker {
  if (worker !== undefined) return worker;
  const w = new Worker(WORKER_SOURCE, { eval: true, stdout: false, stderr: false });
  w.on('message', (m: FromWorker) => onMessage(m));
  const lost = (err: Error): void => {
    if (worker === w) worker = undefined;
    for (const [id, entry] of live) fail(id, entry, err);
  };
  w.on('error', (err) => lost(err));
  w.on('exit', (code) => lost(new Error(`the thread that starts processes stopped (exit code ${code})`)));
  worker = w;
  return w;
}

function onMessage(m: FromWorker): void {
  const entry = live.get(m.id);
  if (entry === undefined) return;
  switch (m.type) {
    case 'spawn': {
      entry.pid = m.pid;
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
        entry.exited = { resolve, reject };
      });
      // A rejection nobody awaits yet is no crash: the caller sees it when it awaits `exited`.
      exited.catch(() => undefined);
      entry.started.resolve({ pid: m.pid, exited });
      return;
    }
    case 'stdout':
      emit(entry.options.onStdout, entry.out.write(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength)));
      return;
    case 'stderr':
      emit(entry.options.onStderr, entry.err.write(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength)));
      return;
    case 'error':
      done(m.id);
      entry.started.reject(new SpawnError(m.message, m.code));
      return;
    case 'close':
      done(m.id);
      emit(entry.options.onStdout, entry.out.end());
      emit(entry.options.onStderr, entry.err.end());
      entry.exited?.resolve({ code: m.code, signal: m.signal });
  }
}

function emit(to: ((text: string) => void) | undefined, text: string): void {
  if (text !== '') to?.(text);
}

/** The worker stopped: what it was relaying is lost, so the children are ended (their group, when they have one). */
function fail(id: number, entry: Entry, err: Error): void {
  done(id);
  if (entry.pid === undefined) {
    entry.started.reject(err);
    return;
  }
  try {
    process.kill(entry.detached ? -entry.pid : entry.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  entry.exited?.reject(err);
}

function done(id: number): void {
  live.delete(id);
  if (live.size === 0) worker?.unref();
}
