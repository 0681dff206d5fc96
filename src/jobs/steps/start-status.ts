import type { Turn } from './turn.js';

/**
 * The status of a first run starts on the commit the agent will work from: its check run (the
 * transcript, the Stop button) is made before the status comment, which then links to it from its
 * first write rather than in an edit later (each write takes a second of the installation's budget).
 * The commit is the branch's head as GitHub says now (one small read); should the clone find a newer
 * one, that one gets the check run and this one ends with the job. When GitHub cannot say, the
 * comment goes first and links the check run once the clone made it.
 */
export async function startOnBranch(turn: Turn, branch: string): Promise<void> {
  const { deps } = turn;
  const sha = await deps.github.branchHead(branch).catch((err: unknown) => {
    deps.log.warn({ err: deps.redactor.redact(String(err)) }, 'could not read the base branch head: the check run waits for the clone');
    return undefined;
  });
  if (sha !== undefined) turn.progress.checkRun(sha, { onBase: true });
  await turn.progress.start();
}
