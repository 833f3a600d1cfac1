import type { Context, MiddlewareHandler } from 'hono';
import { ADMIN_SECTIONS, type AdminSection } from '../../views/pages/admin/admin-layout';
import { redirectToLogin } from '../auth/middleware';
import { callerOf } from '../lib/caller';
import { setFlash } from '../lib/flash';
import { TWO_FACTOR_SETTINGS_PATH } from '../two-factor/paths';
import { can, requirePermission, type Permission } from '../roles/permissions';

/** The permission each /admin section needs (src/roles/permissions.ts). */
const SECTION_PERMISSION: Record<AdminSection, Permission> = {
  '/admin': 'admin:view',
  '/admin/users': 'user:suspend',
  '/admin/content': 'admin:view',
  '/admin/reports': 'report:resolve',
  '/admin/media': 'media:remove',
  '/admin/settings': 'settings:edit',
  '/admin/pages': 'page:edit',
  '/admin/invitations': 'invitation:create',
  '/admin/mail': 'mail:view',
  '/admin/audit': 'audit:view',
};

/** The sections the viewer may open, for the navigation of every /admin page. */
export function allowedSections(c: Context): AdminSection[] {
  const caller = callerOf(c, 'web');
  return ADMIN_SECTIONS.map((section) => section.href).filter((href) => can(caller, SECTION_PERMISSION[href]));
}

/**
 * A visitor is sent to sign in; a signed-in person whose role lacks `permission` gets the 403
 * page. Each use case checks again: this guard only spares a page that would be refused anyway.
 */
export function requireAdminPermission(permission: Permission): MiddlewareHandler {
  return async function requireAdminPermission(c, next) {
    if (!c.get('user')) return redirectToLogin(c);
    // staff whose powers wait for a second factor (the owner's setting) are sent to set one up
    if (c.get('staffNeedsTwoFactor') && !can(callerOf(c, 'web'), permission)) {
      setFlash(c, 'This site requires two-factor sign-in of admins and moderators: set it up first.', 'error');
      return c.redirect(TWO_FACTOR_SETTINGS_PATH, 303);
    }
    requirePermission(callerOf(c, 'web'), permission);
    return next();
  };
}
