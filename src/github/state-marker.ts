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
  const m = MARKER.exec(body);
  if (!m?.[1]) return undefined;
  try {
    const parsed = stateSchema.safeParse(JSON.parse(m[1]));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
