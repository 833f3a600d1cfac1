import { DateTime } from '../../components/date';
import { AdminLayout, type AdminSection } from './admin-layout';

export type OverviewCounts = { users: number; articles: number; comments: number; hiddenArticles: number; hiddenComments: number; suspendedUsers: number; openReports: number };
export type RecentSignup = { username: string; createdAt: Date; role: string };

export function AdminOverviewPage(props: { allowed: readonly AdminSection[]; counts: OverviewCounts; recentSignups: RecentSignup[] }) {
  const { counts } = props;
  return (
    <AdminLayout current="/admin" heading="Administration" allowed={props.allowed}>
      <section aria-labelledby="counts-heading">
        <h2 id="counts-heading">The site in numbers</h2>
        <dl class="admin-counts">
          <dt>Accounts</dt>
          <dd>{counts.users} ({counts.suspendedUsers} suspended)</dd>
          <dt>Articles</dt>
          <dd>{counts.articles} ({counts.hiddenArticles} hidden)</dd>
          <dt>Comments</dt>
          <dd>{counts.comments} ({counts.hiddenComments} hidden)</dd>
          <dt>Open reports</dt>
          <dd>
            <a href="/admin/reports">{counts.openReports}</a>
          </dd>
        </dl>
      </section>
      <section aria-labelledby="signups-heading">
        <h2 id="signups-heading">Recent sign-ups</h2>
        {props.recentSignups.length === 0 ? (
          <p>Nobody has signed up yet.</p>
        ) : (
          <ul class="admin-list">
            {props.recentSignups.map((user) => (
              <li>
                <a href={`/profile/${encodeURIComponent(user.username)}`}>{user.username}</a> ({user.role}), joined{' '}
                <DateTime date={user.createdAt} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </AdminLayout>
  );
}
