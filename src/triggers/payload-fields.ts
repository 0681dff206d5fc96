import { z } from 'zod';

// Only the fields we read; a payload missing any of them is ignored, never a crash.
export const user = z.object({ login: z.string(), id: z.number(), type: z.string().optional() });
export const repository = z.object({ name: z.string(), owner: z.object({ login: z.string() }), default_branch: z.string() });
export const issue = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullish(),
  state: z.string().optional(),
  pull_request: z.unknown().optional(),
});
export const installation = z.object({ id: z.number().int().positive() });
export const pullRequest = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullish(),
});

/** Who sent a webhook, where and through which installation: the fields every payload we read shares. */
export const sent = { repository, sender: user, installation };

// GitHub's word for the author's relation to the repository: a pre-filter only, never a grant.
export const association = z.string().nullish();

export type User = z.infer<typeof user>;
export type Repository = z.infer<typeof repository>;
export type Issue = z.infer<typeof issue>;
export type PullRequest = z.infer<typeof pullRequest>;
