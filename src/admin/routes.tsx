/**
 * /admin: the overview and the audit log. Each other section is its feature's own routes
 * (src/moderation/, src/users/, src/site/, src/invitations/), mounted here; /admin/mail lists the outbox.
 */
import { Hono } from 'hono';
import { AdminAuditPage } from '../../views/pages/admin/audit-page';
import { AdminMailPage } from '../../views/pages/admin/mail-page';
import { AdminOverviewPage } from '../../views/pages/admin/overview-page';
import type { AppDeps } from '../app-types';
import { accountAdminRoutes } from '../accounts/routes';
import { AUDIT_PAGE_SIZE, listAuditLog } from '../audit/log';
import { parsePage } from '../lib/pagination';
import { listOutbox, OUTBOX_PAGE_SIZE } from '../mail/outbox';
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

  app.get('/admin/mail', requireAdminPermission('mail:view'), async (c) => {
    const page = parsePage(c);
    const { entries, total, waiting } = await listOutbox(deps.db, { page });
    const pages = Math.max(1, Math.ceil(total / OUTBOX_PAGE_SIZE));
    if (page > pages) return c.notFound();
    return c.render(
      <AdminMailPage
        allowed={allowedSections(c)}
        entries={entries}
        page={page}
        pages={pages}
        waiting={waiting}
        mailOn={deps.env.SMTP_URL !== undefined}
        from={deps.env.MAIL_FROM}
      />,
      { title: 'Mail' },
    );
  });

  app.route('/', accountAdminRoutes(deps));

  return app;
}
