/** Who may act in one repository: the least role (the app's, or `permission:`) and `allowed_users` (lowercase), if any. */
export interface AccessRules {
  permission: 'write' | 'maintain' | 'admin';
  allowedUsers: readonly string[] | undefined;
}
