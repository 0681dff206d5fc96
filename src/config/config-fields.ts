import { z } from 'zod';

// Field shapes the repository settings share.
const MAX_MINUTES = 24 * 60;
export const minutes = z.number({ error: 'a number of minutes' }).positive().max(MAX_MINUTES);
export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'a variable name: letters, digits and _, not starting with a digit' });
export const login = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/, { error: 'a GitHub login' });
export const relativePath = z
  .string()
  .min(1)
  .max(255)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && !/[\0\n\r]/.test(p) && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'), {
    error: 'a relative path inside the repository, without `..`, like `docs/agents.md`',
  });
export const branchPrefix = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, { error: 'letters, digits, `.`, `_`, `-` and `/`, starting with a letter or digit' })
  .refine((p) => !p.includes('..') && !p.includes('//') && !p.includes('/.') && !p.includes('.lock/') && !p.endsWith('.lock'), {
    error: 'a valid start of a git branch name (no `..`, `//`, `/.` or `.lock`)',
  });

/** A job's budget, at the top of the file and per agent; the operator's (ISSUESMITH_MAX_*) is the ceiling. */
export const budgetFields = z
  .strictObject({
    max_turns: z.number().int().positive().describe("Model requests (turns) one job's agent run may make. Default and ceiling: the app's ISSUESMITH_MAX_TURNS.").optional(),
    max_cost_usd: z.number().positive().describe("US dollars one job's agent run may spend. Default and ceiling: the app's ISSUESMITH_MAX_COST_USD.").optional(),
  })
  .describe("Per-job limits on the agent's turns and spend; a value above the app's own limit is lowered to it.");
