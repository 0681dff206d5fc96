import { imageKind, looksLikeSvg, type ImageKind } from './image-kind.js';
import { redirectAllowed, sendsToken, type AttachmentHosts } from './image-url.js';

export interface DownloadOptions {
  hosts: AttachmentHosts;
  /** The installation token, sent only to the GitHub host itself and never again once a redirect left it. */
  token: string | undefined;
  /** Larger bodies are refused as soon as they are known to be (Content-Length, or bytes read so far). */
  maxBytes: number;
  /** Ends the download (the images' time limit, a stopped job). */
  signal: AbortSignal;
}

export type Download =
  | { ok: true; bytes: Uint8Array; kind: ImageKind }
  /** `status`: GitHub's answer when it was not a success (404 for an attachment the token cannot see). */
  | { ok: false; reason: DownloadFailure; status?: number };

export type DownloadFailure = 'too-large' | 'not-an-image' | 'svg' | 'redirect-refused' | 'too-many-redirects' | 'http-error' | 'failed';

const MAX_REDIRECTS = 4;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Downloads one image. Redirects are followed by hand, each checked against the allowed hosts
 * (image-url.ts) before it is requested; the token goes only to the GitHub host and is dropped for good
 * at the first hop that leaves it. The body is read up to `maxBytes` and must be a PNG, JPEG, GIF or
 * WebP by its own bytes. Never throws: every failure is a reason.
 */
export async function downloadImage(start: URL, o: DownloadOptions): Promise<Download> {
  let url = start;
  let token = o.token;
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      if (!sendsToken(url, o.hosts)) token = undefined;
      const headers: Record<string, string> = { accept: 'image/png, image/jpeg, image/gif, image/webp', 'user-agent': 'issuesmith' };
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      const res = await fetch(url.href, { redirect: 'manual', headers, signal: o.signal });
      if (REDIRECTS.has(res.status)) {
        await res.body?.cancel().catch(() => undefined);
        const location = res.headers.get('location');
        let next: URL;
        try {
          next = new URL(location ?? '', url);
        } catch {
          return { ok: false, reason: 'redirect-refused' };
        }
        if (location === null || !redirectAllowed(next, o.hosts)) return { ok: false, reason: 'redirect-refused' };
        url = next;
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        return { ok: false, reason: 'http-error', status: res.status };
      }
      const bytes = await readCapped(res, o.maxBytes);
      if (bytes === undefined) return { ok: false, reason: 'too-large' };
      const kind = imageKind(bytes);
      if (kind === undefined) return { ok: false, reason: looksLikeSvg(bytes) ? 'svg' : 'not-an-image' };
      return { ok: true, bytes, kind };
    }
    return { ok: false, reason: 'too-many-redirects' };
  } catch {
    return { ok: false, reason: 'failed' };
  }
}

/** The body, or undefined as soon as it is known to be larger than `max` bytes (the rest is never read). */
async function readCapped(res: Response, max: number): Promise<Uint8Array | undefined> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (res.body === null) return new Uint8Array();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
