/** Every comment the app posts carries this marker, so it can recognise its own words. */
export const OWN_COMMENT_MARKER = '<!-- issuesmith -->';

/** The app never reacts to its own comments, even if they were posted under another account. */
export function isOwnComment(body: string): boolean {
  return body.includes(OWN_COMMENT_MARKER);
}
