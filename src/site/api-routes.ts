/**
 * The site's admin endpoints: settings, pages and invitations as JSON (src/api/openapi.json), over
 * the same use cases as /admin and the CLI. A token whose role lacks the permission gets 403.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../app-types';
import { requireApiUser } from '../api/auth';
import { ApiError, notFound, unprocessable } from '../api/errors';
import { readJson } from '../api/json';
import { callerOf } from '../lib/caller';
import { createInvitation, listInvitations, revokeInvitation, type Invitation } from '../invitations/use-cases';
import { requirePermission } from '../roles/permissions';
import { createPage, deletePage, findPageBySlug, listPages, updatePage, type SitePage } from './pages';
import { changeSiteSettings } from './settings';

const SettingsBody = z.object({ settings: z.record(z.string(), z.unknown(), { error: 'must be an object' }) }, { error: 'must be a JSON object' });
const PageBody = z.object({ page: z.record(z.string(), z.unknown(), { error: 'must be an object' }) }, { error: 'must be a JSON object' });
const InvitationBody = z.object(
  {
    invitation: z
      .object({ role: z.string().optional(), days: z.number().optional(), note: z.string().optional() }, { error: 'must be an object' })
      .optional(),
  },
  { error: 'must be a JSON object' },
);

const pageJson = (page: SitePage) => ({
  id: page.id,
  slug: page.slug,
  title: page.title,
  body: page.body,
  bodyHtml: page.bodyHtml,
  placement: page.placement,
  position: page.position,
  createdAt: page.createdAt.toISOString(),
  updatedAt: page.updatedAt.toISOString(),
});

const invitationJson = (invitation: Invitation) => ({
  id: invitation.id,
  role: invitation.role,
  note: invitation.note,
  state: invitation.state,
  createdBy: invitation.createdBy,
  createdAt: invitation.createdAt.toISOString(),
  expiresAt: invitation.expiresAt.toISOString(),
  usedAt: invitation.usedAt?.toISOString() ?? null,
  usedBy: invitation.usedBy,
  revokedAt: invitation.revokedAt?.toISOString() ?? null,
});

export function siteApiRoutes(deps: AppDeps) {
  const app = new Hono();
  const caller = (c: Context) => callerOf(c, 'api');

  app.get('/admin/settings', requireApiUser(), async (c) => {
    requirePermission(caller(c), 'settings:edit');
    return c.json({ settings: (await deps.reads.site()).settings }, 200, { 'cache-control': 'no-store' });
  });

  app.put('/admin/settings', requireApiUser(), async (c) => {
    requirePermission(caller(c), 'settings:edit');
    const { settings } = await readJson(c, SettingsBody);
    const result = await changeSiteSettings(deps, caller(c), { changes: settings });
    if (!result.ok) throw unprocessable(result.errors);
    return c.json({ settings: result.value.settings, changed: result.value.changed });
  });

  app.get('/admin/pages', requireApiUser(), async (c) => {
    requirePermission(caller(c), 'page:edit');
    return c.json({ pages: (await listPages(deps.db)).map(pageJson) }, 200, { 'cache-control': 'no-store' });
  });

  app.post('/admin/pages', requireApiUser(), async (c) => {
    requirePermission(caller(c), 'page:edit');
    const { page } = await readJson(c, PageBody);
    const result = await createPage(deps, caller(c), { placement: 'footer', position: 0, ...page });
    if (!result.ok) throw unprocessable(result.errors);
    return c.json({ page: pageJson(result.value) }, 201);
  });

  app.put('/admin/pages/:id', requireApiUser(), async (c) => {
    requirePermission(caller(c), 'page:edit');
    const { page } = await readJson(c, PageBody);
    const result = await updatePage(deps, caller(c), { id: c.req.param('id'), page });
    if (!result.ok) throw unprocessable(result.errors);
    return c.json({ page: pageJson(result.value) });
  });

  app.delete('/admin/pages/:id', requireApiUser(), async (c) => {
    await deletePage(deps, caller(c), { id: c.req.param('id') });
    return c.body(null, 204);
  });

  /** A page as readers see it, for programs (no permission needed). */
  app.get('/pages/:slug', async (c) => {
    const page = await findPageBySlug(deps.db, c.req.param('slug'));
    if (!page) throw notFound('page');
    const { body, ...shown } = pageJson(page);
    return c.json({ page: { ...shown, body } });
  });

  app.get('/admin/invitations', requireApiUser(), async (c) =>
    c.json({ invitations: (await listInvitations(deps, caller(c))).map(invitationJson) }, 200, { 'cache-control': 'no-store' }),
  );

  app.post('/admin/invitations', requireApiUser(), async (c) => {
    requirePermission(caller(c), 'invitation:create');
    const { invitation } = await readJson(c, InvitationBody);
    const result = await createInvitation(deps, caller(c), invitation ?? {});
    if (!result.ok) throw unprocessable(result.errors);
    // the token and link are in this answer only: the site keeps a hash
    return c.json({ invitation: { ...invitationJson(result.value.invitation), token: result.value.token, link: result.value.link } }, 201);
  });

  app.delete('/admin/invitations/:id', requireApiUser(), async (c) => {
    const result = await revokeInvitation(deps, caller(c), { id: c.req.param('id') });
    if (!result.ok) throw new ApiError(409, result.errors);
    return c.json({ invitation: invitationJson(result.value) });
  });

  return app;
}
