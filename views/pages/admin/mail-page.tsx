import type { OutboxEntry } from '../../../src/mail/outbox';
import { DateTime } from '../../components/date';
import { AdminLayout, AdminPager, type AdminSection } from './admin-layout';

function Status(props: { entry: OutboxEntry; mailOn: boolean }) {
  const { entry } = props;
  if (entry.sentAt) {
    return (
      <>
        Sent <DateTime date={entry.sentAt} />
        {entry.attempts > 1 && ` (try ${entry.attempts})`}
      </>
    );
  }
  if (entry.failedAt) {
    return (
      <>
        Given up <DateTime date={entry.failedAt} /> after {entry.attempts} {entry.attempts === 1 ? 'try' : 'tries'}
        {entry.lastError && <div class="admin-details">{entry.lastError}</div>}
      </>
    );
  }
  if (!props.mailOn) return <>Not sent: mail is off</>;
  if (entry.attempts === 0) return <>Waiting to be sent</>;
  return (
    <>
      Try {entry.attempts} failed; next <DateTime date={entry.nextAttemptAt} />
      {entry.lastError && <div class="admin-details">{entry.lastError}</div>}
    </>
  );
}

/** /admin/mail: the outbox, what was sent, what waits, what was given up; never the messages' bodies. */
export function AdminMailPage(props: {
  allowed: readonly AdminSection[];
  entries: OutboxEntry[];
  page: number;
  pages: number;
  waiting: number;
  mailOn: boolean;
  from: string;
}) {
  return (
    <AdminLayout current="/admin/mail" heading="Mail" allowed={props.allowed}>
      {props.mailOn ? (
        <p>
          Mail goes out as <code>{props.from}</code>. {props.waiting === 0 ? 'Nothing is waiting.' : `${props.waiting} waiting.`} A message
          that fails is tried again after 1, 2, 4… minutes, and given up after 10 tries or two days.
        </p>
      ) : (
        <p class="admin-notice" role="status">
          <strong>Mail is off:</strong> <code>SMTP_URL</code> is not set, so Quire sends no mail. Below is what it would have sent. Without
          mail, a member who forgot their password gets a reset link from an admin (<a href="/admin/users">Users</a>, or{' '}
          <code>quire user reset-link NAME</code>).
        </p>
      )}
      {props.entries.length === 0 ? (
        <p>No mail yet.</p>
      ) : (
        <table class="admin-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">To</th>
              <th scope="col">What</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {props.entries.map((entry) => (
              <tr>
                <td>
                  <DateTime date={entry.createdAt} />
                </td>
                <td>{entry.to}</td>
                <td>
                  {entry.subject} <span class="admin-door">({entry.kind})</span>
                </td>
                <td>
                  <Status entry={entry} mailOn={props.mailOn} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AdminPager page={props.page} pages={props.pages} href={(page) => `/admin/mail?page=${page}`} />
    </AdminLayout>
  );
}
