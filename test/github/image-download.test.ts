import { Readable } from 'node:stream';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { downloadImage } from '../../src/github/image-download.js';
import { attachmentHosts } from '../../src/github/image-url.js';
import { imageKind } from '../../src/github/image-kind.js';
import { useStrictNock } from '../helpers/nock-harness.js';

const TOKEN = 'ghs_imagetoken000000000000000000000000000000000000000';
const HOSTS = attachmentHosts('https://api.github.com');
const ASSET = '/user-attachments/assets/0bec7adc-52c5-432f-bca7-c9a3186649b4';
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR-a-small-png')]);

function download(url: string, maxBytes = 1024) {
  return downloadImage(new URL(url), { hosts: HOSTS, token: TOKEN, maxBytes, signal: AbortSignal.timeout(10_000) });
}

describe('downloading one image of a request', () => {
  useStrictNock();

  it('sends the token to github.com and not to the signed address it redirects to', async () => {
    const seen: Array<string | undefined> = [];
    nock('https://github.com')
      .get(ASSET)
      .reply(function () {
        seen.push(this.req.headers.authorization as string | undefined);
        return [302, '', { Location: 'https://private-user-images.githubusercontent.com/1/a.png?jwt=signed' }];
      });
    nock('https://private-user-images.githubusercontent.com')
      .get('/1/a.png')
      .query({ jwt: 'signed' })
      .reply(function () {
        seen.push(this.req.headers.authorization as string | undefined);
        return [200, PNG];
      });
    const got = await download(`https://github.com${ASSET}`);
    expect(got).toMatchObject({ ok: true, kind: 'png' });
    expect(seen).toEqual([`Bearer ${TOKEN}`, undefined]);
  });

  it('never brings the token back once a redirect left the GitHub host', async () => {
    const seen: Array<string | undefined> = [];
    const record = function (this: nock.ReplyFnContext): void {
      seen.push(this.req.headers.authorization as string | undefined);
    };
    nock('https://github.com')
      .get(ASSET)
      .reply(function () {
        record.call(this);
        return [302, '', { Location: 'https://private-user-images.githubusercontent.com/1/a.png' }];
      })
      .get('/user-attachments/assets/back')
      .reply(function () {
        record.call(this);
        return [200, PNG];
      });
    nock('https://private-user-images.githubusercontent.com')
      .get('/1/a.png')
      .reply(function () {
        record.call(this);
        return [302, '', { Location: 'https://github.com/user-attachments/assets/back' }];
      });
    expect(await download(`https://github.com${ASSET}`)).toMatchObject({ ok: true });
    expect(seen).toEqual([`Bearer ${TOKEN}`, undefined, undefined]);
  });

  it('does not follow a redirect to a host that is not allowed (nothing is requested there)', async () => {
    nock('https://github.com').get(ASSET).reply(302, '', { Location: 'https://evil.example/steal' });
    expect(await download(`https://github.com${ASSET}`)).toEqual({ ok: false, reason: 'redirect-refused' });
    nock('https://github.com').get(ASSET).reply(302, '', { Location: 'https://github.com.evil.example/x.png' });
    expect(await download(`https://github.com${ASSET}`)).toEqual({ ok: false, reason: 'redirect-refused' });
    nock('https://github.com').get(ASSET).reply(302, '', { Location: 'http://private-user-images.githubusercontent.com/1/a.png' });
    expect(await download(`https://github.com${ASSET}`)).toEqual({ ok: false, reason: 'redirect-refused' });
  });

  it('stops after a few redirects', async () => {
    nock('https://github.com')
      .get(ASSET)
      .times(5)
      .reply(302, '', { Location: `https://github.com${ASSET}` });
    expect(await download(`https://github.com${ASSET}`)).toEqual({ ok: false, reason: 'too-many-redirects' });
  });

  it('refuses a body larger than the cap, by its Content-Length or by what arrives', async () => {
    nock('https://github.com').get(ASSET).reply(200, Buffer.alloc(2048, 1), { 'Content-Length': '2048' });
    expect(await download(`https://github.com${ASSET}`)).toEqual({ ok: false, reason: 'too-large' });
    // No length announced: the body is cut off as soon as it is over.
    nock('https://github.com')
      .get(ASSET)
      .reply(200, () => Readable.from([Buffer.concat([PNG, Buffer.alloc(600)]), Buffer.alloc(600)]));
    expect(await download(`https://github.com${ASSET}`)).toEqual({ ok: false, reason: 'too-large' });
  });

  it('refuses what is not a PNG, JPEG, GIF or WebP by its bytes, whatever its Content-Type says, and SVG', async () => {
    nock('https://github.com').get(ASSET).reply(200, '<!doctype html><title>Sign in</title>', { 'Content-Type': 'image/png' });
    expect(await download(`https://github.com${ASSET}`)).toEqual({ ok: false, reason: 'not-an-image' });
    nock('https://github.com').get(ASSET).reply(200, '<?xml version="1.0"?><svg onload="alert(1)"/>', { 'Content-Type': 'image/svg+xml' });
    expect(await download(`https://github.com${ASSET}`)).toEqual({ ok: false, reason: 'svg' });
  });

  it("reports GitHub's answer when it is not a success", async () => {
    nock('https://github.com').get(ASSET).reply(404, 'Not Found');
    expect(await download(`https://github.com${ASSET}`)).toEqual({ ok: false, reason: 'http-error', status: 404 });
  });

  it('knows the four formats by their magic numbers', () => {
    const b = (...parts: Array<number[] | string>): Uint8Array => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
    expect(imageKind(PNG)).toBe('png');
    expect(imageKind(b([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(imageKind(b('GIF89a'))).toBe('gif');
    expect(imageKind(b('GIF87a'))).toBe('gif');
    expect(imageKind(b('RIFF', [1, 2, 3, 4], 'WEBPVP8 '))).toBe('webp');
    expect(imageKind(b('RIFF', [1, 2, 3, 4], 'WAVEfmt '))).toBeUndefined();
    expect(imageKind(b([0x89, 0x50, 0x4e, 0x47]))).toBeUndefined();
    expect(imageKind(b('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
  });
});
