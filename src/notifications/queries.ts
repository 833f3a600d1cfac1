/**
 * Notifications' rows: what the acts write (one insert, the recipient's preference read in the
 * same statement), what the page and the digests read, and what the navigation's count is.
 *
 * What a row means:
 * - `read_at` null: unread. A kind turned off in the page ("show in Quire" off) is recorded read
 *   already (only a digest wants it), so the unread count never has to read preferences.
 * - `emailed_at` null: waiting for a digest. A kind not mailed is recorded with `emailed_at` set
 *   (nothing waits for it), so `notifications_unmailed_idx` holds only what a digest will carry.
 * - A kind neither shown nor mailed is not recorded at all.
 *
 * What is never shown (page, count, digest): a notification whose actor is suspended, or whose
 * comment is hidden by moderation. Deleted accounts, articles and comments take theirs with them
 * (foreign keys, ON DELETE CASCADE).
 */
import { and, desc, eq, isNull, lte, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../db/client';
import { engineOf, preparedQuery, tablesOf, type Tables } from '../db/engine';
import { idle } from '../db/transaction';
import { PLACEHOLDER_USERNAME } from '../accounts/queries';
import { unreadCountSql } from './unread';

export { UNREAD_COUNT_CAP, unreadCountSql } from './unread';

export const NOTIFICATION_KINDS = ['follow', 'comment', 'favorite'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export const isNotificationKind = (value: unknown): value is NotificationKind =>
  typeof value === 'string' && (NOTIFICATION_KINDS as readonly string[]).includes(value);

/** An act that tells someone: who is told, what, by whom, about what. */
export type NotificationEvent = {
  recipientId: number;
  kind: NotificationKind;
  actorId: number;
  articleId: number | null;
  commentId: number | null;
};

/**
 * Records `event` in one statement, INSERT ... SELECT from the recipient's row and their preference
 * for this kind (a primary-key read each): nothing when they turned both ways off, when they are
 * the actor (no one is told of their own act), or when the recipient is the placeholder that keeps
 * deleted authors' writing. Answers whether a row was written and whether a digest waits for it.
 */
export async function recordNotification(db: Db, event: NotificationEvent, now: number): Promise<{ id: number; mailed: boolean } | null> {
  const postgres = engineOf(db) === 'postgres';
  const query = preparedQuery(db, 'notification-record', ({ notifications: n, notificationPreferences, users }) => {
    // PostgreSQL cannot tell a bare parameter's type in a SELECT list: each says it with a cast
    const at = postgres ? sql`cast(${sql.placeholder('now')} as timestamptz)` : sql`cast(${sql.placeholder('now')} as integer)`;
    const int = (name: string) => sql`cast(${sql.placeholder(name)} as integer)`;
    const kind = sql`cast(${sql.placeholder('kind')} as text)`;
    // Drizzle's insert ... select names every column, the id too: SQLite numbers a null, an identity column wants its sequence
    const id = postgres ? sql`nextval(pg_get_serial_sequence('notifications', 'id'))` : sql`null`;
    return db
      .insert(n)
      .select(
        sql`select ${id}, r.id, ${kind}, ${int('actorId')}, ${int('articleId')}, ${int('commentId')}, ${at},
          case when coalesce(p.in_app, 1) = 0 then ${at} end,
          case when coalesce(p.by_email, 0) = 0 then ${at} end
        from ${users} r left join ${notificationPreferences} p on p.user_id = r.id and p.kind = ${kind}
        where r.id = ${int('recipientId')} and r.id <> ${int('actorId')} and r.username <> ${PLACEHOLDER_USERNAME}
          and (coalesce(p.in_app, 1) = 1 or coalesce(p.by_email, 0) = 1)`,
      )
      .returning({ id: n.id, mailed: sql<number | boolean>`${n.emailedAt} is null` });
  });
  const row = await query.row({
    recipientId: event.recipientId,
    kind: event.kind,
    actorId: event.actorId,
    articleId: event.articleId,
    commentId: event.commentId,
    now: postgres ? new Date(now).toISOString() : now,
  });
  return row ? { id: row.id, mailed: Boolean(row.mailed) } : null;
}

/**
 * An act taken back (unfollow, unfavorite): its notification goes while something still waits on
 * it (unread, or not yet in a digest), so following and unfollowing in a loop tells no one twice.
 */
export async function forgetNotification(db: Db, event: Omit<NotificationEvent, 'commentId'>): Promise<void> {
  const aboutArticle = event.articleId !== null;
  const query = preparedQuery(db, aboutArticle ? 'notification-forget-article' : 'notification-forget', ({ notifications: n }) =>
    db
      .delete(n)
      .where(
        and(
          eq(n.userId, sql.placeholder('recipientId')),
          eq(n.kind, sql.placeholder('kind')),
          eq(n.actorId, sql.placeholder('actorId')),
          aboutArticle ? eq(n.articleId, sql.placeholder('articleId')) : isNull(n.articleId),
          // still waiting on one way of being seen: unread, or not yet in a digest (a kind not
          // shown is recorded read, one not mailed recorded mailed)
          sql`(${n.readAt} is null or ${n.emailedAt} is null)`,
        ),
      ),
  );
  await query.execute({ recipientId: event.recipientId, kind: event.kind, actorId: event.actorId, ...(aboutArticle && { articleId: event.articleId }) });
}

/**
 * Over `notifications` as `n` with its actor `a` and comment `c` joined: a notification anyone may
 * be shown (its actor not suspended, its comment not hidden).
 */
const shown = (n: Tables['notifications'], a: Tables['users'], c: Tables['comments']): SQL =>
  sql`${a.suspendedAt} is null and (${n.commentId} is null or ${c.hiddenAt} is null)`;

export type NotificationItem = {
  id: number;
  kind: NotificationKind;
  createdAt: Date;
  read: boolean;
  actor: { username: string; image: string | null };
  article: { slug: string; title: string } | null;
  commentId: number | null;
};

export const NOTIFICATIONS_PAGE_SIZE = 20;

/** The kinds `userId` turned off in the page: their rows are not listed. */
const hiddenKinds = (t: Tables, userId: SQLWrapper | number, kind: SQLWrapper): SQL =>
  sql`not exists (select 1 from ${t.notificationPreferences} np where np.user_id = ${userId} and np.kind = ${kind} and np.in_app = 0)`;

/**
 * Notifications with who did it and on what, as the page and the digest read them (the caller adds
 * which rows and their order); `shown` says whether the actor and the comment may be shown.
 */
function notificationRows(db: Db, t: Tables) {
  const { notifications: n, users: a, articles: ar, comments: c } = t;
  return db
    .select({
      id: n.id,
      kind: n.kind,
      createdAt: n.createdAt,
      readAt: n.readAt,
      shown: sql<number | boolean>`${shown(n, a, c)}`,
      actorName: a.username,
      actorImage: a.image,
      slug: ar.slug,
      title: ar.title,
      commentId: n.commentId,
    })
    .from(n)
    .innerJoin(a, eq(a.id, n.actorId))
    .leftJoin(ar, eq(ar.id, n.articleId))
    .leftJoin(c, eq(c.id, n.commentId));
}

/** One page of a person's notifications, newest first (one more than a page: whether there is a next). */
export async function listNotifications(db: Db, userId: number, page: number): Promise<{ items: NotificationItem[]; more: boolean }> {
  await idle(db);
  const t = tablesOf(db);
  const { notifications: n, users: a, comments: c } = t;
  const rows = await notificationRows(db, t)
    .where(and(eq(n.userId, userId), sql`${shown(n, a, c)}`, hiddenKinds(t, userId, n.kind)))
    .orderBy(desc(n.id))
    .limit(NOTIFICATIONS_PAGE_SIZE + 1)
    .offset((page - 1) * NOTIFICATIONS_PAGE_SIZE);
  const items = rows.slice(0, NOTIFICATIONS_PAGE_SIZE).map((row) => ({
    id: row.id,
    kind: row.kind as NotificationKind,
    createdAt: row.createdAt,
    read: row.readAt !== null,
    actor: { username: row.actorName, image: row.actorImage },
    article: row.slug !== null && row.title !== null ? { slug: row.slug, title: row.title } : null,
    commentId: row.commentId,
  }));
  return { items, more: rows.length > NOTIFICATIONS_PAGE_SIZE };
}

/** The unread count as the navigation shows it (the API's answer, and tests). */
export async function countUnread(db: Db, userId: number): Promise<number> {
  await idle(db);
  const t = tablesOf(db);
  const [row] = await db.select({ n: unreadCountSql(t, sql`${userId}`) }).from(t.users).where(eq(t.users.id, userId));
  return Number(row?.n ?? 0);
}

/** Marks every unread notification of `userId` read (those up to `upToId`, when given: what the page showed). */
export async function markAllRead(db: Db, userId: number, now: number, upToId?: number): Promise<number> {
  await idle(db);
  const { notifications: n } = tablesOf(db);
  const done = await db
    .update(n)
    .set({ readAt: new Date(now) })
    .where(and(eq(n.userId, userId), isNull(n.readAt), upToId === undefined ? undefined : lte(n.id, upToId)))
    .returning({ id: n.id });
  return done.length;
}

export type KindPreference = { kind: NotificationKind; inApp: boolean; byEmail: boolean; lastEmailedAt: Date | null };

/** A person's preference for every kind, the defaults where they set none. */
export async function findPreferences(db: Db, userId: number): Promise<Record<NotificationKind, KindPreference>> {
  await idle(db);
  const { notificationPreferences: p } = tablesOf(db);
  const rows = await db.select().from(p).where(eq(p.userId, userId));
  const preferences = Object.fromEntries(
    NOTIFICATION_KINDS.map((kind) => [kind, { kind, inApp: true, byEmail: false, lastEmailedAt: null }]),
  ) as Record<NotificationKind, KindPreference>;
  for (const row of rows) {
    if (isNotificationKind(row.kind)) {
      preferences[row.kind] = { kind: row.kind, inApp: row.inApp === 1, byEmail: row.byEmail === 1, lastEmailedAt: row.lastEmailedAt };
    }
  }
  return preferences;
}

/**
 * Sets one kind's preference. What it stops waiting: turned off in the page, its unread become
 * read (the count drops at once); no longer mailed, what waited for a digest no longer does.
 */
export async function savePreference(db: Db, userId: number, kind: NotificationKind, change: { inApp?: boolean; byEmail?: boolean }, now: number): Promise<void> {
  await idle(db);
  const { notificationPreferences: p, notifications: n } = tablesOf(db);
  const set: { inApp?: number; byEmail?: number } = {};
  if (change.inApp !== undefined) set.inApp = change.inApp ? 1 : 0;
  if (change.byEmail !== undefined) set.byEmail = change.byEmail ? 1 : 0;
  await db
    .insert(p)
    .values({ userId, kind, ...set })
    .onConflictDoUpdate({ target: [p.userId, p.kind], set });
  if (change.inApp === false) {
    await db.update(n).set({ readAt: new Date(now) }).where(and(eq(n.userId, userId), eq(n.kind, kind), isNull(n.readAt)));
  }
  if (change.byEmail === false) {
    await db.update(n).set({ emailedAt: new Date(now) }).where(and(eq(n.userId, userId), eq(n.kind, kind), isNull(n.emailedAt)));
  }
}

export type DigestItem = Omit<NotificationItem, 'read'>;

/** What a digest of `kind` for `userId` would carry: every notification waiting for one, oldest first. */
export async function findUnmailed(db: Db, userId: number, kind: NotificationKind): Promise<{ ids: number[]; items: DigestItem[] }> {
  await idle(db);
  const t = tablesOf(db);
  const { notifications: n } = t;
  const rows = await notificationRows(db, t)
    .where(and(eq(n.userId, userId), eq(n.kind, kind), isNull(n.emailedAt)))
    .orderBy(n.id);
  return {
    // every waiting row is done with by this digest, the ones not to be shown too
    ids: rows.map((row) => row.id),
    items: rows
      .filter((row) => Boolean(row.shown))
      .map((row) => ({
        id: row.id,
        kind,
        createdAt: row.createdAt,
        actor: { username: row.actorName, image: row.actorImage },
        article: row.slug !== null && row.title !== null ? { slug: row.slug, title: row.title } : null,
        commentId: row.commentId,
      })),
  };
}

/** Marks rows as carried by a digest, and (when one was `sent`) the kind's last digest as now. */
export async function markMailed(db: Db, userId: number, kind: NotificationKind, ids: number[], now: number, sent: boolean): Promise<void> {
  const { notifications: n, notificationPreferences: p } = tablesOf(db);
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await db.update(n).set({ emailedAt: new Date(now) }).where(and(eq(n.userId, userId), sql`${n.id} in (${sql.join(chunk.map((id) => sql`${id}`), sql`, `)})`));
  }
  if (sent) await db.update(p).set({ lastEmailedAt: new Date(now) }).where(and(eq(p.userId, userId), eq(p.kind, kind)));
}

/** The person and kind pairs a digest is due for at `now`: something waits, and the last digest of that kind is an hour old. */
export async function findDueDigests(db: Db, now: number, intervalMs: number, limit: number): Promise<Array<{ userId: number; kind: NotificationKind }>> {
  await idle(db);
  const { notifications: n, notificationPreferences: p } = tablesOf(db);
  const rows = await db
    .selectDistinct({ userId: n.userId, kind: n.kind })
    .from(n)
    .innerJoin(p, and(eq(p.userId, n.userId), eq(p.kind, n.kind)))
    .where(and(isNull(n.emailedAt), eq(p.byEmail, 1), or(isNull(p.lastEmailedAt), lte(p.lastEmailedAt, new Date(now - intervalMs)))))
    .limit(limit);
  return rows.filter((row) => isNotificationKind(row.kind)) as Array<{ userId: number; kind: NotificationKind }>;
}

/** Whether a digest of `kind` may go to `userId` now: mailed, and the last one over `intervalMs` ago. */
export async function digestDue(db: Db, userId: number, kind: NotificationKind, now: number, intervalMs: number): Promise<boolean> {
  await idle(db);
  const { notificationPreferences: p } = tablesOf(db);
  const [row] = await db
    .select({ byEmail: p.byEmail, lastEmailedAt: p.lastEmailedAt })
    .from(p)
    .where(and(eq(p.userId, userId), eq(p.kind, kind)));
  return row !== undefined && row.byEmail === 1 && (row.lastEmailedAt === null || row.lastEmailedAt.getTime() <= now - intervalMs);
}

