import { join } from 'node:path';
import { DirectorySessionStore } from './directory-session-store.js';
import { RedisSessionStore } from './redis-session-store.js';
import type { SessionStore } from './session-store.js';

/** Redis when `REDIS_URL` is set; otherwise `ISSUESMITH_SESSION_DIR`, by default under the work directory. */
export function sessionStoreFromEnv(env: Readonly<Record<string, string | undefined>>, workDir: string): SessionStore {
  const url = env.REDIS_URL ?? '';
  if (url !== '') return new RedisSessionStore(url);
  const dir = env.ISSUESMITH_SESSION_DIR ?? '';
  return new DirectorySessionStore(dir !== '' ? dir : join(workDir, 'issuesmith-sessions'));
}
