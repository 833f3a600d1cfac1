import type { AuditEntry } from '../../../src/audit/log';
import { DateTime } from '../../components/date';
import { AdminLayout, AdminPager, type AdminSection } from './admin-layout';

export function AdminAuditPage(props: { allowed: readonly AdminSection[]; entries: AuditEntry[]; page: number; pages: number; action: string }) {
  const query = (page: number) => `/admin/audit?${new URLSearchParams({ ...(props.action && { action: props.action }), page: String(page) })}`;
  return (
    <AdminLayout current="/admin/audit" heading="Audit log" allowed={props.allowed}>
      <form method="get" action="/admin/audit" class="admin-filter">
        <label for="audit-action">Action</label>{' '}
        <input id="audit-action" name="action" value={props.action} placeholder="user.suspend" />{' '}
        <button type="submit" class="btn btn-sm btn-outline-secondary">
          Filter
        </button>
      </form>
      {props.entries.length === 0 ? (
        <p>Nothing has been recorded yet.</p>
      ) : (
        <table class="admin-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">On</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {props.entries.map((entry) => (
              <tr>
                <td>
                  <DateTime date={entry.createdAt} />
                </td>
                <td>
                  {entry.actorName} <span class="admin-door">({entry.door})</span>
                </td>
                <td>
                  <code>{entry.action}</code>
                  {entry.details && <div class="admin-details">{entry.details}</div>}
                </td>
                <td>{entry.targetLabel ?? ''}</td>
                <td>{entry.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AdminPager page={props.page} pages={props.pages} href={query} />
    </AdminLayout>
  );
}
