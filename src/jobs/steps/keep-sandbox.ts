import type { AgentProfile } from '../../agents/profile.js';
import type { Sandbox } from '../../sandbox/provider.js';
import { readSessionState } from '../../sessions/sandbox-session.js';
import { sessionKey } from '../../keys.js';
import type { Job } from '../../job.js';
import type { JobDeps } from '../job-deps.js';

/**
 * Keeps a finished turn's sandbox for the next one: the agent's session files go to the session store
 * (for when the sandbox is gone by then), and the sandbox is paused. Returns the sandbox when it
 * could not be paused and must be killed, undefined when it is kept.
 */
export async function keepForFollowUp(sandbox: Sandbox, profile: AgentProfile, o: { job: Job; pull: number }, deps: JobDeps): Promise<Sandbox | undefined> {
  const paths = profile.sessionState({ home: sandbox.homeDir, workdir: workdirOf(sandbox) });
  if (deps.sessions !== undefined && paths.length > 0) {
    try {
      const data = await readSessionState(sandbox, paths, `${sandbox.homeDir}/.issuesmith/session.tar.gz`);
      if (data !== undefined) await deps.sessions.save(sessionKey(o.job.owner, o.job.repo, o.pull), data);
      else deps.log.warn({ pull: o.pull, profile: profile.name }, 'the agent left no session files to save');
    } catch (err) {
      deps.log.warn({ err, pull: o.pull }, 'could not save the agent session');
    }
  }
  try {
    await sandbox.pause();
    return undefined;
  } catch (err) {
    deps.log.warn({ err, sandbox: sandbox.id }, 'could not pause the sandbox; killing it');
    return sandbox;
  }
}

/** Where the repository is checked out in a sandbox: the same path in every sandbox, so a saved session finds it. */
export function workdirOf(sandbox: Pick<Sandbox, 'homeDir'>): string {
  return `${sandbox.homeDir}/repo`;
}
