import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { CliPin } from '../src/agents/cli-pins.js';

const run = promisify(execFile);

/** Where the pinned CLIs are installed, one directory a package and version. */
export const CACHE_DIR = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'issuesmith-agents');

/**
 * Node 24 for OpenClaw (it wants Node >=24.16), from the npm registry's per-platform Node package:
 * the development machines run Node 20, and the npm registry is the one source they reach.
 */
export const NODE_24: CliPin = { package: `node-${process.platform}-${process.arch}`, version: '24.21.0', node: '*' };

const INSTALL_TIMEOUT_MS = 10 * 60_000;

/** The directory of `pin` in the cache, installed there first if it is not yet. */
export async function ensureInstalled(pin: CliPin, o: { bin: string; pathPrefix?: string[] }): Promise<string> {
  const dir = join(CACHE_DIR, `${pin.package.replaceAll('/', '+')}@${pin.version}`);
  const bin = binDir(dir);
  if (existsSync(join(bin, o.bin))) return bin;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  // npm runs the package's install scripts with the `node` first on PATH: OpenClaw's check its version.
  const env = { ...process.env, PATH: [...(o.pathPrefix ?? []), process.env.PATH ?? ''].join(delimiter) };
  await run('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error', `${pin.package}@${pin.version}`], {
    env,
    timeout: INSTALL_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (!existsSync(join(bin, o.bin))) throw new Error(`${pin.package}@${pin.version} installed, but ${join(bin, o.bin)} is not there`);
  return bin;
}

export function binDir(dir: string): string {
  return join(dir, 'node_modules', '.bin');
}

/** The directory holding Node 24's `node`, installed into the cache first if it is not yet. */
export function ensureNode24(): Promise<string> {
  return ensureInstalled(NODE_24, { bin: 'node' });
}
