import { randomBytes } from 'node:crypto';

/** Where one agent key is sent, and how. */
export interface KeylessKey {
  /** The API host the key authenticates to; E2B's egress proxy adds the header for this host only. */
  host: string;
  header: string;
  /** Builds the header's value from the real key. */
  value: (key: string) => string;
  /** A variable that points the agent at another API host (a proxy, a gateway); its host then gets the header. */
  baseUrlVar?: string;
  /** A value of the key's shape: agents that check the shape (Amp does) start with it, and it is worthless. */
  placeholder: () => string;
}

const bearer = (key: string): string => `Bearer ${key}`;
const asIs = (key: string): string => key;
const base64url = (bytes: number): string => randomBytes(bytes).toString('base64url');
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ulid = (): string => Array.from(randomBytes(26), (b) => CROCKFORD[b % 32]).join('');

/** The agents' keys that keyless sandboxes keep out of the sandbox, by variable name. */
export const KEYLESS_KEYS: Readonly<Record<string, KeylessKey>> = {
  ANTHROPIC_API_KEY: {
    host: 'api.anthropic.com',
    header: 'x-api-key',
    value: asIs,
    baseUrlVar: 'ANTHROPIC_BASE_URL',
    placeholder: () => `sk-ant-api03-${base64url(70)}-${base64url(4)}AA`,
  },
  OPENAI_API_KEY: {
    host: 'api.openai.com',
    header: 'Authorization',
    value: bearer,
    baseUrlVar: 'OPENAI_BASE_URL',
    placeholder: () => `sk-proj-${base64url(117)}`,
  },
  CODEX_API_KEY: {
    host: 'api.openai.com',
    header: 'Authorization',
    value: bearer,
    baseUrlVar: 'OPENAI_BASE_URL',
    placeholder: () => `sk-proj-${base64url(117)}`,
  },
  AMP_API_KEY: {
    host: 'ampcode.com',
    header: 'Authorization',
    value: bearer,
    baseUrlVar: 'AMP_URL',
    placeholder: () => `sgamp_user_${ulid()}_${hex(32)}`,
  },
  GEMINI_API_KEY: {
    host: 'generativelanguage.googleapis.com',
    header: 'x-goog-api-key',
    value: asIs,
    baseUrlVar: 'GOOGLE_GEMINI_BASE_URL',
    placeholder: () => `AIza${base64url(26).slice(0, 35)}`,
  },
};

/** One `network.rules` entry: a static header transform (assignable to the SDK's `SandboxNetworkRule`). */
export interface KeylessRule {
  transform: { headers: Record<string, string> };
}

export interface KeylessPlan {
  /** The sandbox's variables, with every handled key replaced by its placeholder. */
  envs: Record<string, string>;
  /** `network.rules` for `Sandbox.create`: per host, the header carrying the real key. */
  rules: Record<string, KeylessRule[]>;
  /** The placeholder each handled variable got. */
  placeholders: Record<string, string>;
  /** Variables that look like keys but have no known host: they reach the sandbox as they are. */
  unhandled: string[];
  /** Keys left out of the rules because another key already sets the same header for the same host. */
  shadowed: string[];
}

/**
 * Plans a keyless sandbox: each agent key in `envs` becomes a header that E2B's egress proxy adds to
 * the sandbox's HTTPS requests to the key's API host, and the sandbox's variable gets a placeholder.
 * Pure apart from the placeholders' randomness; `keys` is the name → host table.
 */
export function planKeyless(envs: Readonly<Record<string, string>>, keys: Readonly<Record<string, KeylessKey>> = KEYLESS_KEYS): KeylessPlan {
  const out: Record<string, string> = { ...envs };
  const rules: Record<string, KeylessRule[]> = {};
  const headersByHost = new Map<string, Record<string, string>>();
  const placeholders: Record<string, string> = {};
  const shadowed: string[] = [];
  for (const [name, key] of Object.entries(envs)) {
    const spec = keys[name];
    if (spec === undefined || key === '') continue;
    const host = hostOf(spec.baseUrlVar !== undefined ? envs[spec.baseUrlVar] : undefined) ?? spec.host;
    const headers = headersByHost.get(host) ?? {};
    const placeholder = spec.placeholder();
    placeholders[name] = placeholder;
    out[name] = placeholder;
    if (Object.keys(headers).some((h) => h.toLowerCase() === spec.header.toLowerCase())) {
      shadowed.push(name);
      continue;
    }
    headers[spec.header] = spec.value(key);
    headersByHost.set(host, headers);
  }
  for (const [host, headers] of headersByHost) rules[host] = [{ transform: { headers } }];
  const unhandled = Object.keys(envs).filter((n) => keys[n] === undefined && /(?:API_KEY|TOKEN|SECRET)$/.test(n));
  return { envs: out, rules, placeholders, unhandled, shadowed };
}

function hostOf(url: string | undefined): string | undefined {
  if (url === undefined || url === '') return undefined;
  try {
    const host = new URL(url).hostname;
    return host === '' ? undefined : host.toLowerCase();
  } catch {
    return undefined;
  }
}
