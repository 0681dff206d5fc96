import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { settingsFromEnv } from '../../../src/config/settings.js';
import type { JobGitHub } from '../../../src/github/job-github.js';
import type { JobDeps } from '../../../src/jobs/job-deps.js';
import { silentProgress } from '../../../src/jobs/progress.js';
import { bringImages, firstRunTexts } from '../../../src/jobs/steps/bring-images.js';
import { workspace } from '../../../src/jobs/steps/open-sandbox.js';
import { Turn } from '../../../src/jobs/steps/turn.js';
import type { Sandbox } from '../../../src/sandbox/provider.js';
import { Redactor } from '../../../src/security/redact.js';
import { makeJob, recordingLogger } from '../../helpers/jobs.js';
import { useStrictNock } from '../../helpers/nock-harness.js';

const TOKEN = 'ghs_bringimages000000000000000000000000000000000000000';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(600, 7)]);
const A = '/user-attachments/assets/aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa';
const B = '/user-attachments/assets/bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb';

/** A github.com deployment's step, with a sandbox that keeps what is written and GitHub's Markdown rendering faked. */
function setUp(o: { env?: Record<string, string>; rendered?: (text: string) => string } = {}) {
  const written = new Map<string, Uint8Array>();
  const warnings: string[] = [];
  const rendered: string[] = [];
  const sandbox = { id: 'sbx', homeDir: '/home/user', writeFile: async (p: string, d: Uint8Array) => void written.set(p, d) } as unknown as Sandbox;
  const github = {
    baseUrl: 'https://api.github.com',
    readToken: async () => TOKEN,
    renderMarkdown: async (text: string) => {
      rendered.push(text);
      if (o.rendered === undefined) throw new Error('not expected');
      return o.rendered(text);
    },
  } as unknown as JobGitHub;
  const deps = {
    github,
    settings: settingsFromEnv(o.env ?? {}),
    log: recordingLogger(),
    redactor: new Redactor(),
    progress: { ...silentProgress, warn: (t: string) => warnings.push(t) },
  } as unknown as JobDeps;
  const run = (body: string, comment?: string) => {
    const job = makeJob({ issue: { title: 't', body }, ...(comment !== undefined ? { comment, trigger: { type: 'comment', commentId: 1 } } : {}) });
    return bringImages(new Turn(job, deps), workspace(sandbox, 'sha'), firstRunTexts(job));
  };
  return { run, written, warnings, rendered };
}

function recordAuth(seen: Array<string | undefined>) {
  return function (this: nock.ReplyFnContext): void {
    seen.push(this.req.headers.authorization as string | undefined);
  };
}

