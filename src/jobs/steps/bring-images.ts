import { randomBytes } from 'node:crypto';
import { NO_IMAGES, type PromptImage, type RequestImages } from '../../agents/image-prompt.js';
import { downloadImage, type Download } from '../../github/image-download.js';
import { findImageRefs } from '../../github/image-refs.js';
import { attachmentHosts, classifyImageUrl, describeImageUrl, type AttachmentHosts } from '../../github/image-url.js';
import type { Job } from '../../job.js';
import { cleanUntrustedText } from '../../security/untrusted-text.js';
import type { Workspace } from './open-sandbox.js';
import type { Turn } from './turn.js';

/** A text of the request that may show images: the issue's body, or the comment that asked. */
export interface RequestText {
  from: PromptImage['from'];
  text: string;
}

/** Where a request's images go in the sandbox: beside the prompt file, outside the work tree (never in the patch). */
export function imagesDir(ws: Pick<Workspace, 'promptFile'>): string {
  return `${ws.promptFile.slice(0, ws.promptFile.lastIndexOf('/'))}/images`;
}

/** The texts of a first run: the issue's body, and the comment that asked when a comment did. */
export function firstRunTexts(job: Job): RequestText[] {
  return [{ from: 'issue', text: job.issue.body }, ...followUpTexts(job)];
}

/** The texts of a follow-up: only the new comment (the issue's images were the first run's). */
export function followUpTexts(job: Job): RequestText[] {
  const comment = job.comment ?? (job.trigger.type === 'label' ? '' : job.instructions);
  return comment.trim() === '' ? [] : [{ from: 'comment', text: comment }];
}

interface Candidate {
  url: URL;
  withToken: boolean;
  alt: string;
  from: PromptImage['from'];
  /** 1-based, in the order the request shows the images of GitHub's. */
  n: number;
}

/**
 * The request's images, downloaded into the sandbox: those on this deployment's GitHub (image-url.ts),
 * at most `ISSUESMITH_IMAGES_MAX_COUNT`, each and all together within their size caps, in a bounded time,
 * checked to be images by their bytes, under names the app makes. Images on other hosts stay links and
 * are never fetched. A download that fails is a note (for the agent and on the status comment), never
 * the job's failure. An attachment of a private repository on github.com that the token cannot fetch
 * directly is fetched through the short-lived signed address GitHub's Markdown rendering gives it.
 */
export async function bringImages(turn: Turn, ws: Workspace, texts: RequestText[]): Promise<RequestImages> {
  const limits = turn.deps.settings.images;
  if (limits.maxCount === 0) return NO_IMAGES;
  const hosts = attachmentHosts(turn.deps.github.baseUrl);
  const { candidates, linked, over } = imagesOf(texts, hosts, turn.job, limits.maxCount);
  const notes: string[] = [];
  if (over > 0) notes.push(`${over} more ${over === 1 ? 'image was' : 'images were'} not downloaded: at most ${limits.maxCount} are downloaded for one request.`);
  if (candidates.length === 0) return report(turn, { images: [], notes, linked });
  turn.stopped();
  const results = await downloadAll(turn, candidates, hosts);
  const prefix = randomBytes(4).toString('hex');
  const images: PromptImage[] = [];
  for (const c of candidates) {
    const got = results.get(c)!;
    if (!got.ok) {
      notes.push(`the image ${describeImageUrl(c.url)} in the ${c.from} was not downloaded: ${why(got, limits)}.`);
      continue;
    }
    const path = `${imagesDir(ws)}/${prefix}-${c.n}.${got.kind === 'jpeg' ? 'jpg' : got.kind}`;
    try {
      await ws.sandbox.writeFile(path, got.bytes);
      images.push({ path, alt: c.alt, from: c.from, source: describeImageUrl(c.url) });
    } catch (err) {
      turn.deps.log.warn({ err, image: c.n }, 'could not write an image into the sandbox');
      notes.push(`the image ${describeImageUrl(c.url)} in the ${c.from} could not be put in the sandbox.`);
    }
  }
  return report(turn, { images, notes, linked });
}

/** The images of the texts that are GitHub's, the first `max` of them, once each; how many are elsewhere, and how many more there were. */
function imagesOf(texts: RequestText[], hosts: AttachmentHosts, job: Job, max: number): { candidates: Candidate[]; linked: number; over: number } {
  const candidates: Candidate[] = [];
  let linked = 0;
  let over = 0;
  const seen = new Set<string>();
  for (const t of texts) {
    // What GitHub hides when it shows the text (HTML comments) is not the request's: its images are not fetched.
    for (const ref of findImageRefs(cleanUntrustedText(t.text))) {
      const source = classifyImageUrl(ref.url.trim(), hosts, job);
      if (source.kind === 'foreign') linked += 1;
      else if (seen.has(source.url.href)) continue;
      else if (candidates.length >= max) over += 1;
      else candidates.push({ url: source.url, withToken: source.withToken, alt: ref.alt, from: t.from, n: candidates.length + 1 });
      if (source.kind === 'attachment') seen.add(source.url.href);
    }
  }
  return { candidates, linked, over };
}

