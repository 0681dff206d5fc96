import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAgentOutput } from '../src/agents/agent-stream.js';
import { claudeProjectSlug } from '../src/agents/claude.js';
import type { AgentProfile } from '../src/agents/profile.js';

export const SAMPLES_DIR = fileURLToPath(new URL('../test/fixtures/agent-samples', import.meta.url));

/** The loopback address the samples show for the model, whatever port the run had. */
const SAMPLE_ORIGIN = 'http://127.0.0.1:40021';

export interface CapturedRun {
  profile: AgentProfile;
  stdout: string;
  /** The sandbox's home directory: shown as /home/user, E2B's. */
  home: string;
  /** The base URL the agent was given (origin and scenario). */
  baseUrl: string;
}

/**
 * A run's standard output as a sample the parsers' unit tests read: the sandbox's home becomes
 * /home/user, the scripted server's address a fixed one, and the session id the one the sample
 * already had (so a refresh changes the format's shapes, not the ids the tests name).
 */
export function normalizeSample(run: CapturedRun, previous: string | undefined): string {
  let text = run.stdout;
  const replace = (from: string, to: string): void => {
    if (from !== '' && from !== to) text = text.split(from).join(to);
  };
  replace(run.baseUrl, SAMPLE_ORIGIN);
  replace(claudeProjectSlug(run.home), claudeProjectSlug('/home/user'));
  replace(run.home, '/home/user');
  const oldId = previous === undefined ? undefined : firstSession(run.profile, previous);
  const newId = firstSession(run.profile, text);
  if (oldId !== undefined && newId !== undefined) replace(newId, oldId);
  return text;
}

/** Writes the sample (refreshing the one there); returns what it wrote. */
export function refreshSample(name: string, run: CapturedRun): string {
  const file = join(SAMPLES_DIR, name);
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const text = normalizeSample(run, previous);
  writeFileSync(file, text);
  return text;
}

function firstSession(profile: AgentProfile, output: string): string | undefined {
  for (const e of parseAgentOutput(profile, output)) if (e.type === 'session') return e.id;
  return undefined;
}
