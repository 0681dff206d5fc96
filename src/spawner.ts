import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

/**
 * Starting a child process costs its parent in proportion to the parent's memory: Linux's fork copies
 * the parent's page tables (holding its memory map locked meanwhile), then libuv waits for the exec.
 * From an app of 200–300 MB that is 10–20 ms of kernel time a start, and much more on a loaded
 * machine, while the event loop (and, from a worker thread, any page fault of the loop) waits. Here a
 * small helper process, the spawner, starts the children and relays their output over its IPC
 * channel, so the app only handles messages and its size costs nothing. Each child's pid is real and
 * its group can be signalled from the app as before (`process.kill(-pid)`). When the app goes away
 * (its channel closes), the spawner ends every child it started, their groups included.
 */
export interface SpawnOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** A process group of its own (for `process.kill(-pid)`). */
  detached?: boolean;
  /**
   * A nice value for the child (0–19): it is started through nice(1), so it and all it forks run at it
   * from the first instruction (set after the start, a command that forked at once left its children
   * at the app's priority); when it is detached, its session's scheduling group's too, where the kernel
   * groups tasks by session (autogroup, for tasks in the root CPU cgroup; best effort).
   */
  nice?: number;
  /** Written to the child's stdin, which is then closed; stdin is closed at once without it. */
  input?: Uint8Array;
  /** Output as text (UTF-8, split characters joined), in order, before `exited` resolves. */
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
  /** The output's bytes as they come, for binary output; `onStdout` may be given too. */
  onStdoutBytes?: (bytes: Uint8Array) => void;
}

export interface SpawnedChild {
  readonly pid: number;
  /** Resolves once the child has exited and its output has been read; rejects if its output was lost (the spawner stopped). */
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

type FromSpawner =
  | { id: number; type: 'spawn'; pid: number }
  | { id: number; type: 'stdout' | 'stderr'; data: Uint8Array }
  | { id: number; type: 'error'; message: string; code?: string }
  | { id: number; type: 'close'; code: number | null; signal: NodeJS.Signals | null };

interface Entry {
  options: SpawnOptions;
  detached: boolean;
  pid?: number;
  out: StringDecoder;
  err: StringDecoder;
  started: { resolve(child: SpawnedChild): void; reject(err: Error): void };
  exited?: { resolve(r: { code: number | null; signal: NodeJS.Signals | null }): void; reject(err: Error): void };
}

// Plain CommonJS run by `node -e`: no file to find next to the compiled or the source module.
const SPAWNER_SOURCE = `
const { spawn } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const { getPriority } = require('node:os');
const live = new Map();
const send = (m) => { if (process.connected) process.send(m); };
process.on('message', ({ id, command, args, options, input }) => {
  let child;
  const fail = (err) => send({ id, type: 'error', message: String((err && err.message) || err), code: err && err.code });
  // Through nice(1), which sets the value and execs the command: it starts at it, as does all it forks.
  const raise = options.nice > 0 ? options.nice - getPriority() : 0;
  const [file, argv] = raise > 0 ? ['nice', ['-n', String(raise), '--', command, ...args]] : [command, args];
  try {
    child = spawn(file, argv, { ...options, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  } catch (err) {
    fail(err);
    return;
  }
  if (options.nice > 0 && options.detached && child.pid !== undefined) {
    try { writeFileSync('/proc/' + child.pid + '/autogroup', String(options.nice)); } catch {}
  }
  let failed = false;
  child.once('spawn', () => {
    live.set(id, { pid: child.pid, detached: options.detached === true });
    send({ id, type: 'spawn', pid: child.pid });
  });
  if (input) {
    child.stdin.on('error', () => undefined);
    child.stdin.end(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
  }
  const relay = (type) => (chunk) => send({ id, type, data: new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) });
  child.stdout.on('data', relay('stdout'));
  child.stderr.on('data', relay('stderr'));
  child.on('error', (err) => {
    if (child.pid === undefined && !failed) {
      failed = true;
      fail(err);
    }
  });
  child.on('close', (code, signal) => {
    live.delete(id);
    if (!failed) send({ id, type: 'close', code, signal });
  });
});
// The app is gone: nobody reads the children's output or will stop them, so they stop now.
process.on('disconnect', () => {
  for (const { pid, detached } of live.values()) {
    try { process.kill(detached ? -pid : pid, 'SIGKILL'); } catch {}
  }
  process.exit(0);
});
`;

let spawner: ChildProcess | undefined;
const live = new Map<number, Entry>();
let serial = 0;

/**
 * Starts `command` with `args` from the spawner; resolves with its pid once it runs, or rejects with a
 * SpawnError when it cannot start. Its output goes to the callbacks.
 */
export function spawnAside(command: string, args: string[], options: SpawnOptions = {}): Promise<SpawnedChild> {
  return new Promise((resolve, reject) => {
    const s = theSpawner();
    serial += 1;
    const id = serial;
    live.set(id, { options, detached: options.detached === true, out: new StringDecoder('utf8'), err: new StringDecoder('utf8'), started: { resolve, reject } });
    // Held open while a child runs, as a child's own pipes hold the loop open.
    hold(s, true);
    s.send({
      id,
      command,
      args,
      options: { cwd: options.cwd, env: options.env, detached: options.detached, nice: options.nice },
      ...(options.input ? { input: options.input } : {}),
    });
  });
}

function theSpawner(): ChildProcess {
  if (spawner !== undefined) return spawner;
  // No flags of the app's own (a profiler, an inspector) and none of NODE_OPTIONS' memory settings
  // matter here: the spawner only starts processes and relays bytes.
  const s = spawn(process.execPath, ['-e', SPAWNER_SOURCE], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });
  s.on('message', (m: FromSpawner) => onMessage(m));
  const lost = (err: Error): void => {
    if (spawner === s) spawner = undefined;
    for (const [id, entry] of live) fail(id, entry, err);
  };
  s.on('error', (err) => lost(err));
  s.on('exit', (code, signal) => lost(new Error(`the process that starts processes stopped (${signal ?? `exit code ${code}`})`)));
  spawner = s;
  return s;
}

