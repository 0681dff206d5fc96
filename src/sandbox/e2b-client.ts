import { setTimeout as sleep } from 'node:timers/promises';
import { AuthenticationError, RateLimitError, SandboxError as SdkSandboxError, ServiceBusyError, type E2BClientOpts } from 'e2b';
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { CommandTimeoutError, SandboxError } from './provider.js';

/** Every sandbox the app makes carries this metadata; the orphan reaper finds them by it. */
export { APP_SANDBOX_TAG as E2B_APP_METADATA } from './provider.js';

/**
 * Where and how to reach E2B. Anything left out falls back to the SDK's own environment variables:
 * `E2B_API_KEY`, `E2B_DOMAIN`, `E2B_API_URL`, `E2B_SANDBOX_URL`.
 */
export interface E2BConnectionOptions {
  apiKey?: string;
  domain?: string;
  /** Self-hosted E2B or tests; the SDK marks it internal. */
  apiUrl?: string;
  /** Self-hosted E2B or tests; the SDK marks it internal. */
  sandboxUrl?: string;
  /** Per request to E2B's API, in ms (the SDK's default is 60 s). */
  requestTimeoutMs?: number;
}

export interface E2BRetryOptions {
  /** Tries in all, the first included, when E2B answers "rate limited" (429) or "busy" (503). Default 4. */
  attempts?: number;
  /** Wait before the second try; it doubles each time. Default 1 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** The SDK client options for a connection, leaving out what is unset so the environment fills it in. */
export function e2bClientOptions(o: E2BConnectionOptions = {}): E2BClientOpts {
  const out: E2BClientOpts = {};
  if (o.apiKey !== undefined) out.apiKey = o.apiKey;
  if (o.domain !== undefined) out.domain = o.domain;
  if (o.apiUrl !== undefined) out.apiUrl = o.apiUrl;
  if (o.sandboxUrl !== undefined) out.sandboxUrl = o.sandboxUrl;
  if (o.requestTimeoutMs !== undefined) out.requestTimeoutMs = o.requestTimeoutMs;
  return out;
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** How the provider retries one call to E2B, with every default filled in. */
export interface E2BRetry {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export function e2bRetry(o: E2BRetryOptions = {}): E2BRetry {
  return { attempts: Math.max(1, o.attempts ?? 4), baseDelayMs: o.baseDelayMs ?? 1_000, maxDelayMs: o.maxDelayMs ?? 15_000 };
}

/** Calls `fn`, and again with a growing, jittered wait while E2B says "rate limited" or "busy". */
export async function retrying<T>(fn: () => Promise<T>, retry: E2BRetry, log: Logger): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const later = err instanceof RateLimitError || err instanceof ServiceBusyError;
      if (!later || attempt >= retry.attempts) throw err;
      const delayMs = Math.round(Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
      log.warn({ attempt, delayMs, reason: err.message }, 'E2B asked us to wait; trying again');
      await sleep(delayMs);
    }
  }
}

/**
 * An E2B failure in words: a UserError for what the operator or the repository can fix (the key, the
 * limits, a template the team lacks), a SandboxError for anything else. `attempts` is how often it was tried.
 */
export function explainE2BError(err: unknown, action: string, attempts: number, template?: string): Error {
  if (err instanceof UserError || err instanceof SandboxError || err instanceof CommandTimeoutError) return err;
  if (err instanceof AuthenticationError) {
    return new UserError(
      "E2B refused the app's API key. The app's operator needs to check `E2B_API_KEY`: it must be a current key of the E2B team (https://e2b.dev/dashboard?tab=keys).",
    );
  }
  if (err instanceof RateLimitError) {
    return new UserError(
      `E2B is rate limiting this app: it would not ${action} after ${attempts} tries. Try again in a few minutes; if it keeps happening, the app's operator can run fewer jobs at once or raise the E2B team's limits.`,
    );
  }
  if (err instanceof ServiceBusyError) {
    return new UserError(`E2B has no capacity to ${action} right now (${attempts} tries). Try again in a few minutes.`);
  }
  if (template !== undefined && isTemplateMissing(err)) {
    return new UserError(
      `E2B has no template called \`${template}\` that this app's E2B team can use. The app's operator builds the agents' own templates with \`npm run templates -- build\` (see the README's *Build the agents' sandbox templates*); a template of another name is theirs to build, or the repository's settings can name a template the team has.`,
    );
  }
  return new SandboxError(`could not ${action}: ${messageOf(err)}`, { cause: err });
}

/** A 404 or 403 from E2B on create names a template the team does not have. */
function isTemplateMissing(err: unknown): boolean {
  if (!(err instanceof SdkSandboxError)) return false;
  const status = err.statusCode;
  return status === 404 || status === 403 || (status === 400 && /template/i.test(err.message));
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
