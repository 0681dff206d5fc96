import { shellJoin, shellQuote } from '../security/shell-quote.js';
import { SandboxError, type Sandbox } from '../sandbox/provider.js';

const TIMEOUT_MS = 120_000;
/** A session larger than this is not kept: the store holds it whole, and a runaway agent could fill it. */
export const MAX_SESSION_BYTES = 64 * 1024 * 1024;

/**
 * Reads an agent's session files out of the sandbox as one gzipped tar, named relative to the
 * sandbox's home directory, so they go back to the same paths in a sandbox with the same home (every
 * sandbox of a provider has the same home, such as /home/user). Undefined when none of the paths
 * exists (the agent kept nothing).
 */
export async function readSessionState(sandbox: Sandbox, paths: string[], tarFile: string): Promise<Uint8Array | undefined> {
  const home = sandbox.homeDir.replace(/\/+$/, '');
  const relative = paths.filter((p) => p.startsWith(`${home}/`)).map((p) => p.slice(home.length + 1));
  if (relative.length === 0) return undefined;
  // Only the paths that exist: tar fails on a missing one, and an agent may not have made them all.
  const script = [
    `cd ${shellQuote(home)} || exit 1`,
    'set --',
    `for p in ${shellJoin(relative)}; do if [ -e "$p" ]; then set -- "$@" "$p"; fi; done`,
    'if [ "$#" -eq 0 ]; then exit 3; fi',
    `mkdir -p ${shellQuote(tarFile.replace(/\/[^/]*$/, '') || '/')}`,
    `tar -czf ${shellQuote(tarFile)} -- "$@" || exit 1`,
    `if [ "$(wc -c < ${shellQuote(tarFile)})" -gt ${MAX_SESSION_BYTES} ]; then rm -f ${shellQuote(tarFile)}; exit 4; fi`,
  ].join('\n');
  const r = await sandbox.run(script, { timeoutMs: TIMEOUT_MS });
  if (r.exitCode === 3) return undefined;
  if (r.exitCode === 4) throw new SandboxError(`the agent's session is larger than ${MAX_SESSION_BYTES / 1024 / 1024} MB compressed, so it was not saved`);
  if (r.exitCode !== 0) throw new SandboxError(`could not save the agent's session: ${lastLine(r.stderr)}`);
  return sandbox.readFile(tarFile);
}

/** Puts saved session files back under the sandbox's home directory, where they were. */
export async function writeSessionState(sandbox: Sandbox, data: Uint8Array, tarFile: string): Promise<void> {
  await sandbox.writeFile(tarFile, data);
  const r = await sandbox.run(`tar -xzf ${shellQuote(tarFile)} -C ${shellQuote(sandbox.homeDir)} && rm -f ${shellQuote(tarFile)}`, { timeoutMs: TIMEOUT_MS });
  if (r.exitCode !== 0) throw new SandboxError(`could not restore the agent's session: ${lastLine(r.stderr)}`);
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}
