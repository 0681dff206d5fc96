import { cleanUntrustedText } from '../security/untrusted-text.js';

/** An image of the request, downloaded into the sandbox. */
export interface PromptImage {
  /** Its path in the sandbox, a name the app made. */
  path: string;
  /** Its alternative text, as the author wrote it. */
  alt: string;
  /** Where it was shown: the issue or the comment that asked. */
  from: 'issue' | 'comment';
  /** Its address in the text, without a query (a signed address's query is a short-lived credential). */
  source: string;
}

export interface RequestImages {
  images: PromptImage[];
  /** Why some images of GitHub's were not downloaded, for the agent and the status comment. */
  notes: string[];
  /** Images on other hosts, left as links. */
  linked: number;
}

export const NO_IMAGES: RequestImages = { images: [], notes: [], linked: 0 };

/**
 * The prompt's part about the request's images: where in the sandbox each one is, so an agent that reads
 * images (Claude Code, Codex) can open it, and what was left out. Nothing when the request has none.
 */
export function imagePromptParts(r: RequestImages): string[] {
  if (r.images.length === 0 && r.notes.length === 0 && r.linked === 0) return [];
  const parts = [''];
  if (r.images.length > 0) {
    parts.push(
      'The images shown in the request were downloaded into these files, outside the working tree. Open them to see what the request shows; do not copy them into the repository unless the task asks for it.',
      '<images>',
      ...r.images.map((i) => `- ${i.path} (the image ${i.source} in the ${i.from}${altText(i.alt)})`),
      '</images>',
    );
  }
  for (const n of r.notes) parts.push(`Note: ${n}`);
  if (r.linked > 0)
    parts.push(
      r.linked === 1
        ? 'One image of the request on another host was not downloaded and stays a link in the text.'
        : `${r.linked} images of the request on other hosts were not downloaded and stay links in the text.`,
    );
  return parts;
}

/** The prompt with its images' part at the end. */
export function withImages(prompt: string, r: RequestImages): string {
  const parts = imagePromptParts(r);
  return parts.length === 0 ? prompt : `${prompt.replace(/\n$/, '')}\n${parts.join('\n')}\n`;
}

function altText(alt: string): string {
  const clean = cleanUntrustedText(alt)
    .replace(/[\n"<>]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
  return clean === '' ? '' : `, alt text "${clean}"`;
}
