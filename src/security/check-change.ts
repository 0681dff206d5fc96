import { posix } from 'node:path';
import { UserError } from '../errors.js';

/** What the checks need of one changed file (git's own view of it, see git/staged-change.ts). */
export interface CheckedFile {
  path: string;
  oldPath?: string;
  mode: string;
  oldMode: string;
  size: number;
}

export interface ChangeRules {
  /** The repository's `limits.max_changed_files`. */
  maxChangedFiles?: number | undefined;
  /** The smaller of the repository's `limits.max_patch_bytes` and the app's. */
  maxPatchBytes: number;
  /** Whether the patch limit is the repository's (for the message). */
  patchLimitFromRepository: boolean;
  /** The app's cap on one file's size after the change. */
  maxFileBytes: number;
  allowWorkflowChanges: boolean;
  allowSubmoduleChanges: boolean;
  allowExternalSymlinks: boolean;
  /** Whose change the messages name: the agent's by default, a fork's commits for a pull request from one. */
  subject?: string;
}

const WORKFLOWS = '.github/workflows';
const SYMLINK = '120000';
const GITLINK = '160000';
const MB = 1024 * 1024;

/** Whether a path is a workflow file or the workflows directory itself (a symlink there counts too). */
export function isWorkflowPath(path: string): boolean {
  return path === WORKFLOWS || path.startsWith(`${WORKFLOWS}/`);
}

/**
 * Refuses a change the settings do not allow, before anything is pushed: too large a patch, too many
 * files, a file over the app's size cap, workflow files (pushing those needs the `workflows`
 * permission, and a workflow runs with the repository's secrets), submodule changes.
 */
export function checkChange(files: readonly CheckedFile[], patchBytes: number, rules: ChangeRules): void {
  const subject = rules.subject ?? "The agent's change";
  if (patchBytes > rules.maxPatchBytes) throw new UserError(tooLargeMessage(patchBytes, rules));
  const paths = new Set(files.flatMap((f) => (f.oldPath !== undefined ? [f.path, f.oldPath] : [f.path])));
  if (rules.maxChangedFiles !== undefined && paths.size > rules.maxChangedFiles) {
    throw new UserError(
      `${subject} touches ${paths.size} files, more than this repository allows (\`limits.max_changed_files: ${rules.maxChangedFiles}\`), so nothing was pushed. Ask for a smaller change, or raise the limit in \`.github/issuesmith.yml\`.`,
    );
  }
  const big = files.filter((f) => f.size > rules.maxFileBytes);
  if (big.length > 0) {
    throw new UserError(
      `${subject} makes ${names(big.map((f) => f.path))} larger than the app allows for one file (${formatBytes(rules.maxFileBytes)}), so nothing was pushed. Ask for a change without such large files.`,
    );
  }
  const workflows = [...paths].filter(isWorkflowPath);
  if (!rules.allowWorkflowChanges && workflows.length > 0) {
    throw new UserError(
      `${subject} touches GitHub Actions workflows (${names(workflows)}), which this repository does not allow, so nothing was pushed. To allow it, set \`allow_workflow_changes: true\` in \`.github/issuesmith.yml\` and give the app the \`workflows\` permission.`,
    );
  }
  const submodules = files.filter((f) => f.mode === GITLINK || f.oldMode === GITLINK);
  if (!rules.allowSubmoduleChanges && submodules.length > 0) {
    throw new UserError(
      `${subject} adds, moves or updates a submodule (${names(submodules.map((f) => f.path))}), which this repository does not allow, so nothing was pushed. To allow it, set \`allow_submodule_changes: true\` in \`.github/issuesmith.yml\`.`,
    );
  }
}

/** Refuses symlinks (by their targets, read from the change) that point outside the repository, unless allowed. */
export function checkSymlinks(links: ReadonlyArray<{ path: string; target: string }>, rules: Pick<ChangeRules, 'allowExternalSymlinks' | 'subject'>): void {
  if (rules.allowExternalSymlinks) return;
  const outside = links.filter((l) => pointsOutside(l.path, l.target));
  if (outside.length === 0) return;
  throw new UserError(
    `${rules.subject ?? "The agent's change"} adds a symbolic link that points outside the repository (${names(outside.map((l) => l.path))}), so nothing was pushed. To allow such links, set \`allow_external_symlinks: true\` in \`.github/issuesmith.yml\`.`,
  );
}

export function isSymlink(f: Pick<CheckedFile, 'mode'>): boolean {
  return f.mode === SYMLINK;
}

function pointsOutside(path: string, target: string): boolean {
  if (target.startsWith('/') || target.includes('\0') || /^[A-Za-z]:/.test(target)) return true;
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  return resolved === '..' || resolved.startsWith('../');
}

function tooLargeMessage(bytes: number, rules: ChangeRules): string {
  const setting = rules.patchLimitFromRepository
    ? `more than this repository allows (\`limits.max_patch_bytes: ${rules.maxPatchBytes}\`)`
    : `more than the app allows (${formatBytes(rules.maxPatchBytes)})`;
  const fix = rules.patchLimitFromRepository ? ' Ask for a smaller change, or raise the limit in `.github/issuesmith.yml`.' : ' Ask for a smaller change.';
  return `${rules.subject ?? "The agent's change"} is ${bytes} bytes, ${setting}, so nothing was pushed.${fix}`;
}

export function formatBytes(n: number): string {
  if (n >= MB) return `${Math.round((n / MB) * 10) / 10} MB`;
  return n >= 1024 ? `${Math.round((n / 1024) * 10) / 10} KB` : `${n} bytes`;
}

function names(paths: readonly string[]): string {
  const shown = paths
    .slice(0, 5)
    .map((p) => `\`${p.replace(/`/g, "'")}\``)
    .join(', ');
  return paths.length > 5 ? `${shown} and ${paths.length - 5} more` : shown;
}
