/**
 * The address GitHub gives an account in place of its own: `<id>+<login>@users.noreply.<host>`
 * (`users.noreply.github.com` on github.com), so a commit shows that account and its avatar.
 */
export function noreplyAddress(account: { id: number; login: string }, apiBaseUrl: string): string {
  return `${account.id}+${account.login}@${noreplyDomain(apiBaseUrl)}`;
}

/** The domain of those addresses on the server whose API is at `apiBaseUrl`. */
export function noreplyDomain(apiBaseUrl: string): string {
  const host = new URL(apiBaseUrl).hostname;
  return host === 'api.github.com' ? 'users.noreply.github.com' : `users.noreply.${host}`;
}