function hold(s: ChildProcess, on: boolean): void {
  if (on) {
    s.ref();
    s.channel?.ref();
  } else {
    s.unref();
    s.channel?.unref();
  }
}

function onMessage(m: FromSpawner): void {
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
    case 'stdout': {
      const bytes = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
      entry.options.onStdoutBytes?.(bytes);
      if (entry.options.onStdout !== undefined) emit(entry.options.onStdout, entry.out.write(bytes));
      return;
    }
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

/** The spawner stopped: what it was relaying is lost, so the children are ended (their group, when they have one). */
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
  if (live.size === 0 && spawner !== undefined) hold(spawner, false);
}

/** Stops the spawner (its children with it); the next start makes a new one. */
export function stopSpawner(): void {
  spawner?.kill('SIGKILL');
}

export interface Captured {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  /** Why it was ended early: its output passed `maxBytes`, or it ran past `timeoutMs`. */
  stopped?: string;
}

/**
 * Runs `command` in a process group of its own from the spawner and collects its output: stdout's
 * bytes and stderr's text (its first 64 KB). Past `maxBytes` of stdout or `timeoutMs`, the whole group
 * is ended and `stopped` says why. Rejects with a SpawnError only when it cannot start.
 */
export async function captureAside(
  command: string,
  args: string[],
  o: { cwd?: string; env?: Record<string, string | undefined>; input?: Uint8Array; maxBytes?: number; timeoutMs?: number } = {},
): Promise<Captured> {
  const out: Buffer[] = [];
  let size = 0;
  let stderr = '';
  let stopped: string | undefined;
  let child: SpawnedChild | undefined;
  const stop = (why: string): void => {
    stopped ??= why;
    try {
      if (child !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  child = await spawnAside(command, args, {
    cwd: o.cwd,
    env: o.env,
    detached: true,
    ...(o.input !== undefined ? { input: o.input } : {}),
    onStdoutBytes: (bytes) => {
      size += bytes.byteLength;
      if (o.maxBytes === undefined || size <= o.maxBytes) out.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      else stop('its output passed the buffer');
    },
    onStderr: (text) => {
      if (stderr.length < 64 * 1024) stderr += text;
    },
  });
  // Output past the cap may have come before the pid was known.
  if (stopped !== undefined) stop(stopped);
  const timer = o.timeoutMs !== undefined ? setTimeout(() => stop('it ran out of time'), o.timeoutMs) : undefined;
  try {
    const { code, signal } = await child.exited;
    return { code, signal, stdout: Buffer.concat(out), stderr, ...(stopped !== undefined ? { stopped } : {}) };
  } finally {
    clearTimeout(timer);
  }
}
