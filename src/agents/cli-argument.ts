import { UserError } from '../errors.js';

/**
 * Checks a value that follows an option or stands as a positional argument (a session id, a model).
 * Quoting keeps it from the shell; this keeps it from the agent's option parser, which would read a
 * leading dash as a flag of its own.
 */
export function cliArgument(value: string, what: string): string {
  if (value === '' || value.startsWith('-')) {
    throw new UserError(`\`${value}\` is not a valid ${what}: it is empty or starts with a dash.`);
  }
  // No command line can carry a NUL byte: say so to the user rather than fail inside the quoting.
  if (value.includes('\0')) throw new UserError(`\`${value.replaceAll('\0', '\\0')}\` is not a valid ${what}: it holds a NUL byte.`);
  return value;
}
