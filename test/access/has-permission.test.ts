import { describe, expect, it } from 'vitest';
import { hasPermission, toPermission } from '../../src/access/has-permission.js';

describe('who may start work', () => {
  it('lets write, maintain and admin start work when write is required', () => {
    expect(['admin', 'maintain', 'write'].map((p) => hasPermission(toPermission(p, undefined), 'write'))).toEqual([true, true, true]);
  });

  it('refuses triage, read and none', () => {
    expect(['triage', 'read', 'none'].map((p) => hasPermission(toPermission(p, undefined), 'write'))).toEqual([false, false, false]);
  });

  it('honours a stricter requirement', () => {
    expect(hasPermission('write', 'maintain')).toBe(false);
    expect(hasPermission('maintain', 'maintain')).toBe(true);
    expect(hasPermission('maintain', 'admin')).toBe(false);
  });

  it("prefers GitHub's role_name, which knows maintain and triage, over the coarse permission", () => {
    expect(toPermission('triage', 'read')).toBe('triage');
    expect(toPermission('maintain', 'write')).toBe('maintain');
    expect(toPermission(undefined, 'write')).toBe('write');
    expect(toPermission('custom-role', 'read')).toBe('read');
    expect(toPermission(undefined, undefined)).toBe('none');
  });
});
