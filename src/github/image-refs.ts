/** One image a request's text shows: its address as written and its alternative text. */
export interface ImageRef {
  url: string;
  alt: string;
}

const MARKDOWN_IMAGE = /!\[([^\]\n]{0,500})\]\(\s*(<[^>\n]{1,2000}>|[^\s)]{1,2000})(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?\s*\)/g;
const IMG_TAG = /<img\b[^>]{0,4000}>/gi;
const ATTRIBUTE = (name: string): RegExp => new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i');

/**
 * The images a Markdown text shows, in order and without repeats: `![alt](url "title")` and `<img src=…>`
 * tags, outside code blocks and code spans (an image shown as code is not shown). Pure: nothing is fetched.
 */
export function findImageRefs(markdown: string): ImageRef[] {
  const text = withoutCode(markdown);
  const found: Array<{ at: number; ref: ImageRef }> = [];
  for (const m of text.matchAll(MARKDOWN_IMAGE)) {
    let url = m[2]!;
    if (url.startsWith('<')) url = url.slice(1, -1);
    found.push({ at: m.index, ref: { url, alt: m[1]! } });
  }
  for (const m of text.matchAll(IMG_TAG)) {
    const src = attribute(m[0], 'src');
    if (src === undefined) continue;
    found.push({ at: m.index, ref: { url: decodeAmp(src), alt: decodeAmp(attribute(m[0], 'alt') ?? '') } });
  }
  const seen = new Set<string>();
  return found
    .sort((a, b) => a.at - b.at)
    .map((f) => f.ref)
    .filter((r) => !seen.has(r.url) && seen.add(r.url));
}

function attribute(tag: string, name: string): string | undefined {
  const m = ATTRIBUTE(name).exec(tag);
  return m === null ? undefined : (m[1] ?? m[2] ?? m[3]);
}

/** `&amp;` in an HTML attribute is `&`; any other character reference is left as written (the address rules then refuse it). */
function decodeAmp(s: string): string {
  return s.replaceAll('&amp;', '&');
}

/** The text with fenced code blocks and inline code spans blanked out (their length kept, so order is kept). */
function withoutCode(markdown: string): string {
  const blank = (s: string): string => s.replace(/[^\n]/g, ' ');
  const fenced = markdown.replace(/^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^ {0,3}\1[`~]*[ \t]*$|(?![\s\S]))/gm, blank);
  return fenced.replace(/(`+)[^`][\s\S]*?\1/g, blank);
}