describe("bringing a github.com request's images into the sandbox", () => {
  useStrictNock();

  it('sends the token to github.com, not to the signed address it redirects to, and writes the image beside the prompt', async () => {
    const seen: Array<string | undefined> = [];
    const record = recordAuth(seen);
    nock('https://github.com')
      .get(A)
      .reply(function () {
        record.call(this);
        return [302, '', { Location: 'https://private-user-images.githubusercontent.com/583231/1-a.png?jwt=eyJsigned' }];
      });
    nock('https://private-user-images.githubusercontent.com')
      .get('/583231/1-a.png')
      .query({ jwt: 'eyJsigned' })
      .reply(function () {
        record.call(this);
        return [200, PNG];
      });
    const { run, written } = setUp();
    const r = await run(`![login](https://github.com${A})`);
    expect(seen).toEqual([`Bearer ${TOKEN}`, undefined]);
    expect(r.images).toEqual([
      { path: expect.stringMatching(/^\/home\/user\/\.issuesmith\/images\/[0-9a-f]{8}-1\.png$/), alt: 'login', from: 'issue', source: `https://github.com${A}` },
    ]);
    expect(Buffer.from(written.get(r.images[0]!.path)!)).toEqual(PNG);
  });

  it("fetches a private repository's attachment, which answers 404 to the token, through the signed address GitHub's rendering gives it", async () => {
    nock('https://github.com').get(A).reply(404, 'Not Found').get(B).reply(404, 'Not Found');
    nock('https://private-user-images.githubusercontent.com')
      .get('/583231/2-b.jpg')
      .query({ jwt: 'eyJb' })
      .reply(function () {
        expect(this.req.headers.authorization).toBeUndefined();
        return [200, JPEG];
      });
    const { run, written, rendered } = setUp({
      rendered: () =>
        [
          // A signed address on another host is not fetched, whatever the rendering says.
          '<p><a target="_blank" rel="noopener noreferrer" href="https://evil.example/a.png"><img src="https://evil.example/a.png" alt="" style="max-width: 100%;"></a></p>',
          '<p><a target="_blank" rel="noopener noreferrer" href="https://private-user-images.githubusercontent.com/583231/2-b.jpg?jwt=eyJb"><img src="https://private-user-images.githubusercontent.com/583231/2-b.jpg?jwt=eyJb" alt="" style="max-width: 100%;"></a></p>',
        ].join('\n'),
    });
    const r = await run(`![a](https://github.com${A})\n![b](https://github.com${B})`);
    expect(rendered).toEqual([`![](https://github.com${A})\n\n![](https://github.com${B})`]);
    expect(r.images.map((i) => i.source)).toEqual([`https://github.com${B}`]);
    expect(r.images[0]!.path).toMatch(/-2\.jpg$/);
    expect(Buffer.from(written.get(r.images[0]!.path)!)).toEqual(JPEG);
    expect(r.notes).toEqual([`the image https://github.com${A} in the issue was not downloaded: GitHub answered 404.`]);
  });

  it('holds the total cap: an image that would pass it is a note', async () => {
    nock('https://github.com').get(A).reply(200, JPEG).get(B).reply(200, JPEG);
    // 1 kB an image, 1.5 kB together: the second (600 bytes more) would pass the total.
    const { run, warnings } = setUp({ env: { ISSUESMITH_IMAGES_MAX_MB: String(1 / 1024), ISSUESMITH_IMAGES_MAX_TOTAL_MB: String(1 / 1024) } });
    const r = await run(`![a](https://github.com${A})`, `/agent fix\n<img src="https://github.com${B}">`);
    expect(r.images.map((i) => i.from)).toEqual(['issue']);
    expect(warnings).toEqual([`The image https://github.com${B} in the comment was not downloaded: the request's images together would be larger than 1 kB.`]);
  });

  it('skips an SVG with a note: it can carry scripts', async () => {
    nock('https://github.com').get(A).reply(200, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', { 'Content-Type': 'image/svg+xml' });
    const { run, written } = setUp();
    const r = await run(`<img src="https://github.com${A}">`);
    expect(r.images).toEqual([]);
    expect(written.size).toBe(0);
    expect(r.notes[0]).toContain('it is an SVG image, which can carry scripts');
  });

  it('gives up on a download that takes longer than the time limit, with a note', async () => {
    nock('https://github.com').get(A).delay(10_000).reply(200, PNG);
    const { run } = setUp({ env: { ISSUESMITH_IMAGES_TIMEOUT_SECONDS: '0.2' } });
    const r = await run(`![a](https://github.com${A})`);
    expect(r.images).toEqual([]);
    expect(r.notes).toEqual([`the image https://github.com${A} in the issue was not downloaded: the download failed or took too long.`]);
  });

  it('fetches nothing for images only on other hosts, look-alike hosts, hidden in HTML comments or in code, and with the count at 0', async () => {
    const { run, rendered } = setUp();
    const body = [
      '![x](https://example.com/x.png)',
      `![x](https://github.com.evil.example${A})`,
      `![x](https://github.com@evil.example${A})`,
      `<!-- ![hidden](https://github.com${A}) -->`,
      `\`![code](https://github.com${A})\``,
      `![x](data:image/png;base64,${PNG.toString('base64')})`,
    ].join('\n');
    const r = await run(body);
    expect(r).toEqual({ images: [], notes: [], linked: 4 });
    expect(rendered).toEqual([]);
    const off = setUp({ env: { ISSUESMITH_IMAGES_MAX_COUNT: '0' } });
    expect(await off.run(`![a](https://github.com${A})`)).toEqual({ images: [], notes: [], linked: 0 });
  });
});