/**
 * Downloads the images one after the other, within the images' time limit (and the job's stop), each and
 * all together within their caps. Attachments of a private repository answer 404 to an installation
 * token: GitHub's rendering of the same Markdown gives each a signed address on its image host, fetched
 * without the token.
 */
async function downloadAll(turn: Turn, candidates: Candidate[], hosts: AttachmentHosts): Promise<Map<Candidate, Fetched>> {
  const { deps } = turn;
  const limits = deps.settings.images;
  const token = candidates.some((c) => c.withToken) ? await deps.github.readToken() : undefined;
  const signal = deps.signal === undefined ? AbortSignal.timeout(limits.timeoutMs) : AbortSignal.any([AbortSignal.timeout(limits.timeoutMs), deps.signal]);
  let total = 0;
  const fetchOne = async (c: Candidate, url: URL, withToken: boolean): Promise<Fetched> => {
    const room = limits.maxTotalBytes - total;
    const options = { hosts, token: withToken ? token : undefined, maxBytes: Math.min(limits.maxBytes, room), signal };
    const got: Fetched = room <= 0 ? { ok: false, reason: 'too-large' } : await downloadImage(url, options);
    if (got.ok) total += got.bytes.byteLength;
    else deps.log.warn({ image: c.n, url: describeImageUrl(url), reason: got.reason, status: got.status }, 'an image of the request was not downloaded');
    // Too large for what was left of the total, not for one image.
    return !got.ok && got.reason === 'too-large' && room < limits.maxBytes ? { ok: false, reason: 'total-too-large' } : got;
  };
  const results = new Map<Candidate, Fetched>();
  for (const c of candidates) results.set(c, await fetchOne(c, c.url, c.withToken));
  const hidden = candidates.filter((c) => {
    const r = results.get(c);
    return hosts.dotcom && c.withToken && r !== undefined && !r.ok && r.status === 404;
  });
  if (hidden.length > 0 && !signal.aborted) {
    for (const [c, url] of await signedAddresses(turn, hidden, hosts)) results.set(c, await fetchOne(c, url, false));
  }
  return results;
}

/** The notes go on the status comment too (with its next update: no write of their own). */
function report(turn: Turn, r: RequestImages): RequestImages {
  for (const n of r.notes) turn.progress.warn?.(n.charAt(0).toUpperCase() + n.slice(1));
  return r;
}

/**
 * The signed addresses GitHub's Markdown rendering (in this repository's context) gives the attachments,
 * in one request; only those that are themselves allowed image addresses (without the token) are kept.
 */
async function signedAddresses(turn: Turn, hidden: Candidate[], hosts: AttachmentHosts): Promise<Map<Candidate, URL>> {
  const { deps, job } = turn;
  const out = new Map<Candidate, URL>();
  let html: string;
  try {
    html = await deps.github.renderMarkdown(hidden.map((c) => `![](${c.url.href})`).join('\n\n'));
  } catch (err) {
    deps.log.warn({ err }, "could not ask GitHub for the images' signed addresses");
    return out;
  }
  const srcs = findImageRefs(html);
  // One image a paragraph, in order: anything else and the answer is not the one expected.
  if (srcs.length !== hidden.length) return out;
  hidden.forEach((c, i) => {
    const source = classifyImageUrl(srcs[i]!.url, hosts, job);
    if (source.kind === 'attachment' && !source.withToken) out.set(c, source.url);
  });
  return out;
}

/** A download, or one refused because the request's images together would be too large. */
type Fetched = Download | { ok: false; reason: 'total-too-large'; status?: undefined };

function why(d: Extract<Fetched, { ok: false }>, limits: { maxBytes: number; maxTotalBytes: number }): string {
  const mb = (n: number): string => (n >= 1024 * 1024 ? `${Math.round((n / 1024 / 1024) * 10) / 10} MB` : `${Math.round(n / 1024)} kB`);
  switch (d.reason) {
    case 'too-large':
      return `it is larger than ${mb(limits.maxBytes)}`;
    case 'total-too-large':
      return `the request's images together would be larger than ${mb(limits.maxTotalBytes)}`;
    case 'svg':
      return 'it is an SVG image, which can carry scripts; only PNG, JPEG, GIF and WebP images are downloaded';
    case 'not-an-image':
      return 'what GitHub served is not a PNG, JPEG, GIF or WebP image';
    case 'redirect-refused':
      return 'GitHub sent it on to a host it is not fetched from';
    case 'too-many-redirects':
      return 'GitHub redirected it too many times';
    case 'http-error':
      return `GitHub answered ${d.status ?? 'with an error'}`;
    case 'failed':
      return 'the download failed or took too long';
  }
}
