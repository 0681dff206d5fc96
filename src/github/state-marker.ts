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
});

export type PullRequestState = z.infer<typeof stateSchema>;

const MARKER = /<!-- issuesmith:state (\{[\s\S]*?\}) -->/;

export function renderStateMarker(state: PullRequestState): string {
  // `<` and `>` are escaped so no value can close the HTML comment early.
  const json = JSON.stringify(state).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
  return `<!-- issuesmith:state ${json} -->`;
}

/** Reads the marker from a pull request body; undefined when there is none or it does not parse. */
export function parseStateMarker(body: string): PullRequestState | undefined {
  const read = readStateMarker(body);
  return read.kind === 'ok' ? read.state : undefined;
}

export type StateMarkerRead = { kind: 'none' } | { kind: 'invalid'; reason: string } | { kind: 'ok'; state: PullRequestState };

/** Like `parseStateMarker`, telling a body without a marker from one whose marker is broken (worth a log line). */
export function readStateMarker(body: string): StateMarkerRead {
  const m = MARKER.exec(body);
  if (!m?.[1]) return /<!-- issuesmith:state/.test(body) ? { kind: 'invalid', reason: 'the state marker is not closed' } : { kind: 'none' };
  let json: unknown;
  try {
    json = JSON.parse(m[1]);
  } catch {
    return { kind: 'invalid', reason: 'the state marker is not JSON' };
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) return { kind: 'invalid', reason: `the state marker does not parse: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  return { kind: 'ok', state: parsed.data };
}

