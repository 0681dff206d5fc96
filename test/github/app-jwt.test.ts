import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import nock from 'nock';
import { pino } from 'pino';
import { Probot } from 'probot';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { APP_JWT_REUSE_S, appJwtFactory } from '../../src/github/app-jwt.js';
import { appOctokit } from '../../src/github/app-octokit.js';
import type { Octokit } from '../../src/github/octokit.js';
import { useStrictNock } from '../helpers/nock-harness.js';
import { privateKey } from '../helpers/probot.js';

const API = 'https://api.github.com';

let otherKey: string | undefined;
/** A second app's key, unlike the helper's. */
function otherPrivateKey(): string {
  otherKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return otherKey;
}

/** The JWT's claims, once its RS256 signature checks out against the public half of `pem`. */
function claims(jwt: string, pem: string): { iat: number; exp: number; iss: unknown } {
  const [header = '', payload = '', signature = ''] = jwt.replace(/^bearer /i, '').split('.');
  expect(JSON.parse(Buffer.from(header, 'base64url').toString('utf8'))).toEqual({ alg: 'RS256', typ: 'JWT' });
  const valid = verify('sha256', Buffer.from(`${header}.${payload}`), createPublicKey(pem), Buffer.from(signature, 'base64url'));
  if (!valid) throw new Error('the JWT is not signed by this key');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iat: number; exp: number; iss: unknown };
}

const T0 = Date.parse('2026-12-02T12:00:00Z');

type NockReply = [number, unknown] | [number, unknown, Record<string, string>];

/** A nock reply that keeps the Authorization header each request came with, then answers with `reply`. */
function recordingAuth(seen: string[], reply: () => NockReply): (this: { req: { headers: Record<string, unknown> } }) => NockReply {
  return function () {
    seen.push(String(this.req.headers.authorization));
    return reply();
  };
}

describe("the app's JWT", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is signed RS256 with the app key, issued by the app id, backdated 30 s and valid 10 minutes from then', async () => {
    const { jwt, expiresAt } = await appJwtFactory(privateKey())(123);
    const c = claims(jwt, privateKey());
    expect(c).toEqual({ iss: 123, iat: T0 / 1000 - 30, exp: T0 / 1000 - 30 + 600 });
    expect(expiresAt).toBe(new Date(c.exp * 1000).toISOString());
  });

  it('is reused for requests within five minutes, and made anew before it expires', async () => {
    const createJwt = appJwtFactory(privateKey());
    const first = await createJwt(123);
    vi.setSystemTime(T0 + 10_000);
    expect((await createJwt(123)).jwt).toBe(first.jwt);
    vi.setSystemTime(T0 + APP_JWT_REUSE_S * 1000 - 1);
    const last = await createJwt(123);
    expect(last.jwt).toBe(first.jwt);
    // The last request that carries it still has over four minutes of its life left.
    expect(claims(last.jwt, privateKey()).exp * 1000 - Date.now()).toBeGreaterThan(4 * 60_000);
    vi.setSystemTime(T0 + APP_JWT_REUSE_S * 1000);
    const next = await createJwt(123);
    expect(next.jwt).not.toBe(first.jwt);
    expect(claims(next.jwt, privateKey()).iat).toBe((T0 + APP_JWT_REUSE_S * 1000) / 1000 - 30);
  });

  it('is signed once for many requests at once', () => {
    const createJwt = appJwtFactory(privateKey());
    const calls = Array.from({ length: 20 }, () => createJwt(123));
    expect(new Set(calls).size).toBe(1);
    return Promise.all(calls);
  });

  it('is made anew when the clock was set back past the moment it was made', async () => {
    const createJwt = appJwtFactory(privateKey());
    const first = await createJwt(123);
    vi.setSystemTime(T0 - 3600_000);
    const after = await createJwt(123);
    expect(after.jwt).not.toBe(first.jwt);
    expect(claims(after.jwt, privateKey()).iat).toBe((T0 - 3600_000) / 1000 - 30);
  });

  it("is each app id's own: a JWT made for one app id is never handed to another", async () => {
    const createJwt = appJwtFactory(privateKey());
    const one = await createJwt(123);
    const two = await createJwt('456');
    expect(claims(one.jwt, privateKey()).iss).toBe(123);
    expect(claims(two.jwt, privateKey()).iss).toBe('456');
    expect((await createJwt(123)).jwt).toBe(one.jwt);
  });

  it("is each key's own: two apps' JWTs are signed with their own keys", async () => {
    const mine = await appJwtFactory(privateKey())(123);
    const theirs = await appJwtFactory(otherPrivateKey())(123);
    expect(() => claims(theirs.jwt, privateKey())).toThrow('not signed by this key');
    expect(claims(mine.jwt, privateKey()).iss).toBe(123);
    expect(claims(theirs.jwt, otherPrivateKey()).iss).toBe(123);
  });

  it("follows GitHub's clock when told ours is off, for that request alone", async () => {
    const createJwt = appJwtFactory(privateKey());
    const usual = await createJwt(123);
    const skewed = await createJwt(123, 3600);
    expect(claims(skewed.jwt, privateKey()).iat).toBe(T0 / 1000 + 3600 - 30);
    expect((await createJwt(123)).jwt).toBe(usual.jwt);
  });

  it('accepts a key whose line breaks are escaped, as environment variables often hold it', async () => {
    const escaped = privateKey().replace(/\n/g, '\\n');
    const { jwt } = await appJwtFactory(escaped)(123);
    expect(claims(jwt, privateKey()).iss).toBe(123);
  });

  it('refuses a key cut to its first line with a message that says how to set it', async () => {
    await expect(appJwtFactory('-----BEGIN RSA PRIVATE KEY-----')(123)).rejects.toThrow(/only its first line/);
  });

  it('refuses a key that is not RSA', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(appJwtFactory(ec)(123)).rejects.toThrow(/must be an RSA key/);
  });
});

