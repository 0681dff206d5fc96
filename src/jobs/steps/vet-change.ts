import type { RepoSettings } from '../../config/repo-settings.js';
import type { Settings } from '../../config/settings.js';
import { UserError } from '../../errors.js';
import { gitAuthEnv } from '../../git/auth-env.js';
import { GITLINK_MODE, StagedChange, type ChangedFile } from '../../git/staged-change.js';
import type { FileChange } from '../../report/file-change.js';
import { checkChange, checkSymlinks, formatBytes, isSymlink, isWorkflowPath, type ChangeRules } from '../../security/check-change.js';
import type { Redactor } from '../../security/redact.js';
import { secretShapes } from '../../security/secret-rules.js';
import type { CollectedChange, PatchTooLargeError } from '../../sandbox/repo-in-sandbox.js';
import type { Workspace } from './open-sandbox.js';
import type { Turn } from './turn.js';
import { touchesWorkflows, vetFiles, type FilesChange } from './vet-files.js';

/**
 * The change as it will be committed, checked: what the flows push, and what the report lists. It goes
 * through GitHub's Git Data API (`api`: files read out of the sandbox, no clone on the host), or, over
 * the operator's thresholds, through the hardened host git (`host-git`, with the reason for the report).
 */
export type VettedChange = {
  files: FileChange[];
  /** The change touches workflow files (allowed by the settings): the commit needs `workflows: write`. */
  touchesWorkflows: boolean;
} & ({ path: 'api'; change: FilesChange } | { path: 'host-git'; staged: StagedChange; why: string });

/** The largest patch the app reads out of a sandbox for this repository: the repository's limit within the app's. */
export function patchCap(repo: RepoSettings, settings: Settings): number {
  return Math.min(repo.limits.maxPatchBytes ?? Infinity, settings.maxPatchBytes);
}

/** A patch the sandbox found too large, in words for the maintainer. */
export function patchTooLarge(err: PatchTooLargeError, repo: RepoSettings, settings: Settings): UserError {
  const fromRepo = repo.limits.maxPatchBytes !== undefined && repo.limits.maxPatchBytes <= settings.maxPatchBytes;
  const size = err.bytes !== undefined ? `${formatBytes(err.bytes)}` : `more than ${formatBytes(err.maxBytes)}`;
  const limit = fromRepo ? `this repository's limit (\`limits.max_patch_bytes: ${err.maxBytes}\`)` : `the app's limit (${formatBytes(err.maxBytes)})`;
  return new UserError(`The agent's change is ${size}, over ${limit}, so nothing of it was read out of the sandbox and nothing was pushed. Ask for a smaller change.`);
}

/**
 * The agent's change vetted, after a last stop check: read out of the sandbox as files for the API
 * path, or, when it is over the API path's thresholds, staged on the host from its patch (with a fresh
 * read token for the staging fetch). Either way it passes the same checks before anything is created.
 */
export async function vetAgentChange(turn: Turn, ws: Workspace, collected: CollectedChange): Promise<VettedChange> {
  const { deps } = turn;
  const { github, settings } = deps;
  turn.stopped();
  const viaApi = await vetFiles({
    sandbox: ws.sandbox,
    baseSha: ws.baseSha,
    collected,
    rules: changeRules(turn.repo, settings),
    settings,
    repo: turn.repo,
    redactor: deps.redactor,
    before: async (path) => (await github.gitData()).fileAt(path, ws.baseSha),
  });
  if ('change' in viaApi) return { path: 'api', change: viaApi.change, files: viaApi.files, touchesWorkflows: touchesWorkflows(viaApi.change) };
  return vetAgentChangeOnHost(turn, ws, await collected.patch(), viaApi.why);
}

/**
 * The agent's change staged and vetted on the host (the hardened host git path), for a change over the
 * API path's thresholds, and for a fork's pull request, whose new branch must carry the fork's commits.
 */
export async function vetAgentChangeOnHost(turn: Turn, ws: Workspace, patch: Uint8Array, why: string): Promise<VettedChange & { path: 'host-git' }> {
  const { deps } = turn;
  turn.stopped();
  deps.log.info({ why }, 'the change goes through host git');
  const readToken = await deps.github.readToken();
  return vetChange({ remoteUrl: deps.github.remoteUrl(), readToken, baseSha: ws.baseSha, patch, repo: turn.repo, settings: deps.settings, redactor: deps.redactor, why });
}

