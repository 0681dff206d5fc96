import { OWN_COMMENT_MARKER } from '../access/is-own-comment.js';

// Comments about what happened to a job in the queue, rather than in its pipeline.

/** A waiting job this process had to drop on shutdown, with no shared queue to put it back in. */
export function lostOnRestartComment(o: { ref: string }): string {
  return `${OWN_COMMENT_MARKER}\n:warning: The app was restarted before this request could start, so it will not run. Comment again to retry (reference \`${o.ref}\`).`;
}

/** A job whose worker died with it again and again: it is not run again. */
export function abandonedComment(o: { attempts: number; ref: string }): string {
  return `${OWN_COMMENT_MARKER}\n:x: This job failed: the worker running it stopped unexpectedly ${o.attempts} times, so it will not be run again. Nothing was pushed. Comment again to retry (reference \`${o.ref}\`).`;
}
