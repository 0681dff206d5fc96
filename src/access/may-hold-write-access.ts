/**
 * The payload's `author_association` values of someone who cannot hold write access to the repository:
 * not a member of its organisation, not a collaborator, not its owner.
 */
const OUTSIDERS = new Set(['NONE', 'FIRST_TIMER', 'FIRST_TIME_CONTRIBUTOR', 'CONTRIBUTOR', 'MANNEQUIN']);

/**
 * A pre-filter for the webhook handler, which makes no API call: false only when the payload says the
 * author is an outsider. True is never a grant; the worker asks GitHub for the real permission. A
 * missing or unknown value passes, so the worker decides.
 */
export function mayHoldWriteAccess(association: string | null | undefined): boolean {
  if (association === undefined || association === null) return true;
  return !OUTSIDERS.has(association.toUpperCase());
}
