/** The repository's `allowed_users` (lowercase logins), when it has one: only they may act. No list: everyone passes. */
export function isAllowedUser(login: string, allowedUsers: readonly string[] | undefined): boolean {
  return allowedUsers === undefined || allowedUsers.includes(login.toLowerCase());
}
