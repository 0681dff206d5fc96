import { mayHoldWriteAccess } from '../access/may-hold-write-access.js';
import { ignore } from './ignore.js';
import type { Intent } from './intent-types.js';

/**
 * The pre-filter on the payload's `author_association`: a request in the app's words from someone it
 * shows as an outsider is not queued but handed to the refusal path, with what it would have been (for
 * the rare outsider GitHub's payload is wrong about: see OutsiderRequest). A command that may be the
 * repository's own is dropped without a word. Everyone else goes on to the worker's real check.
 */
export function screened(intent: Intent, association: string | null | undefined): Intent {
  if (mayHoldWriteAccess(association)) return intent;
  const as = association ?? '';
  switch (intent.kind) {
    case 'candidate':
      return ignore(`a command that may be the repository's, from an outsider (${as})`);
    case 'control': {
      const { action, deliveryId, installationId, owner, repo, number, requester } = intent.request;
      return { kind: 'outsider', request: { action, deliveryId, installationId, owner, repo, number, requester, association: as }, intent };
    }
    case 'run':
    case 'help':
    case 'continue': {
      const { deliveryId, installationId, owner, repo, number, requester } = intent.job;
      return { kind: 'outsider', request: { action: 'start', deliveryId, installationId, owner, repo, number, requester, association: as }, intent };
    }
    default:
      return intent;
  }
}
