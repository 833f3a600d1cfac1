/**
 * The owner's setting `requireStaffTwoFactor`: an admin or moderator without a second factor keeps
 * their account but not their staff powers. Their session's role reads as author, at every door
 * (pages and the API; the operator's CLI is no session), until they enrol; /admin sends them to
 * enrol. Safe by default: no door has to remember to ask. The owner is not included: the owner
 * decides the rule, and handing the site over is how the owner's account changes hands.
 */
import type { SessionUser } from '../auth/session';
import type { Core } from '../core';

const STAFF_ROLES: ReadonlySet<string> = new Set(['admin', 'moderator']);

export async function applyStaffTwoFactorRule(
  reads: Core['reads'],
  user: SessionUser,
): Promise<{ user: SessionUser; needsTwoFactor: boolean }> {
  // the settings are read only for staff without a second factor: no cost on anyone else's request
  if (user.twoFactor || !STAFF_ROLES.has(user.role)) return { user, needsTwoFactor: false };
  const { settings } = await reads.site();
  if (!settings.requireStaffTwoFactor) return { user, needsTwoFactor: false };
  return { user: { ...user, role: 'author' }, needsTwoFactor: true };
}
