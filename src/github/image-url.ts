/**
 * Which image addresses in a request the app may download, and where the installation token may go.
 *
 * GitHub keeps what people paste into issues and comments at a few known places:
 * - github.com: `https://github.com/user-attachments/assets/<id>` (and, older, `github.com/<owner>/<repo>/assets/<n>/<id>`),
 *   which answer with a redirect to a short-lived signed address on `private-user-images.githubusercontent.com`
 *   (or GitHub's asset bucket); the older public `user-images.githubusercontent.com/<n>/<name>`; and the
 *   signed `private-user-images.githubusercontent.com/<n>/<name>?jwt=…` that rendered HTML shows.
 * - GitHub Enterprise Server: the same `user-attachments/assets/<id>` and repository `assets` paths and the
 *   older `storage/user/<n>/files/<id>` on the server's own host, with `media.<host>` when subdomain
 *   isolation is on.
 * Anything else (another host, another path on GitHub, a look-alike host) is left as a link.
 *
 * Every check is made on the address as the WHATWG parser reads it, and the raw text must say the same
 * host: a host written with percent-escapes, in another IPv4 notation or in Unicode is refused, so that
 * what was checked is exactly what is fetched.
 */

/** This deployment's GitHub, as seen from an image address. */
export interface AttachmentHosts {
  /** `https:` (or `http:` for a GitHub Enterprise Server reached over plain HTTP, as GHE_PROTOCOL says). */
  protocol: string;
  /** The GitHub host itself, with its port when it has one: the only host that ever sees the token. */
  host: string;
  /** github.com, rather than a GitHub Enterprise Server. */
  dotcom: boolean;
}

const DOTCOM_IMAGE_HOSTS = new Set(['user-images.githubusercontent.com', 'private-user-images.githubusercontent.com']);
/** Where github.com's attachment addresses redirect to (never with the token). */
const DOTCOM_REDIRECT_HOSTS = new Set([...DOTCOM_IMAGE_HOSTS, 'github-production-user-asset-6210df.s3.amazonaws.com']);

/** The GitHub host of a deployment, from its REST API's base address (api.github.com, or `<host>/api/v3`). */
export function attachmentHosts(apiBaseUrl: string): AttachmentHosts {
  const api = new URL(apiBaseUrl);
  if (api.hostname === 'api.github.com') return { protocol: 'https:', host: 'github.com', dotcom: true };
  return { protocol: api.protocol, host: api.host, dotcom: false };
}

export type ImageSource =
  /** An attachment of this deployment's GitHub; `withToken` when it is on the GitHub host itself. */
  { kind: 'attachment'; url: URL; withToken: boolean } | { kind: 'foreign' };

/** An id or file name in an attachment path: no dots at the start (so no `..`), no escapes, no slashes. */
const NAME = '[A-Za-z0-9][A-Za-z0-9._-]{0,199}';
const ATTACHMENT_PATHS = [new RegExp(`^/user-attachments/assets/${NAME}$`)];
const GHES_PATHS = [new RegExp(`^/storage/user/\\d{1,20}/files/${NAME}$`)];
const IMAGE_HOST_PATH = new RegExp(`^/\\d{1,20}/${NAME}$`);

/**
 * Reads one image address from a request. `repo` is the job's own `owner/repo`: a repository `assets`
 * path of another repository is left as a link (the token would be of no use there, and it is not ours to fetch).
 */
export function classifyImageUrl(raw: string, hosts: AttachmentHosts, repo: { owner: string; repo: string }): ImageSource {
  const url = parseStrict(raw);
  if (url === undefined) return { kind: 'foreign' };
  if (sendsToken(url, hosts)) {
    if (url.search !== '' || !onGitHubPath(url.pathname, hosts, repo)) return { kind: 'foreign' };
    return { kind: 'attachment', url, withToken: true };
  }
  if (hosts.dotcom && url.protocol === 'https:' && DOTCOM_IMAGE_HOSTS.has(url.host) && IMAGE_HOST_PATH.test(url.pathname)) {
    return { kind: 'attachment', url, withToken: false };
  }
  return { kind: 'foreign' };
}

/** Whether a request to `url` may carry the installation token: the GitHub host itself, in its own protocol and port. */
export function sendsToken(url: URL, hosts: AttachmentHosts): boolean {
  return url.protocol === hosts.protocol && url.host === hosts.host && url.username === '' && url.password === '';
}

/** Whether a download may follow a redirect to `url` (without the token, unless it is the GitHub host and the token was never dropped). */
export function redirectAllowed(url: URL, hosts: AttachmentHosts): boolean {
  if (url.username !== '' || url.password !== '') return false;
  if (sendsToken(url, hosts)) return true;
  if (url.protocol !== 'https:' && !(url.protocol === hosts.protocol && !hosts.dotcom)) return false;
  if (hosts.dotcom) return DOTCOM_REDIRECT_HOSTS.has(url.host);
  return url.host === `media.${hosts.host}`;
}

function onGitHubPath(path: string, hosts: AttachmentHosts, repo: { owner: string; repo: string }): boolean {
  if (ATTACHMENT_PATHS.some((p) => p.test(path))) return true;
  if (!hosts.dotcom && GHES_PATHS.some((p) => p.test(path))) return true;
  // github.com/<owner>/<repo>/assets/<n>/<id>: only the job's own repository.
  const m = new RegExp(`^/([^/]+)/([^/]+)/assets/\\d{1,20}/${NAME}$`).exec(path);
  return m !== null && m[1]!.toLowerCase() === repo.owner.toLowerCase() && m[2]!.toLowerCase() === repo.repo.toLowerCase();
}

/**
 * The address parsed, or undefined when it is not a plain absolute http(s) address whose text says the
 * same host the parser reads: no protocol-relative `//host`, `data:` or other schemes, no user info, no
 * backslashes, spaces or control characters, no percent-escapes in the host.
 */
function parseStrict(raw: string): URL | undefined {
  // eslint-disable-next-line no-control-regex
  if (raw.length > 2000 || /[\x00-\x20\x7f\\]/.test(raw)) return undefined;
  const m = /^(https?):\/\/([^/?#]*)/i.exec(raw);
  if (m === null) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.username !== '' || url.password !== '') return undefined;
  // The authority as written must be the host as parsed (the default port may be written or not).
  const written = m[2]!.toLowerCase();
  const port = url.protocol === 'https:' ? ':443' : ':80';
  if (written !== url.host && written !== `${url.host}${port}`) return undefined;
  return url;
}

/** The address for a log line or a note: no query (a signed address's query is a credential for a few minutes). */
export function describeImageUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
