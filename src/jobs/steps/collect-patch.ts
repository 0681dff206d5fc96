import type { RepoSettings } from '../../config/repo-settings.js';
import type { Settings } from '../../config/settings.js';
import { collectPatch, PatchTooLargeError } from '../../sandbox/repo-in-sandbox.js';
import type { Workspace } from './open-sandbox.js';
import { patchCap, patchTooLarge } from './vet-change.js';

/** The agent's patch read out of its sandbox, at most the repository's (or the app's) cap; a UserError when larger. */
export async function readPatch(ws: Workspace, repo: RepoSettings, settings: Settings): Promise<Uint8Array> {
  try {
    return await collectPatch(ws.sandbox, { workdir: ws.workdir, baseSha: ws.baseSha, patchFile: ws.patchFile, maxBytes: patchCap(repo, settings) });
  } catch (err) {
    if (err instanceof PatchTooLargeError) throw patchTooLarge(err, repo, settings);
    throw err;
  }
}
