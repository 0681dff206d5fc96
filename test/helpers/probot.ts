import { generateKeyPairSync } from 'node:crypto';
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';

let key: string | undefined;

/** An RSA key for the app's JWTs, made once per test file. */
export function privateKey(): string {
  key ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return key;
}

/** A fresh Probot per test (it caches installation tokens) with throttling and retries off. */
export function testProbot(baseUrl: string): Probot {
  return new Probot({
    appId: 123,
    privateKey: privateKey(),
    secret: 'test-webhook-secret',
    baseUrl,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, throttle: { enabled: false }, retry: { enabled: false } })),
  });
}
