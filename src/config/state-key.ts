import { createHmac, createPrivateKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Where the key that signs pull requests' state markers came from. */
export type StateKeySource = 'ISSUESMITH_STATE_KEY' | 'PRIVATE_KEY' | 'PRIVATE_KEY_PATH' | 'ephemeral';

// Without any secret to derive from, this process signs with a key of its own: markers stay
// unforgeable, but another process (or this one after a restart) cannot read them.
const EPHEMERAL = randomBytes(32);

/**
 * The key that signs the state markers in pull request bodies (see github/state-marker.ts): from
 * `ISSUESMITH_STATE_KEY` when set, otherwise derived from the app's private key, so every process of
 * one app agrees without another secret to share. Rotating the private key without a state key makes
 * old markers unreadable: follow-ups on older pull requests then start fresh.
 */
export function stateKeyFromEnv(env: Readonly<Record<string, string | undefined>>): { key: Uint8Array; source: StateKeySource } {
  const given = env.ISSUESMITH_STATE_KEY;
  if (given !== undefined && given !== '') return { key: derive(Buffer.from(given, 'utf8')), source: 'ISSUESMITH_STATE_KEY' };
  const pem = env.PRIVATE_KEY;
  if (pem !== undefined && pem !== '') return { key: derive(canonicalPrivateKey(pem)), source: 'PRIVATE_KEY' };
  const path = env.PRIVATE_KEY_PATH;
  if (path !== undefined && path !== '') {
    try {
      return { key: derive(canonicalPrivateKey(readFileSync(path, 'utf8'))), source: 'PRIVATE_KEY_PATH' };
    } catch {
      // Probot reports an unreadable key file itself; the markers fall back to this process's key.
    }
  }
  return { key: EPHEMERAL, source: 'ephemeral' };
}

function derive(secret: Uint8Array): Uint8Array {
  return createHmac('sha256', secret).update('issuesmith state v1').digest();
}

/**
 * The private key in one form, however it was written (PKCS#1 or PKCS#8 PEM, escaped newlines,
 * base64 of the PEM), so a web process given `PRIVATE_KEY` and a worker given `PRIVATE_KEY_PATH` agree.
 */
function canonicalPrivateKey(text: string): Uint8Array {
  let pem = text.trim();
  if (!pem.includes('-----BEGIN')) {
    const decoded = Buffer.from(pem, 'base64').toString('utf8');
    if (decoded.includes('-----BEGIN')) pem = decoded;
  }
  pem = pem.replace(/\\n/g, '\n');
  try {
    return createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  } catch {
    return Buffer.from(pem, 'utf8');
  }
}

/** What the app says at start when it has no key but its own: markers then die with the process. */
export const EPHEMERAL_STATE_KEY_WARNING =
  'Neither ISSUESMITH_STATE_KEY nor PRIVATE_KEY (or PRIVATE_KEY_PATH) is set: pull request state markers are signed with a key of this process alone, so after a restart, or in another process, follow-ups start fresh and closed pull requests keep their paused sandboxes until they age out.';
