/**
 * /admin: the overview and the audit log. Each other section is its feature's own routes
 * (src/moderation/, src/users/, src/site/, src/invitations/), mounted here.
 */
import { Hono } from 'hono';
import { AdminAuditPage } from '../../views/pages/admin/audit-page';
import { AdminOverviewPage } from '../../views/pages/admin/overview-page';
import type { AppDeps } from '../app-types';
import { accountAdminRoutes } from '../accounts/routes';
import { AUDIT_PAGE_SIZE, listAuditLog } from '../audit/log';
import { parsePage } from '../lib/pagination';
import { allowedSections, requireAdminPermission } from './guard';
import { readOverview } from './queries';

const ACTION_FILTER = /^[a-z-]{1,30}(\.[a-z-]{1,30})?$/;

export function adminRoutes(deps: AppDeps) {
  const app = new Hono();

  app.get('/admin', requireAdminPermission('admin:view'), async (c) => {
    const overview = await readOverview(deps.db);
    return c.render(<AdminOverviewPage allowed={allowedSections(c)} {...overview} />, { title: 'Administration' });
  });

  app.get('/admin/audit', requireAdminPermission('audit:view'), async (c) => {
    const page = parsePage(c);
    const typed = (c.req.query('action') ?? '').trim();
    // a filter that is no action's name matches nothing, rather than an error
    const action = ACTION_FILTER.test(typed) ? typed : typed === '' ? undefined : '-';
    const { entries, total } = await listAuditLog(deps.db, { page, ...(action && { action }) });
    const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
    if (page > pages) return c.notFound();
    return c.render(<AdminAuditPage allowed={allowedSections(c)} entries={entries} page={page} pages={pages} action={typed} />, {
      title: 'Audit log',
    });
  });

  app.route('/', accountAdminRoutes(deps));

  return app;
}
