import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** What a follow-up turn needs, kept in a hidden marker in the pull request body (the app has no database). */
export const stateSchema = z.object({
  v: z.literal(1),
  repo: z.string(),
  issue: z.number().int().positive(),
  profile: z.string(),
  branch: z.string(),
  session: z.string().optional(),
  sandbox: z.string().optional(),
  turns: z.number().int().nonnegative(),
  /** Automatic `fix ci` turns (ci.auto_fix): how many were started, on which head last, and whether the used-up comment was posted. */
  ci: z.object({ attempts: z.number().int().nonnegative(), head: z.string(), told: z.boolean().optional() }).optional(),
});

export type PullRequestState = z.infer<typeof stateSchema>;

/**
 * What a marker is signed with and for: the app's state key, and the installation and repository
 * whose pull request body holds it. A marker signed for one repository means nothing in another.
 */
export interface StateSeal {
  key: Uint8Array;
  installation: number | string;
  /** `owner/repo`; compared lower-cased. */
  repo: string;
}

// Everything between the opener and the first ` -->`: our JSON never holds `>` (escaped below), so a
// marker cannot end early, and whatever else is there is judged by its signature.
const MARKERS = /<!-- issuesmith:state ([\s\S]*?) -->/g;
const SIGNED = /^(\{[\s\S]*\}) sha256=([0-9a-f]{64})$/;

function signature(json: string, seal: StateSeal): Buffer {
  return createHmac('sha256', seal.key)
    .update(`issuesmith state v1\n${String(seal.installation)}\n${seal.repo.toLowerCase()}\n${json}`)
    .digest();
}

export function renderStateMarker(state: PullRequestState, seal: StateSeal): string {
  // `<` and `>` are escaped so no value can close the HTML comment early.
  return sealedMarker(JSON.stringify(state).replace(/</g, '\\u003c').replace(/>/g, '\\u003e'), seal);
}

/** The marker for exactly this JSON text, signed; `renderStateMarker` is the way to write a state. */
export function sealedMarker(json: string, seal: StateSeal): string {
  return `<!-- issuesmith:state ${json} sha256=${signature(json, seal).toString('hex')} -->`;
}

/** Reads the marker from a pull request body; undefined when there is no validly signed one. */
export function parseStateMarker(body: string, seal: StateSeal | undefined): PullRequestState | undefined {
  const read = readStateMarker(body, seal);
  return read.kind === 'ok' ? read.state : undefined;
}

export type StateMarkerRead = { kind: 'none' } | { kind: 'invalid'; reason: string } | { kind: 'ok'; state: PullRequestState };

/**
 * Like `parseStateMarker`, telling a body without a marker from one whose markers are all broken or
 * forged (worth a log line). Every marker in the body is read, and the last validly signed one wins:
 * an agent's summary quoted above the real marker, or anyone who can edit the body, can add text that
 * looks like one, but cannot sign it. Without a seal (no key) no marker is trusted.
 */
export function readStateMarker(body: string, seal: StateSeal | undefined): StateMarkerRead {
  const reasons: string[] = [];
  let found: PullRequestState | undefined;
  for (const m of body.matchAll(MARKERS)) {
    const read = readOne(m[1] ?? '', seal);
    if (read.kind === 'ok') found = read.state;
    else if (read.kind === 'invalid') reasons.push(read.reason);
  }
  if (found !== undefined) return { kind: 'ok', state: found };
  if (reasons.length > 0) return { kind: 'invalid', reason: [...new Set(reasons)].join('; ') };
  return body.includes('<!-- issuesmith:state') ? { kind: 'invalid', reason: 'the state marker is not closed' } : { kind: 'none' };
}

function readOne(text: string, seal: StateSeal | undefined): StateMarkerRead {
  const signed = SIGNED.exec(text);
  if (signed?.[1] === undefined || signed[2] === undefined) return { kind: 'invalid', reason: 'the state marker is not signed' };
  const [, json, hex] = signed;
  if (seal === undefined) return { kind: 'invalid', reason: 'the app has no state key to check the state marker with' };
  const expected = signature(json, seal);
  const given = Buffer.from(hex, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { kind: 'invalid', reason: 'the state marker signature does not match (forged, edited, or signed for another installation or repository)' };
  }
  let parsedJson: unknown;
  try {
    parsedJson = JSON.parse(json);
  } catch {
    return { kind: 'invalid', reason: 'the state marker is not JSON' };
  }
  const parsed = stateSchema.safeParse(parsedJson);
  if (!parsed.success) return { kind: 'invalid', reason: `the state marker does not parse: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  return { kind: 'ok', state: parsed.data };
}
