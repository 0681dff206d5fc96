import { OWN_COMMENT_MARKER } from '../access/is-own-comment.js';

// Comments about what happened to a job in the queue, rather than in its pipeline.

/** Most references a lost-requests comment lists; the rest are counted. */
const LISTED_REFS = 10;

/** Waiting jobs of one issue this process had to drop on shutdown, with no shared queue to put them back in. */
export function lostOnRestartComment(o: { refs: readonly string[] }): string {
  const listed = o.refs
    .slice(0, LISTED_REFS)
    .map((ref) => `\`${plainRef(ref)}\``)
    .join(', ');
  const more = o.refs.length > LISTED_REFS ? ` and ${o.refs.length - LISTED_REFS} more` : '';
  const what = o.refs.length === 1 ? 'this request could start, so it will' : `these ${o.refs.length} requests could start, so they will`;
  return `${OWN_COMMENT_MARKER}\n:warning: The app was restarted before ${what} not run. Comment again to retry (${o.refs.length === 1 ? 'reference' : 'references'} ${listed}${more}).`;
}

/** A delivery id as GitHub makes them (a GUID); anything else in one (it comes in a header the signature does not cover) is dropped. */
function plainRef(ref: string): string {
  return ref.replace(/[^A-Za-z0-9._-]/g, '');
}

/** A job whose worker died with it again and again: it is not run again. */
export function abandonedComment(o: { attempts: number; ref: string }): string {
  return `${OWN_COMMENT_MARKER}\n:x: This job failed: the worker running it stopped unexpectedly ${o.attempts} times, so it will not be run again. Nothing was pushed. Comment again to retry (reference \`${plainRef(o.ref)}\`).`;
}
