import { ProbotOctokit } from 'probot';
import { appJwtFactory, type CreateAppJwt } from './app-jwt.js';
import { countWrites } from './write-backlog.js';

export interface AppOctokitOptions {
  /** Retries of one request after GitHub's secondary rate limit. Default 3. */
  secondaryRetries?: number;
  /** Retries of one request after the primary rate limit is exhausted. Default 2. */
  primaryRetries?: number;
  /** A wait longer than this (seconds) is not worth it: the request fails instead. Default 15 minutes. */
  maxWaitSeconds?: number;
  /** Milliseconds per second of `retry-after` (@octokit/plugin-throttling's own option); tests make it small. */
  retryAfterBaseValue?: number;
}

interface LimitedRequest {
  method?: string;
  url?: string;
}

interface ClientLog {
  warn(message: string): void;
}

/**
 * The Octokit class the app hands Probot. Probot 14's own throttle options give up on a secondary
 * rate limit (their `onSecondaryRateLimit` returns nothing), so opening a pull request or posting a
 * reply under load failed outright. Here both limits are waited out, as @octokit/plugin-throttling
 * does when its handlers return true, a bounded number of times, each logged. Throttling stays on;
 * Probot's own throttle settings (its Redis connection, when configured) are kept.
 *
 * The app's JWT is made by `appJwtFactory` (one key parse, one JWT for several minutes, signed off the
 * event loop) instead of afresh for every app-authenticated request: one factory per app id and key.
 * Each installation's writes waiting for the throttle are counted (`writesWaiting`), for the live
 * status edits to give way when the installation is behind.
 */
export function appOctokit(o: AppOctokitOptions = {}): typeof ProbotOctokit {
  const secondaryRetries = o.secondaryRetries ?? 3;
  const primaryRetries = o.primaryRetries ?? 2;
  const maxWaitSeconds = o.maxWaitSeconds ?? 15 * 60;
  const handler =
    (what: string, retries: number) =>
    (retryAfter: number, request: LimitedRequest, octokit: { log: ClientLog }, retryCount: number): boolean => {
      const where = `${request.method ?? '?'} ${request.url ?? '?'}`;
      if (retryCount >= retries || retryAfter > maxWaitSeconds) {
        octokit.log.warn(`${what} on ${where}: giving up after ${retryCount} retries (GitHub asks to wait ${retryAfter} s)`);
        return false;
      }
      octokit.log.warn(`${what} on ${where}: retrying in ${retryAfter} s (retry ${retryCount + 1} of ${retries})`);
      return true;
    };
  const jwts = new Map<string, CreateAppJwt>();
  return ProbotOctokit.defaults((options: Record<string, unknown>) => ({
    ...options,
    ...withCachedJwt(options.auth, jwts),
    throttle: {
      ...(options.throttle as Record<string, unknown> | undefined),
      ...(o.retryAfterBaseValue !== undefined ? { retryAfterBaseValue: o.retryAfterBaseValue } : {}),
      onSecondaryRateLimit: handler('secondary rate limit', secondaryRetries),
      onRateLimit: handler('rate limit', primaryRetries),
    },
  })).plugin(countWrites);
}

/**
 * Probot hands every client it makes (the app's, each installation's) its app id and private key as
 * auth options; @octokit/auth-app takes `createJwt` instead of `privateKey` (never both). Auth options
 * without a private key (a token, an unauthenticated client) are left as they are.
 */
function withCachedJwt(auth: unknown, jwts: Map<string, CreateAppJwt>): { auth?: Record<string, unknown> } {
  if (typeof auth !== 'object' || auth === null) return {};
  const { privateKey, ...rest } = auth as Record<string, unknown>;
  const appId = rest.appId;
  if (typeof privateKey !== 'string' || privateKey === '' || (typeof appId !== 'number' && typeof appId !== 'string')) return {};
  const id = `${appId}\n${privateKey}`;
  let createJwt = jwts.get(id);
  if (createJwt === undefined) jwts.set(id, (createJwt = appJwtFactory(privateKey)));
  return { auth: { ...rest, createJwt } };
}
