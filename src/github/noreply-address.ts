/**
 * The address GitHub gives an account in place of its own: `<id>+<login>@users.noreply.<host>`
 * (`users.noreply.github.com` on github.com), so a commit shows that account and its avatar.
 */
export function noreplyAddress(account: { id: number; login: string }, apiBaseUrl: string): string {
  const host = new URL(apiBaseUrl).hostname;
  const domain = host === 'api.github.com' ? 'users.noreply.github.com' : `users.noreply.${host}`;
  return `${account.id}+${account.login}@${domain}`;
}
