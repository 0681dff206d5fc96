import type { AccessRules } from './access-rules.js';
import { hasPermission, type Permission } from './has-permission.js';
import { isAllowedUser } from './is-allowed-user.js';
import { isBot } from './is-bot.js';

export type RefusalReason = 'bot' | 'not-enough-permission' | 'not-in-allowed-users' | 'permission-lookup-failed';

export type AccessDecision =
  | { allowed: true; permission: Permission }
  | { allowed: false; reason: 'bot' }
  | { allowed: false; reason: 'not-enough-permission' | 'not-in-allowed-users'; permission: Permission }
  | { allowed: false; reason: 'permission-lookup-failed'; error: unknown };

export type Refusal = Extract<AccessDecision, { allowed: false }>;

/** Someone who asks the app to act. */
export interface Actor {
  login: string;
  type?: string | undefined;
}

/** A person's role on the repository (GitHub's API, cached); throws when GitHub cannot say. */
export type PermissionSource = (login: string) => Promise<Permission>;

/**
 * Whether someone may act: start a job, have an earlier request count in a follow-up, stop a job or
 * see the queue. Bots never; then the role GitHub gives them must reach the repository's `permission`,
 * and they must be in its `allowed_users` when it has one. When GitHub cannot say (an error other
 * than "not a collaborator"), the door stays closed.
 */
export async function authorize(actor: Actor, rules: AccessRules, permissionOf: PermissionSource): Promise<AccessDecision> {
  if (isBot(actor)) return { allowed: false, reason: 'bot' };
  let permission: Permission;
  try {
    permission = await permissionOf(actor.login);
  } catch (error) {
    return { allowed: false, reason: 'permission-lookup-failed', error };
  }
  if (!hasPermission(permission, rules.permission)) return { allowed: false, reason: 'not-enough-permission', permission };
  if (!isAllowedUser(actor.login, rules.allowedUsers)) return { allowed: false, reason: 'not-in-allowed-users', permission };
  return { allowed: true, permission };
}