/** What an outgoing change must keep to: the repository's limits and rules within the app's. */
export function changeRules(repo: RepoSettings, settings: Settings): ChangeRules {
  const maxPatchBytes = patchCap(repo, settings);
  return {
    maxChangedFiles: repo.limits.maxChangedFiles,
    maxPatchBytes,
    patchLimitFromRepository: maxPatchBytes === repo.limits.maxPatchBytes,
    maxFileBytes: settings.maxFileBytes,
    allowWorkflowChanges: repo.allowWorkflowChanges,
    allowSubmoduleChanges: repo.allowSubmoduleChanges,
    allowExternalSymlinks: repo.allowExternalSymlinks,
  };
}

/**
 * Every check an outgoing change passes, for first runs and follow-ups alike, on git's own view of the
 * change applied to its starting commit (a bare repository on the host, no work tree, no repository
 * configuration): the patch and file size caps, the repository's limits, the workflow guard,
 * submodules, symlinks leaving the repository, and secrets (the configured values and minted tokens
 * in plain, base64 and URL-encoded forms, and a maintained rule set) in the whole content of every
 * added or modified file, binary ones included. Throws a UserError naming the problem, never the value.
 */
export async function vetChange(o: {
  remoteUrl: string;
  readToken: string;
  baseSha: string;
  patch: Uint8Array;
  repo: RepoSettings;
  settings: Settings;
  redactor: Redactor;
  /** Why the change goes through host git (for the report). */
  why: string;
}): Promise<VettedChange & { path: 'host-git' }> {
  const { repo, settings } = o;
  const rules = changeRules(repo, settings);
  const { maxPatchBytes } = rules;
  // The size cap first: nothing larger is staged at all.
  if (o.patch.byteLength > maxPatchBytes) checkChange([], o.patch.byteLength, rules);
  const staged = await StagedChange.stage({ remoteUrl: o.remoteUrl, auth: gitAuthEnv(o.readToken), baseSha: o.baseSha, patch: o.patch, workDir: settings.workDir });
  try {
    checkChange(staged.files, o.patch.byteLength, rules);
    const readable = staged.files.filter((f) => f.status !== 'deleted' && f.mode !== GITLINK_MODE && f.blob !== f.oldBlob);
    const contents = await staged.blobs(readable.flatMap((f) => (f.status === 'added' || f.status === 'copied' ? [f.blob] : [f.blob, f.oldBlob])));
    checkSymlinks(
      readable.filter(isSymlink).map((f) => ({ path: f.path, target: (contents.get(f.blob) ?? Buffer.alloc(0)).toString('utf8') })),
      rules,
    );
    const leaking = await filesWithSecrets(readable, contents, o.redactor);
    if (leaking.length > 0) {
      const names = leaking
        .slice(0, 5)
        .map((f) => `\`${f.replace(/`/g, "'")}\``)
        .join(', ');
      throw new UserError(`The agent's change would commit a secret or an access token (in ${names}), so nothing was pushed. Ask again without putting credentials in files.`);
    }
    return {
      path: 'host-git',
      why: o.why,
      staged,
      files: staged.files.map((f) => ({ path: f.path, added: f.added, removed: f.removed, binary: f.binary })),
      touchesWorkflows: staged.paths().some(isWorkflowPath),
    };
  } catch (err) {
    await staged.dispose();
    throw err;
  }
}

/** The files whose new content holds a secret that was not already there before the change. */
export async function filesWithSecrets(files: readonly ChangedFile[], contents: ReadonlyMap<string, Buffer>, redactor: Redactor): Promise<string[]> {
  const found: string[] = [];
  for (const f of files) {
    // latin1 keeps every byte, so a secret inside a binary file reads as itself.
    const after = (contents.get(f.blob) ?? Buffer.alloc(0)).toString('latin1');
    const before = f.status === 'added' || f.status === 'copied' ? '' : (contents.get(f.oldBlob) ?? Buffer.alloc(0)).toString('latin1');
    // A shape the file already held (a test fixture's fake key) is not the agent's doing; the app's own values always count.
    const shapes = [...redactor.tokenShapes(after), ...(await secretShapes(after)).map((s) => s.text)];
    if (redactor.holdsSecretValue(after) || shapes.some((s) => !before.includes(s))) found.push(f.path);
  }
  return found;
}
