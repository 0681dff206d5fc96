import { describe, expect, it } from 'vitest';
import type { AccessRules } from '../../src/access/access-rules.js';
import { authorize } from '../../src/access/authorize.js';
import type { Permission } from '../../src/access/has-permission.js';

const DEFAULT: AccessRules = { permission: 'write', allowedUsers: undefined };
const roles =
  (r: Record<string, Permission>) =>
  async (login: string): Promise<Permission> =>
    r[login.toLowerCase()] ?? 'none';

describe('authorize', () => {
  it('allows someone whose role reaches the required one', async () => {
    expect(await authorize({ login: 'alice' }, DEFAULT, roles({ alice: 'write' }))).toEqual({ allowed: true, permission: 'write' });
  });

  it('refuses a role below the required one', async () => {
    expect(await authorize({ login: 'alice' }, DEFAULT, roles({ alice: 'triage' }))).toEqual({ allowed: false, reason: 'not-enough-permission', permission: 'triage' });
    expect(await authorize({ login: 'alice' }, { ...DEFAULT, permission: 'admin' }, roles({ alice: 'maintain' }))).toMatchObject({
      allowed: false,
      reason: 'not-enough-permission',
    });
  });

  it("refuses someone outside the repository's allowed_users, whatever their role", async () => {
    const rules = { permission: 'write' as const, allowedUsers: ['hubot'] };
    expect(await authorize({ login: 'alice' }, rules, roles({ alice: 'admin' }))).toEqual({ allowed: false, reason: 'not-in-allowed-users', permission: 'admin' });
    expect(await authorize({ login: 'HuBot' }, rules, roles({ hubot: 'write' }))).toEqual({ allowed: true, permission: 'write' });
  });

  it('still needs the role from someone on allowed_users', async () => {
    expect(await authorize({ login: 'hubot' }, { permission: 'write', allowedUsers: ['hubot'] }, roles({ hubot: 'read' }))).toMatchObject({ reason: 'not-enough-permission' });
  });

  it('refuses bots without asking GitHub', async () => {
    let asked = 0;
    const source = async (): Promise<Permission> => {
      asked += 1;
      return 'admin';
    };
    expect(await authorize({ login: 'renovate[bot]' }, DEFAULT, source)).toEqual({ allowed: false, reason: 'bot' });
    expect(await authorize({ login: 'ci', type: 'Bot' }, DEFAULT, source)).toEqual({ allowed: false, reason: 'bot' });
    expect(asked).toBe(0);
  });

  it('keeps the door closed when GitHub cannot say', async () => {
    const error = Object.assign(new Error('Server Error'), { status: 500 });
    const decision = await authorize({ login: 'alice' }, DEFAULT, () => Promise.reject(error));
    expect(decision).toEqual({ allowed: false, reason: 'permission-lookup-failed', error });
  });
});
