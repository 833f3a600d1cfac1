/** What /admin's overview shows: counts of everything, and who joined last. */
import { count, desc, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';

const RECENT_SIGNUPS = 10;

export async function readOverview(db: Db) {
  const t = tablesOf(db);
  const n = async (query: Promise<Array<{ n: number }>>) => Number((await query)[0]?.n ?? 0);
  const [users, suspendedUsers, articles, hiddenArticles, comments, hiddenComments, openReports, recentSignups] = await Promise.all([
    n(db.select({ n: count() }).from(t.users)),
    n(db.select({ n: count() }).from(t.users).where(isNotNull(t.users.suspendedAt))),
    n(db.select({ n: count() }).from(t.articles)),
    n(db.select({ n: count() }).from(t.articles).where(isNotNull(t.articles.hiddenAt))),
    n(db.select({ n: count() }).from(t.comments)),
    n(db.select({ n: count() }).from(t.comments).where(isNotNull(t.comments.hiddenAt))),
    n(db.select({ n: count() }).from(t.reports).where(isNull(t.reports.resolvedAt))),
    db
      .select({ username: t.users.username, createdAt: t.users.createdAt, role: t.users.role })
      .from(t.users)
      .orderBy(desc(t.users.createdAt), desc(t.users.id))
      .limit(RECENT_SIGNUPS),
  ]);
  return { counts: { users, suspendedUsers, articles, hiddenArticles, comments, hiddenComments, openReports }, recentSignups };
}
