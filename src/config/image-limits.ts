import { z } from 'zod';

/** How many and how large the images of a request the app downloads for the agent may be, and how long it may take. */
export interface ImageLimits {
  /** Images downloaded for one request at most; 0 downloads none (every image stays a link). */
  maxCount: number;
  /** One image at most, in bytes. */
  maxBytes: number;
  /** All the images of one request together at most, in bytes. */
  maxTotalBytes: number;
  /** All the downloads of one request together at most, in milliseconds. */
  timeoutMs: number;
}

const schema = z.object({
  ISSUESMITH_IMAGES_MAX_COUNT: z.coerce.number().int().min(0).max(50).default(10),
  ISSUESMITH_IMAGES_MAX_MB: z.coerce.number().positive().max(100).default(5),
  ISSUESMITH_IMAGES_MAX_TOTAL_MB: z.coerce.number().positive().max(500).default(20),
  ISSUESMITH_IMAGES_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(30),
});

/** The image limits from the environment (ISSUESMITH_IMAGES_*); throws on a value that is not one. */
export function imageLimitsFromEnv(env: Readonly<Record<string, string | undefined>>): ImageLimits {
  const relevant = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in schema.shape && v !== undefined && v !== ''));
  const parsed = schema.safeParse(relevant);
  if (!parsed.success) {
    throw new Error(`invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const s = parsed.data;
  return {
    maxCount: s.ISSUESMITH_IMAGES_MAX_COUNT,
    maxBytes: Math.round(s.ISSUESMITH_IMAGES_MAX_MB * 1024 * 1024),
    maxTotalBytes: Math.round(s.ISSUESMITH_IMAGES_MAX_TOTAL_MB * 1024 * 1024),
    timeoutMs: s.ISSUESMITH_IMAGES_TIMEOUT_SECONDS * 1000,
  };
}
