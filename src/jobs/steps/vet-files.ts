import type { RepoSettings } from '../../config/repo-settings.js';
import type { Settings } from '../../config/settings.js';
import { UserError } from '../../errors.js';
import type { TreeEntry } from '../../github/git-data.js';
import { UnsafeChangeError, type RawEntry } from '../../git/raw-diff.js';
import { GITLINK_MODE, SYMLINK_MODE } from '../../git/staged-change.js';
import type { FileChange } from '../../report/file-change.js';
import { checkChange, checkSymlinks, formatBytes, isWorkflowPath, type ChangeRules } from '../../security/check-change.js';
import type { Redactor } from '../../security/redact.js';
import { secretShapes } from '../../security/secret-rules.js';
import { readBlobs, readChangeList } from '../../sandbox/changed-files.js';
import type { CollectedChange } from '../../sandbox/repo-in-sandbox.js';
import type { Sandbox } from '../../sandbox/provider.js';

/** A change ready for GitHub's Git Data API: the blobs to create (by git's id of their content) and the tree entries over the base. */
export interface FilesChange {
  baseSha: string;
  entries: TreeEntry[];
  blobs: Map<string, Buffer>;
  /** Every path the change touches. */
  paths: string[];
}

/** Why a change goes through host git instead of the API: said in the report. */
export interface HostGitReason {
  why: string;
}

/**
 * The agent's change read out of the sandbox as files (list, modes, contents) for the API path, and
 * vetted by the same checks as the host-git path (size caps, the repository's limits, the workflow
 * guard, submodules, symlinks leaving the repository, secrets) before anything is created on GitHub.
 * A change over the operator's thresholds (files or bytes), or a submodule change the repository
 * allows, is not read: the reason is returned, and the caller takes the host-git path.
 */
export async function vetFiles(o: {
  sandbox: Sandbox;
  baseSha: string;
  /** The change collectChange wrote in the sandbox. */
  collected: CollectedChange;
  rules: ChangeRules;
  settings: Settings;
  repo: RepoSettings;
  redactor: Redactor;
  /** What the file held in the starting commit, as GitHub has it (not the sandbox). */
  before: (path: string) => Promise<Buffer | undefined>;
}): Promise<{ change: FilesChange; files: FileChange[] } | HostGitReason> {
  const { settings, rules } = o;
  const overFiles = (n: number | undefined): HostGitReason => ({
    why: `the change touches ${n === undefined ? 'too many files' : n === 1 ? '1 file' : `${n} files`}, more than the API path takes (\`ISSUESMITH_API_COMMIT_MAX_FILES: ${settings.apiCommitMaxFiles}\`)`,
  });
  const { files } = o.collected;
  const entries = await readChangeList(o.sandbox, files.list).catch((err: unknown) => {
    throw asUserError(err);
  });
  if (entries === undefined) return overFiles(undefined);
  if (entries.length === 0) throw asUserError(new UnsafeChangeError('a patch with no changed file listed'));
  if (entries.length > settings.apiCommitMaxFiles) return overFiles(entries.length);
  // The same checks as host git's, on sizes known only once the contents are read (below): first what needs none.
  checkChange(
    entries.map((e) => ({ path: e.path, mode: e.mode, oldMode: e.oldMode, size: 0 })),
    o.collected.bytes,
    rules,
  );
  if (entries.some((e) => e.mode === GITLINK_MODE || e.oldMode === GITLINK_MODE)) {
    return { why: 'the change updates a submodule, which the API path does not commit' };
  }
  const kept = entries.filter((e) => e.status !== 'deleted');
  const blobs = await readBlobs(o.sandbox, {
    ids: kept.map((e) => e.blob),
    file: files.blobs,
    maxBytes: settings.apiCommitMaxBytes + kept.length * 80,
  }).catch((err: unknown) => {
    throw asUserError(err);
  });
  if (blobs === undefined)
    return { why: `the change's files hold more than ${formatBytes(settings.apiCommitMaxBytes)}, more than the API path takes (\`ISSUESMITH_API_COMMIT_MAX_MB\`)` };
  const size = (e: RawEntry): number => (e.status === 'deleted' ? 0 : (blobs.get(e.blob)?.byteLength ?? 0));
  checkChange(
    entries.map((e) => ({ path: e.path, mode: e.mode, oldMode: e.oldMode, size: size(e) })),
    o.collected.bytes,
    rules,
  );
  checkSymlinks(
    kept.filter((e) => e.mode === SYMLINK_MODE).map((e) => ({ path: e.path, target: (blobs.get(e.blob) ?? Buffer.alloc(0)).toString('utf8') })),
    rules,
  );
  await refuseSecrets(kept, blobs, o.redactor, o.before);
  const counts = await lineCounts(o.sandbox, files.numstat);
  return { change: filesChange(o.baseSha, entries, blobs), files: entries.map((e) => ({ path: e.path, added: 0, removed: 0, binary: false, ...counts.get(e.path) })) };
}

