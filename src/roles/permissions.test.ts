import { describe, expect, it } from 'vitest';
import { CLI_CALLER } from '../core';
import { testCaller } from '../test-support';
import { actorOutranks, assignableRoles, can, requirePermission, roleCan, ROLES, type Permission } from './permissions';

const ALL: Permission[] = [
  'admin:view',
  'content:see-hidden',
  'article:hide:any',
  'article:delete:any',
  'comment:hide:any',
  'comment:delete:any',
  'report:resolve',
  'user:suspend',
  'user:delete',
  'user:role',
  'settings:edit',
  'page:edit',
  'invitation:create',
  'audit:view',
  'owner:transfer',
];

describe('permissions', () => {
  it('rank the roles: each has every permission of the roles below it, and the table is exactly this', () => {
    const table = Object.fromEntries(ROLES.map((role) => [role, ALL.filter((permission) => roleCan(role, permission))]));
    expect(table).toEqual({
      owner: ALL,
      admin: ALL.filter((p) => p !== 'owner:transfer'),
      moderator: ['admin:view', 'content:see-hidden', 'article:hide:any', 'article:delete:any', 'comment:hide:any', 'comment:delete:any', 'report:resolve'],
      author: [],
    });
  });

  it('give a visitor nothing, a person what their role has, an unknown stored role nothing, the operator everything', () => {
    expect(can(testCaller(), 'admin:view')).toBe(false);
    expect(can(testCaller({ userId: 1, role: 'moderator' }), 'comment:hide:any')).toBe(true);
    expect(can(testCaller({ userId: 1, role: 'moderator' }), 'user:suspend')).toBe(false);
    expect(can(testCaller({ userId: 1, role: 'superuser' }), 'admin:view')).toBe(false);
    expect(can(testCaller({ userId: 1, role: null }), 'admin:view')).toBe(false);
    for (const permission of ALL) expect(can(CLI_CALLER, permission)).toBe(true);
    expect(() => requirePermission(testCaller({ userId: 1, role: 'author' }), 'settings:edit')).toThrow('You are not allowed to do that.');
  });

  it('let an actor give only roles below their own, and act only on accounts they outrank', () => {
    expect(assignableRoles('owner')).toEqual(['admin', 'moderator', 'author']);
    expect(assignableRoles('admin')).toEqual(['moderator', 'author']);
    expect(assignableRoles('moderator')).toEqual(['author']);
    expect(assignableRoles('operator')).toEqual(['admin', 'moderator', 'author']);
    expect(actorOutranks(testCaller({ userId: 1, role: 'admin' }), 'moderator')).toBe(true);
    expect(actorOutranks(testCaller({ userId: 1, role: 'admin' }), 'admin')).toBe(false);
    expect(actorOutranks(testCaller({ userId: 1, role: 'admin' }), 'owner')).toBe(false);
    expect(actorOutranks(CLI_CALLER, 'owner')).toBe(true);
  });
});
