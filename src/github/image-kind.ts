/** The image formats the app hands to agents, known by their first bytes. */
export type ImageKind = 'png' | 'jpeg' | 'gif' | 'webp';

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * What kind of image `bytes` hold, by their magic numbers alone (never by a server's Content-Type or a
 * file name); undefined for anything else. SVG is not among them: it is XML that can carry scripts.
 */
export function imageKind(bytes: Uint8Array): ImageKind | undefined {
  const starts = (sig: number[], at = 0): boolean => bytes.length >= at + sig.length && sig.every((b, i) => bytes[at + i] === b);
  const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
  if (starts(PNG)) return 'png';
  if (starts([0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts(ascii('GIF87a')) || starts(ascii('GIF89a'))) return 'gif';
  if (starts(ascii('RIFF')) && starts(ascii('WEBP'), 8)) return 'webp';
  return undefined;
}

/** Whether the bytes look like an SVG document (told apart only to say why it was skipped). */
export function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 1024)).toLowerCase();
  return head.includes('<svg');
}