function filesChange(baseSha: string, entries: readonly RawEntry[], blobs: Map<string, Buffer>): FilesChange {
  return {
    baseSha,
    entries: entries.map((e) => ({ path: e.path, mode: (e.status === 'deleted' ? '100644' : e.mode) as TreeEntry['mode'], sha: e.status === 'deleted' ? null : e.blob })),
    blobs,
    paths: entries.map((e) => e.path),
  };
}

/** Whether any path of the change is a workflow file. */
export function touchesWorkflows(change: FilesChange): boolean {
  return change.paths.some(isWorkflowPath);
}

/** Refuses a change that would commit a secret, naming the files (never the value). */
async function refuseSecrets(
  files: readonly RawEntry[],
  contents: ReadonlyMap<string, Buffer>,
  redactor: Redactor,
  before: (path: string) => Promise<Buffer | undefined>,
): Promise<void> {
  const leaking = await filesWithSecrets(files, contents, redactor, before);
  if (leaking.length === 0) return;
  const names = leaking
    .slice(0, 5)
    .map((f) => `\`${f.replace(/`/g, "'")}\``)
    .join(', ');
  throw new UserError(`The agent's change would commit a secret or an access token (in ${names}), so nothing was pushed. Ask again without putting credentials in files.`);
}

/**
 * The files whose new content holds a secret that was not already there: the app's own values always
 * count; a shape the same file already held in the starting commit (a test fixture's fake key) does
 * not. What the file held is asked of GitHub, and only when a shape is found.
 */
async function filesWithSecrets(
  files: readonly RawEntry[],
  contents: ReadonlyMap<string, Buffer>,
  redactor: Redactor,
  before: (path: string) => Promise<Buffer | undefined>,
): Promise<string[]> {
  const found: string[] = [];
  for (const f of files) {
    // latin1 keeps every byte, so a secret inside a binary file reads as itself.
    const after = (contents.get(f.blob) ?? Buffer.alloc(0)).toString('latin1');
    if (redactor.holdsSecretValue(after)) {
      found.push(f.path);
      continue;
    }
    const shapes = [...redactor.tokenShapes(after), ...(await secretShapes(after)).map((s) => s.text)];
    if (shapes.length === 0) continue;
    const was = f.status === 'added' ? '' : ((await before(f.path)) ?? Buffer.alloc(0)).toString('latin1');
    if (shapes.some((s) => !was.includes(s))) found.push(f.path);
  }
  return found;
}

/** Lines added and removed per path, for the report (git's numstat in the sandbox; a count only, never trusted for anything else). */
async function lineCounts(sandbox: Sandbox, file: string): Promise<Map<string, Pick<FileChange, 'added' | 'removed' | 'binary'>>> {
  const counts = new Map<string, Pick<FileChange, 'added' | 'removed' | 'binary'>>();
  const text = Buffer.from(await sandbox.readFile(file, { maxBytes: 8 * 1024 * 1024 }).catch(() => new Uint8Array())).toString('utf8');
  for (const record of text.split('\0')) {
    const m = /^(\d+|-)\t(\d+|-)\t(.+)$/s.exec(record);
    if (!m) continue;
    const binary = m[1] === '-';
    counts.set(m[3] ?? '', { added: binary ? 0 : Number(m[1]), removed: binary ? 0 : Number(m[2]), binary });
  }
  return counts;
}

function asUserError(err: unknown): unknown {
  if (!(err instanceof UnsafeChangeError)) return err;
  return new UserError(`The agent's change could not be read safely: ${err.problem}. Nothing was pushed. Ask again without it.`);
}
