/**
 * /admin/invitations: the list (open, used by whom, expired, withdrawn), a form making a link, and
 * a withdraw button per open link. JS-off forms with post/redirect/get: the new link rides to the
 * next page in a one-minute cookie of that page's own, shown once, then dropped.
 */
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { AdminInvitationsPage, type InvitationFormValues } from '../../views/pages/admin/invitations-page';
import type { AppDeps } from '../app-types';
import { allowedSections, requireAdminPermission } from '../admin/guard';
import { callerOf } from '../lib/caller';
import { cookieName } from '../lib/cookies';
import { setFlash } from '../lib/flash';
import { errorsFromFields, field, readForm, type FormErrors } from '../lib/form';
import { actingRole, assignableRoles, ROLE_LABELS } from '../roles/permissions';
import { createInvitation, INVITATION_DEFAULT_DAYS, INVITATION_FIELD_LABELS, INVITATION_TOKEN, invitationLink, listInvitations, revokeInvitation } from './use-cases';

const NEW_LINK_COOKIE = 'new-invitation';
const SECTION = '/admin/invitations';

export function invitationAdminRoutes(deps: AppDeps) {
  const app = new Hono();

  const render = async (c: Context, values: InvitationFormValues, errors?: FormErrors, newLink?: string) => {
    const caller = callerOf(c, 'web');
    const roles = assignableRoles(actingRole(caller)).map((role) => ({ value: role, label: ROLE_LABELS[role] }));
    const invitations = await listInvitations(deps, caller);
    c.header('cache-control', 'no-store');
    return c.render(
      <AdminInvitationsPage allowed={allowedSections(c)} invitations={invitations} roles={roles} values={values} errors={errors} newLink={newLink} />,
      { title: 'Invitations' },
    );
  };
  const blank = (): InvitationFormValues => ({ role: 'author', days: String(INVITATION_DEFAULT_DAYS), note: '' });

  app.get(SECTION, requireAdminPermission('invitation:create'), async (c) => {
    const name = cookieName(c, NEW_LINK_COOKIE);
    const token = getCookie(c, name);
    if (token !== undefined) deleteCookie(c, name, { path: '/', secure: c.get('secureCookies') });
    const newLink = token && INVITATION_TOKEN.test(token) ? invitationLink(deps.env.PUBLIC_URL, token) : undefined;
    return render(c, blank(), undefined, newLink);
  });

  app.post(SECTION, requireAdminPermission('invitation:create'), async (c) => {
    const form = await readForm(c);
    const values = { role: field(form, 'role'), days: field(form, 'days') || String(INVITATION_DEFAULT_DAYS), note: field(form, 'note') };
    const days = /^\s*\d{1,4}\s*$/.test(values.days) ? Number(values.days) : (values.days as unknown as number);
    const result = await createInvitation(deps, callerOf(c, 'web'), { role: values.role, days, note: values.note });
    if (!result.ok) {
      c.status(422);
      return render(c, values, errorsFromFields(result.errors, INVITATION_FIELD_LABELS));
    }
    // the token, to the next page only: it is shown once and kept nowhere
    setCookie(c, cookieName(c, NEW_LINK_COOKIE), result.value.token, {
      // path=/ as __Host- cookies need (https); read and dropped by the next GET of this page only
      path: '/',
      httpOnly: true,
      sameSite: 'Strict',
      secure: c.get('secureCookies'),
      maxAge: 60,
    });
    setFlash(c, `Invitation #${result.value.invitation.id} created: copy its link below.`);
    return c.redirect(SECTION, 303);
  });

  app.post(`${SECTION}/:id/revoke`, requireAdminPermission('invitation:create'), async (c) => {
    const result = await revokeInvitation(deps, callerOf(c, 'web'), { id: c.req.param('id') });
    if (!result.ok) {
      setFlash(c, `Invitation #${c.req.param('id')} ${result.errors.invitation?.[0] ?? 'cannot be withdrawn'}.`, 'error');
      return c.redirect(SECTION, 303);
    }
    setFlash(c, `Invitation #${result.value.id} withdrawn: its link lets nobody in now.`);
    return c.redirect(SECTION, 303);
  });

  return app;
}
