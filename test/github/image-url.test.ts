import { describe, expect, it } from 'vitest';
import { attachmentHosts, classifyImageUrl, redirectAllowed, type AttachmentHosts } from '../../src/github/image-url.js';

const DOTCOM = attachmentHosts('https://api.github.com');
const GHES = attachmentHosts('https://github.example.com/api/v3');
const REPO = { owner: 'Codertocat', repo: 'Hello-World' };
const ID = '0bec7adc-52c5-432f-bca7-c9a3186649b4';

function kind(raw: string, hosts: AttachmentHosts = DOTCOM): string {
  const s = classifyImageUrl(raw, hosts, REPO);
  return s.kind === 'foreign' ? 'foreign' : s.withToken ? 'with-token' : 'without-token';
}

describe('which image addresses of a request are downloaded', () => {
  it("reads the GitHub host from the API's address: github.com, or the Enterprise Server's own host and port", () => {
    expect(DOTCOM).toEqual({ protocol: 'https:', host: 'github.com', dotcom: true });
    expect(attachmentHosts('http://127.0.0.1:8080/api/v3')).toEqual({ protocol: 'http:', host: '127.0.0.1:8080', dotcom: false });
  });

  it("downloads github.com's user attachments with the token, and its image hosts without it", () => {
    expect(kind(`https://github.com/user-attachments/assets/${ID}`)).toBe('with-token');
    expect(kind(`https://GitHub.com:443/user-attachments/assets/${ID}`)).toBe('with-token');
    expect(kind(`https://github.com/Codertocat/hello-world/assets/583231/${ID}`)).toBe('with-token');
    expect(kind('https://user-images.githubusercontent.com/1188925/233099814-7f480a78-17d1.png')).toBe('without-token');
    expect(kind('https://private-user-images.githubusercontent.com/7074833/243368952-eb356c5c.png?jwt=eyJhbGciOi')).toBe('without-token');
  });

  it("downloads a GitHub Enterprise Server's attachments on its own host with the token, and nothing of github.com's", () => {
    expect(kind(`https://github.example.com/user-attachments/assets/${ID}`, GHES)).toBe('with-token');
    expect(kind(`https://github.example.com/storage/user/5/files/${ID}`, GHES)).toBe('with-token');
    expect(kind(`https://github.com/user-attachments/assets/${ID}`, GHES)).toBe('foreign');
    expect(kind('https://user-images.githubusercontent.com/1/a.png', GHES)).toBe('foreign');
    expect(kind(`http://github.example.com/user-attachments/assets/${ID}`, GHES)).toBe('foreign');
  });

  it('leaves other hosts, look-alike hosts and other GitHub pages as links', () => {
    for (const raw of [
      'https://example.com/screenshot.png',
      `https://github.com.evil.com/user-attachments/assets/${ID}`,
      `https://evil.com/github.com/user-attachments/assets/${ID}`,
      `https://githubusercontent.com.evil.com/1/a.png`,
      `https://evil-user-images.githubusercontent.com/1/a.png`,
      `https://github.com./user-attachments/assets/${ID}`,
      'https://github.com/Codertocat/Hello-World/raw/main/logo.png',
      'https://github.com/login/oauth/authorize',
      `https://github.com/someone/else/assets/583231/${ID}`,
      'https://avatars.githubusercontent.com/u/1?v=4',
      'https://camo.githubusercontent.com/abc/def',
    ]) {
      expect(kind(raw), raw).toBe('foreign');
    }
  });

  it('refuses user info, other ports, other schemes, protocol-relative and relative addresses', () => {
    for (const raw of [
      `https://github.com@evil.com/user-attachments/assets/${ID}`,
      `https://user:pass@github.com/user-attachments/assets/${ID}`,
      `https://github.com:8443/user-attachments/assets/${ID}`,
      `http://github.com/user-attachments/assets/${ID}`,
      `//github.com/user-attachments/assets/${ID}`,
      `/user-attachments/assets/${ID}`,
      'data:image/png;base64,iVBORw0KGgo=',
      'javascript:alert(1)',
      `file:///etc/passwd`,
      `ftp://github.com/user-attachments/assets/${ID}`,
    ]) {
      expect(kind(raw), raw).toBe('foreign');
    }
  });

  it('refuses hosts written in another form than the one fetched: escapes, IP literals, Unicode, backslashes', () => {
    for (const raw of [
      `https://git%68ub.com/user-attachments/assets/${ID}`,
      `https://140.82.112.3/user-attachments/assets/${ID}`,
      `https://[::1]/user-attachments/assets/${ID}`,
      `https://0x7f.1/user-attachments/assets/${ID}`,
      `https://gíthub.com/user-attachments/assets/${ID}`,
      `https:\\\\github.com/user-attachments/assets/${ID}`,
      `https://github.com\\@evil.com/user-attachments/assets/${ID}`,
      `https://github.com/user-attachments/assets/${ID}\nhttps://evil.com`,
      ` https://github.com/user-attachments/assets/${ID}`,
    ]) {
      expect(kind(raw), raw).toBe('foreign');
    }
    // An Enterprise Server reached at an IP address is that address, exactly.
    const ip = attachmentHosts('http://127.0.0.1:8080/api/v3');
    expect(kind(`http://127.0.0.1:8080/user-attachments/assets/${ID}`, ip)).toBe('with-token');
    expect(kind(`http://127.1:8080/user-attachments/assets/${ID}`, ip)).toBe('foreign');
    expect(kind(`http://127.0.0.1:8081/user-attachments/assets/${ID}`, ip)).toBe('foreign');
  });

  it('refuses escapes and dot segments in the path, and a query on the GitHub host', () => {
    for (const raw of [
      `https://github.com/user-attachments/assets/..%2F..%2Fsettings`,
      `https://github.com/user-attachments/assets/%2e%2e`,
      `https://github.com/user-attachments/assets/../../settings/tokens`,
      `https://github.com/user-attachments/assets/${ID}/extra`,
      `https://github.com/user-attachments/assets/${ID}?redirect=https://evil.com`,
      'https://user-images.githubusercontent.com/1/../../a.png',
    ]) {
      expect(kind(raw), raw).toBe('foreign');
    }
  });

  it('follows redirects only to the GitHub host and its image hosts, in https, without user info', () => {
    const ok = (u: string, h = DOTCOM): boolean => redirectAllowed(new URL(u), h);
    expect(ok('https://private-user-images.githubusercontent.com/1/a.png?jwt=x')).toBe(true);
    expect(ok('https://github-production-user-asset-6210df.s3.amazonaws.com/1/a.png?X-Amz-Signature=x')).toBe(true);
    expect(ok('https://github.com/user-attachments/assets/x')).toBe(true);
    expect(ok('http://private-user-images.githubusercontent.com/1/a.png')).toBe(false);
    expect(ok('https://evil.com/a.png')).toBe(false);
    expect(ok('https://x@private-user-images.githubusercontent.com/1/a.png')).toBe(false);
    expect(ok('https://s3.amazonaws.com/other-bucket/a.png')).toBe(false);
    expect(ok('https://media.github.example.com/user/5/files/x', GHES)).toBe(true);
    expect(ok('https://private-user-images.githubusercontent.com/1/a.png', GHES)).toBe(false);
  });
});
