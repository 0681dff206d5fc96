/**
 * Quotes one argument for a POSIX shell. The only function that puts a value into a command string:
 * single quotes pass every byte literally, and a single quote inside becomes '\''.
 */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  if (/^[A-Za-z0-9_\-.,:/@%+=]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Joins arguments into a command line, each quoted. */
export function shellJoin(args: readonly string[]): string {
  return args.map(shellQuote).join(' ');
}
