// Characters that change what a reader sees without showing themselves: zero-width characters,
// bidirectional controls, the word joiner family, the BOM, and Unicode tag characters (which can
// smuggle whole ASCII sentences invisibly).
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\u061C\u180E\u00AD]|[\u{E0000}-\u{E007F}]/gu;

/**
 * Cleans text written by strangers before it goes into an agent's prompt: HTML comments (hidden
 * when GitHub renders the issue, so a reader would not see instructions hidden there) and invisible
 * Unicode are removed. Line endings become \n.
 */
export function cleanUntrustedText(text: string): string {
  // Removing one piece can join the halves of another (`<!-<!-- -->-`, `<!\u200B--`): repeat until
  // nothing changes. Comments go first each time, as GitHub hides them in the text as written.
  let clean = text;
  for (let previous; clean !== previous;) {
    previous = clean;
    clean = clean
      .replace(/\r\n?/g, '\n')
      .replace(/<!--[\s\S]*?(?:-->|$)/g, '')
      .replace(INVISIBLE, '');
  }
  return clean;
}