describe("the app's Octokit signs its JWTs through the cache", () => {
  useStrictNock();
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A Probot as main.ts builds it, its throttle off (its write spacing is app-octokit.test.ts's matter). */
  function appProbot(appId: number, key: string): Probot {
    const Octokit = appOctokit().defaults((o: Record<string, unknown>) => ({ ...o, throttle: { ...(o.throttle as object), enabled: false }, retry: { enabled: false } }));
    return new Probot({ appId, privateKey: key, secret: 'test-webhook-secret', log: pino({ level: 'silent' }), Octokit });
  }

  /** Answers token mints for `installations`, recording the Authorization each carried. */
  function mints(installations: number[]): Map<number, string> {
    const seen = new Map<number, string>();
    for (const id of installations) {
      nock(API)
        .post(`/app/installations/${id}/access_tokens`)
        .reply(function () {
          seen.set(id, String(this.req.headers.authorization));
          return [201, { token: `ghs_installation_${id}`, expires_at: new Date(Date.now() + 3600_000).toISOString() }];
        });
    }
    return seen;
  }

  /** An installation's client, and the Authorization its first request carried (its token is minted then). */
  async function firstRequest(app: Probot, installationId: number, repo: string): Promise<string> {
    let authorization = '';
    nock(API)
      .get(`/repos/o/${repo}`)
      .reply(function () {
        authorization = String(this.req.headers.authorization);
        return [200, {}];
      });
    await ((await app.auth(installationId)) as Octokit).rest.repos.get({ owner: 'o', repo });
    return authorization;
  }

  it('mints installation tokens for two installations with one JWT, and each installation uses its own token', async () => {
    const app = appProbot(123, privateKey());
    const seen = mints([1, 2]);
    expect(await firstRequest(app, 1, 'one')).toBe('token ghs_installation_1');
    vi.setSystemTime(T0 + 20_000);
    expect(await firstRequest(app, 2, 'two')).toBe('token ghs_installation_2');
    expect(seen.get(1)).toMatch(/^bearer /);
    expect(seen.get(2)).toBe(seen.get(1));
    expect(claims(seen.get(1) ?? '', privateKey()).iss).toBe(123);
  });

  it("uses the app client's JWT for app requests and makes a new one after five minutes", async () => {
    const app = appProbot(123, privateKey());
    const auths: string[] = [];
    nock(API)
      .get('/app')
      .times(3)
      .reply(recordingAuth(auths, () => [200, { id: 123, slug: 'issuesmith' }]));
    const client = (await app.auth()) as Octokit;
    await client.rest.apps.getAuthenticated();
    vi.setSystemTime(T0 + 60_000);
    await client.rest.apps.getAuthenticated();
    vi.setSystemTime(T0 + APP_JWT_REUSE_S * 1000 + 60_000);
    await client.rest.apps.getAuthenticated();
    expect(auths[1]).toBe(auths[0]);
    expect(auths[2]).not.toBe(auths[0]);
    expect(claims(auths[2] ?? '', privateKey()).iat).toBe((T0 + APP_JWT_REUSE_S * 1000 + 60_000) / 1000 - 30);
  });

  it("keeps two apps' JWTs apart in one process", async () => {
    const mine = appProbot(123, privateKey());
    const theirs = appProbot(456, otherPrivateKey());
    const seen: string[] = [];
    nock(API)
      .post('/app/installations/1/access_tokens')
      .times(2)
      .reply(recordingAuth(seen, () => [201, { token: `ghs_${seen.length}`, expires_at: new Date(Date.now() + 3600_000).toISOString() }]));
    await firstRequest(mine, 1, 'mine');
    await firstRequest(theirs, 1, 'theirs');
    expect(claims(seen[0] ?? '', privateKey()).iss).toBe(123);
    expect(claims(seen[1] ?? '', otherPrivateKey()).iss).toBe(456);
  });

  it("retries with a JWT on GitHub's clock when GitHub says ours is off", async () => {
    const app = appProbot(123, privateKey());
    const seen: string[] = [];
    const githubNow = new Date(T0 + 3600_000).toUTCString();
    nock(API)
      .post('/app/installations/1/access_tokens')
      .reply(recordingAuth(seen, () => [401, { message: "'Expiration time' claim ('exp') is too far in the future" }, { date: githubNow }]))
      .post('/app/installations/1/access_tokens')
      .reply(recordingAuth(seen, () => [201, { token: 'ghs_1', expires_at: new Date(T0 + 7200_000).toISOString() }]));
    expect(await firstRequest(app, 1, 'r')).toBe('token ghs_1');
    expect(claims(seen[0] ?? '', privateKey()).iat).toBe(T0 / 1000 - 30);
    expect(claims(seen[1] ?? '', privateKey()).iat).toBe(T0 / 1000 + 3600 - 30);
  });
});
