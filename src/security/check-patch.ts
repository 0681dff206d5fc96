import { UserError } from '../errors.js';
import { patchFiles } from '../git/patch-files.js';

export interface PatchRules {
  maxChangedFiles?: number | undefined;
  maxPatchBytes?: number | undefined;
  allowWorkflowChanges: boolean;
}

const WORKFLOWS = '.github/workflows/';

/**
 * Refuses a change the repository's settings do not allow, before anything is pushed: too many files,
 * too large a patch, or workflow files (pushing those needs the `workflows` permission, and a workflow
 * runs with the repository's secrets).
 */
export function checkPatch(patch: Uint8Array, rules: PatchRules): void {
  if (rules.maxPatchBytes !== undefined && patch.byteLength > rules.maxPatchBytes) {
    throw new UserError(
      `The agent's change is ${patch.byteLength} bytes, more than this repository allows (\`limits.max_patch_bytes: ${rules.maxPatchBytes}\`), so nothing was pushed. Ask for a smaller change, or raise the limit in \`.github/issuesmith.yml\`.`,
    );
  }
  const files = patchFiles(new TextDecoder().decode(patch));
  if (rules.maxChangedFiles !== undefined && files.length > rules.maxChangedFiles) {
    throw new UserError(
      `The agent's change touches ${files.length} files, more than this repository allows (\`limits.max_changed_files: ${rules.maxChangedFiles}\`), so nothing was pushed. Ask for a smaller change, or raise the limit in \`.github/issuesmith.yml\`.`,
    );
  }
  const workflows = files.filter((f) => f.startsWith(WORKFLOWS));
  if (!rules.allowWorkflowChanges && workflows.length > 0) {
    const names = workflows.slice(0, 5).map((f) => `\`${f}\``).join(', ');
    throw new UserError(
      `The agent's change touches GitHub Actions workflows (${names}), which this repository does not allow, so nothing was pushed. To allow it, set \`allow_workflow_changes: true\` in \`.github/issuesmith.yml\` and give the app the \`workflows\` permission.`,
    );
  }
}
