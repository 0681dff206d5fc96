import type { RepoSettings } from '../../config/repo-settings.js';
import type { Settings } from '../../config/settings.js';
import { changeFiles, collectChange, PatchTooLargeError, type CollectedChange } from '../../sandbox/repo-in-sandbox.js';
import type { Workspace } from './open-sandbox.js';
import { patchCap, patchTooLarge } from './vet-change.js';

/**
 * The agent's change collected in its sandbox, in one command: the patch at most the repository's (or
 * the app's) cap, a UserError when larger, read out only when host git needs it; the listing and
 * contents the API path reads. Its scratch files lie beside the prompt, outside the work tree.
 */
export async function collectWork(ws: Pick<Workspace, 'sandbox' | 'workdir' | 'baseSha' | 'patchFile'>, repo: RepoSettings, settings: Settings): Promise<CollectedChange> {
  const asUserError = (err: unknown): unknown => (err instanceof PatchTooLargeError ? patchTooLarge(err, repo, settings) : err);
  try {
    const collected = await collectChange(ws.sandbox, {
      workdir: ws.workdir,
      baseSha: ws.baseSha,
      files: changeFiles(ws.patchFile.replace(/\.patch$/, '')),
      maxBytes: patchCap(repo, settings),
      maxBlobs: settings.apiCommitMaxFiles,
    });
    return {
      ...collected,
      patch: () =>
        collected.patch().catch((err: unknown) => {
          throw asUserError(err);
        }),
    };
  } catch (err) {
    throw asUserError(err);
  }
}
