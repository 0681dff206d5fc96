import { createPrivateKey, sign, type KeyObject } from 'node:crypto';

/** What @octokit/auth-app's `createJwt` option returns. */
export interface AppJwt {
  jwt: string;
  expiresAt: string;
}

/** @octokit/auth-app's `createJwt` option: a JWT for the app, with the clock moved by `timeDifference` seconds when GitHub said ours is off. */
export type CreateAppJwt = (appId: string | number, timeDifference?: number) => Promise<AppJwt>;

// As universal-github-app-jwt (what @octokit/auth-app uses without `createJwt`): issued 30 s in the
// past against clock drift, valid for GitHub's maximum of 10 minutes from then.
const BACKDATE_S = 30;
const LIFETIME_S = 600;
/** A JWT is used for 5 minutes, so every request that carries one has over 4 minutes before it expires. */
export const APP_JWT_REUSE_S = 300;

/**
 * The app's JWTs, one at a time per app id, each signed once and used for `APP_JWT_REUSE_S` seconds.
 * Without it @octokit/auth-app made a JWT for every app-authenticated request (each installation
 * token minted, `GET /app`): two parses of the private key on the event loop (PKCS#1 to PKCS#8, then
 * WebCrypto's import), 2 to 8 ms each time, so 100 jobs starting at once held the loop for hundreds of
 * ms. Here the key is parsed once and the signature is made on libuv's thread pool.
 *
 * An app JWT speaks for the app, not for an installation (an installation's token is asked for with
 * it), so one JWT serves every installation; one function serves one private key, and a JWT is kept
 * for the app id it was made for only.
 */
export function appJwtFactory(privateKey: string): CreateAppJwt {
  let key: KeyObject | undefined;
  const current = new Map<string, { madeAt: number; jwt: Promise<AppJwt> }>();
  const make = async (appId: string | number, now: number): Promise<AppJwt> => {
    key ??= parseKey(privateKey);
    return signJwt(key, appId, now);
  };
  return (appId, timeDifference) => {
    const now = Date.now();
    // GitHub said our clock is off: a JWT on its clock, for this request's retry alone.
    if (timeDifference !== undefined && timeDifference !== 0) return make(appId, now + timeDifference * 1000);
    const id = String(appId);
    const kept = current.get(id);
    // A JWT from the future (the clock was set back) is not kept either.
    if (kept !== undefined && now >= kept.madeAt && now - kept.madeAt < APP_JWT_REUSE_S * 1000) return kept.jwt;
    const jwt = make(appId, now);
    const entry = { madeAt: now, jwt };
    current.set(id, entry);
    // A failure is not kept: the next request tries again.
    jwt.catch(() => {
      if (current.get(id) === entry) current.delete(id);
    });
    return jwt;
  };
}

function parseKey(privateKey: string): KeyObject {
  // Keys set in environment variables often have their line breaks escaped, as the library accepted.
  const pem = privateKey.replace(/\\n/g, '\n');
  if (pem.trim() === '-----BEGIN RSA PRIVATE KEY-----') {
    throw new Error(
      "The private key holds only its first line '-----BEGIN RSA PRIVATE KEY-----'. If you set it in a `.env` file, put it on one line with its line breaks written as '\\n'.",
    );
  }
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'rsa')
    throw new Error(`The app's private key must be an RSA key (GitHub signs apps' JWTs with RS256), not ${key.asymmetricKeyType ?? 'another kind'}.`);
  return key;
}

function signJwt(key: KeyObject, appId: string | number, nowMs: number): Promise<AppJwt> {
  const iat = Math.floor(nowMs / 1000) - BACKDATE_S;
  const exp = iat + LIFETIME_S;
  const payload = { iat, exp, iss: appId };
  const message = `${base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}`;
  return new Promise((resolve, reject) => {
    // With a callback the signature is made on the thread pool, not on the event loop.
    sign('sha256', Buffer.from(message), key, (err, signature) => {
      if (err !== null) reject(err);
      else resolve({ jwt: `${message}.${signature.toString('base64url')}`, expiresAt: new Date(exp * 1000).toISOString() });
    });
  });
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
