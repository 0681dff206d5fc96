/** Bots never start work: GitHub marks their accounts `type: "Bot"`, and apps' logins end in `[bot]`. */
export function isBot(user: { type?: string | undefined; login?: string | undefined } | undefined): boolean {
  if (user === undefined) return true;
  return user.type === 'Bot' || (user.login ?? '').endsWith('[bot]');
}
