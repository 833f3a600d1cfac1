/**
 * Who may do what, written once (docs/decisions/011-roles-and-moderation.md). Every door asks here
 * through its use case (`requirePermission(caller, 'comment:hide:any')`), so a page, an API
 * endpoint and a CLI command refuse or allow the same act alike. Nothing else compares role names.
 *
 * The roles are ranked: each has every permission of the roles below it. The operator at the CLI
 * has them all (whoever runs `quire` on the server can open the database anyway).
 */
import { Forbidden, type Caller } from '../core';

export const ROLES = ['owner', 'admin', 'moderator', 'author'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** Roles as the interface names them. */
export const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  moderator: 'Moderator',
  author: 'Author',
};

const MODERATOR = [
  // see /admin, its overview, content and report queue
  'admin:view',
  // see hidden articles and comments (with why), as their authors do
  'content:see-hidden',
  'article:hide:any',
  'article:delete:any',
  'comment:hide:any',
  'comment:delete:any',
  'report:resolve',
  // remove an uploaded image everywhere it appears (src/media/remove.ts)
  'media:remove',
] as const;

const ADMIN = [
  ...MODERATOR,
  'user:suspend',
  'user:delete',
  // give or take a role below one's own (an admin makes moderators; the owner makes admins)
  'user:role',
  'settings:edit',
  'page:edit',
  'invitation:create',
  'audit:view',
  // the outbox in /admin/mail: who was sent what and when, never the messages' bodies
  'mail:view',
] as const;

const OWNER = [
  ...ADMIN,
  'owner:transfer',
  // require a second factor of admins and moderators (src/two-factor/staff.ts)
  'settings:staff-two-factor',
] as const;

export type Permission = (typeof OWNER)[number];

const PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  owner: new Set(OWNER),
  admin: new Set(ADMIN),
  moderator: new Set(MODERATOR),
  author: new Set(),
};

/** Higher ranks first: an actor may act on accounts ranked below their own only. */
const RANK: Record<Role, number> = { owner: 3, admin: 2, moderator: 1, author: 0 };

/** A stored role as a Role; an unknown value (a hand-edited row) has no permission. */
export const roleOf = (value: string | null | undefined): Role => (value && isRole(value) ? value : 'author');

export function roleCan(role: Role, permission: Permission): boolean {
  return PERMISSIONS[role].has(permission);
}

/** Whether the caller may: the operator always; a visitor never; a person by their role. */
export function can(caller: Caller, permission: Permission): boolean {
  if (caller.door === 'cli') return true;
  if (caller.userId === null) return false;
  return roleCan(roleOf(caller.role), permission);
}

export const NOT_ALLOWED = 'You are not allowed to do that.';

/** Refuses, as every door's 403, what the caller's role does not allow. */
export function requirePermission(caller: Caller, permission: Permission, message = NOT_ALLOWED): void {
  if (!can(caller, permission)) throw new Forbidden(permission.split(':')[0]!, message);
}

/** Whether `actor` outranks `target`: who may suspend, delete or change the role of whom. */
export function outranks(actor: Role, target: Role): boolean {
  return RANK[actor] > RANK[target];
}

/** The roles `actor` may give (and take away): those below their own, never owner (handed over apart). */
export function assignableRoles(actor: Role | 'operator'): Role[] {
  if (actor === 'operator') return ['admin', 'moderator', 'author'];
  return ROLES.filter((role) => role !== 'owner' && RANK[role] < RANK[actor]);
}

/** The caller's rank for the rules above: the operator outranks everyone. */
export const actingRole = (caller: Caller): Role | 'operator' => (caller.door === 'cli' ? 'operator' : roleOf(caller.role));

export function actorOutranks(caller: Caller, target: Role): boolean {
  const actor = actingRole(caller);
  return actor === 'operator' ? true : outranks(actor, target);
}

/** The owner: one per site, handed over (never given), never suspended or deleted. */
export const isOwner = (role: string | null | undefined): boolean => roleOf(role) === 'owner';
