export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

const RANK: Record<Permission, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/** Whether a person's role on the repository is at least the one required to start work. */
export function hasPermission(actual: Permission, required: 'write' | 'maintain' | 'admin'): boolean {
  return RANK[actual] >= RANK[required];
}

/** Reads GitHub's answer: `role_name` (which knows maintain and triage) first, then `permission`. */
export function toPermission(roleName: string | undefined, permission: string | undefined): Permission {
  for (const v of [roleName, permission]) if (v !== undefined && v in RANK) return v as Permission;
  return 'none';
}
