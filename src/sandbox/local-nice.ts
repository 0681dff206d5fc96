/**
 * ISSUESMITH_LOCAL_NICE: a whole number from 0 to 19, or nothing. With many local agents starting at
 * once on a small host, their processes take the CPU from the app's event loop (webhooks, status
 * writes); a nice value lets the loop go first, and makes the agents yield to any other load too.
 */
export function localNiceFromEnv(env: Readonly<Record<string, string | undefined>>, warn: (message: string) => void): number {
  const text = (env.ISSUESMITH_LOCAL_NICE ?? '').trim();
  if (text === '') return 0;
  if (/^\d{1,2}$/.test(text) && Number(text) <= 19) return Number(text);
  warn(`ISSUESMITH_LOCAL_NICE=${JSON.stringify(text).slice(1, -1).slice(0, 20)} is not a whole number from 0 to 19: the local sandbox's commands run at the app's own priority.`);
  return 0;
}
