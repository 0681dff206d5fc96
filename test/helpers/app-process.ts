import type { FakeGitHub } from './fake-github.js';
import { privateKey } from './probot.js';

/**
 * The environment of the built app run as a process against the fake GHES: only a deployment's
 * documented variables, local sandboxes, the fake agent CLIs first on PATH. Callers add the port,
 * the role and whatever their case needs.
 */
export function appProcessEnv(o: { github: Pick<FakeGitHub, 'host'>; dir: string; bin: string; secret: string; anthropicKey: string }): Record<string, string> {
  return {
    PATH: `${o.bin}:${process.env.PATH ?? ''}`,
    HOME: o.dir,
    APP_ID: '123',
    PRIVATE_KEY: privateKey(),
    WEBHOOK_SECRET: o.secret,
    GHE_HOST: o.github.host,
    GHE_PROTOCOL: 'http',
    HOST: '127.0.0.1',
    ISSUESMITH_SANDBOX: 'local',
    ISSUESMITH_WORK_DIR: o.dir,
    ANTHROPIC_API_KEY: o.anthropicKey,
    LOG_FORMAT: 'json',
  };
}
