import { z } from 'zod';
import { AGENT_OUTPUTS } from '../agents/output-formats.js';
import { budgetFields, envName, minutes, relativePath } from './config-fields.js';

/** Placeholders a custom agent's command may use; the app quotes every value it puts in. */
export const COMMAND_PLACEHOLDERS = ['workdir', 'prompt_file', 'model'] as const;
export const RESUME_PLACEHOLDERS = ['workdir', 'prompt_file', 'model', 'session'] as const;

export const agentSchema = z
  .strictObject({
    model: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^\s-]\S*$/, { error: 'a model name: no spaces, not starting with a dash' })
      .describe('Model the agent uses unless a request names another (`model=`).')
      .optional(),
    template: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/, { error: 'a sandbox template name or id' })
      .describe("The sandbox template the agent runs in. Default: the agent's own (`issuesmith-claude-2-1-197`, ...: the agent and its CLI's version).")
      .optional(),
    timeout_minutes: minutes.describe("Hard limit on one run of the agent, at most the app's own limit (ISSUESMITH_JOB_TIMEOUT_MINUTES).").optional(),
    budget: budgetFields.describe("This agent's budget per job, over the file's `budget`; never more than the app's.").optional(),
    env: z.record(envName, z.string().max(4096)).describe('Non-secret variables set in the sandbox for this agent.').optional(),
    command: z
      .string()
      .min(1)
      .max(2000)
      .describe('Custom agents only: the command, run in the checkout with the prompt on stdin. Placeholders {workdir}, {prompt_file}, {model} are quoted by the app.')
      .optional(),
    resume_command: z.string().min(1).max(2000).describe('Custom agents only: the command that continues a session; also takes {session}.').optional(),
    output: z.enum(AGENT_OUTPUTS).describe('Custom agents only: the format the command prints on stdout.').optional(),
    secrets: z
      .array(envName)
      .max(20)
      .describe(
        "Custom agents only: variables forwarded from the app's environment (only those its operator offers in ISSUESMITH_CUSTOM_AGENT_SECRETS or the built-in agents' keys).",
      )
      .optional(),
    instructions_file: relativePath.describe('Custom agents only: the file the agent reads for context (like AGENTS.md). Default: AGENTS.md.').optional(),
  })
  .describe('A built-in agent (claude, codex, amp, opencode, openclaw) to adjust, or a custom agent to define.');

export type AgentSettings = z.infer<typeof agentSchema>;
