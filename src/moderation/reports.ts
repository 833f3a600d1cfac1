/**
 * What moderators read and write about reports, hidden content and recent comments: the data
 * layer of /admin/content, /admin/reports and their JSON twins. Use cases (./use-cases.ts) check
 * who may.
 */
import { and, asc, count, desc, eq, gte, inArray, isNotNull, isNull } from 'drizzle-orm';
import { hiddenOf, type ArticleHidden } from '../articles/summary';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { idle } from '../db/transaction';

export type ReportKind = 'article' | 'comment' | 'user';
export type ReportState = 'open' | 'resolved';

export type Report = {
  id: number;
  reporterId: number | null;
  reporterName: string | null;
  targetKind: ReportKind;
  targetId: number;
  targetLabel: string;
  /** where the target is now: an article's or a comment's page, a profile; null once it is gone */
  targetPath: string | null;
  reason: string;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedById: number | null;
  resolvedByName: string | null;
  resolution: string | null;
  resolutionNote: string | null;
};

export const REPORTS_PAGE_SIZE = 20;
export const CONTENT_PAGE_SIZE = 20;

const asKind = (value: string): ReportKind => (value === 'comment' || value === 'user' ? value : 'article');

async function usernames(db: Db, ids: Array<number | null>): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
  if (wanted.length === 0) return new Map();
  const { users } = tablesOf(db);
  const rows = await db.select({ id: users.id, username: users.username }).from(users).where(inArray(users.id, wanted));
  return new Map(rows.map((row) => [row.id, row.username]));
}

/** Where each target lives now (slug, the comment's article, the username), by kind and id. */
async function targetPaths(db: Db, rows: Array<{ targetKind: string; targetId: number }>): Promise<Map<string, string>> {
  const { articles, comments, users } = tablesOf(db);
  const ids = (kind: string) => [...new Set(rows.filter((row) => row.targetKind === kind).map((row) => row.targetId))];
  const paths = new Map<string, string>();
  const [articleIds, commentIds, userIds] = [ids('article'), ids('comment'), ids('user')];
  if (articleIds.length > 0) {
    for (const row of await db.select({ id: articles.id, slug: articles.slug }).from(articles).where(inArray(articles.id, articleIds))) {
      paths.set(`article:${row.id}`, `/article/${encodeURIComponent(row.slug)}`);
    }
  }
  if (commentIds.length > 0) {
    const found = await db
      .select({ id: comments.id, slug: articles.slug })
      .from(comments)
      .innerJoin(articles, eq(articles.id, comments.articleId))
      .where(inArray(comments.id, commentIds));
    for (const row of found) paths.set(`comment:${row.id}`, `/article/${encodeURIComponent(row.slug)}#comment-${row.id}`);
  }
  if (userIds.length > 0) {
    for (const row of await db.select({ id: users.id, username: users.username }).from(users).where(inArray(users.id, userIds))) {
      paths.set(`user:${row.id}`, `/profile/${encodeURIComponent(row.username)}`);
    }
  }
  return paths;
}

type ReportRow = {
  id: number;
  reporterId: number | null;
  targetKind: string;
  targetId: number;
  targetLabel: string;
  reason: string;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedById: number | null;
  resolution: string | null;
  resolutionNote: string | null;
};

async function withNames(db: Db, rows: ReportRow[]): Promise<Report[]> {
  const [names, paths] = await Promise.all([
    usernames(db, rows.flatMap((row) => [row.reporterId, row.resolvedById])),
    targetPaths(db, rows),
  ]);
  return rows.map((row) => ({
    ...row,
    targetKind: asKind(row.targetKind),
    reporterName: row.reporterId === null ? null : names.get(row.reporterId) ?? null,
    resolvedByName: row.resolvedById === null ? null : names.get(row.resolvedById) ?? null,
    targetPath: paths.get(`${row.targetKind}:${row.targetId}`) ?? null,
  }));
}

/** A page of reports: open ones oldest first (a queue), resolved ones most recently resolved first. */
export async function listReports(db: Db, options: { state: ReportState; page: number }): Promise<{ reports: Report[]; total: number }> {
  await idle(db);
  const { reports } = tablesOf(db);
  const where = options.state === 'open' ? isNull(reports.resolvedAt) : isNotNull(reports.resolvedAt);
  const order = options.state === 'open' ? [asc(reports.id)] : [desc(reports.resolvedAt), desc(reports.id)];
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(reports)
      .where(where)
      .orderBy(...order)
      .limit(REPORTS_PAGE_SIZE)
      .offset((options.page - 1) * REPORTS_PAGE_SIZE),
    db.select({ n: count() }).from(reports).where(where),
  ]);
  return { reports: await withNames(db, rows), total: Number(total?.n ?? 0) };
}

export async function findReport(db: Db, id: number): Promise<Report | null> {
  await idle(db);
  const { reports } = tablesOf(db);
  const rows = await db.select().from(reports).where(eq(reports.id, id)).limit(1);
  return (await withNames(db, rows))[0] ?? null;
}

/** The reporter's open report on this target, if any. */
export async function findOpenReport(db: Db, reporterId: number, kind: ReportKind, targetId: number): Promise<number | null> {
  await idle(db);
  const { reports } = tablesOf(db);
  const [row] = await db
    .select({ id: reports.id })
    .from(reports)
    .where(and(eq(reports.reporterId, reporterId), eq(reports.targetKind, kind), eq(reports.targetId, targetId), isNull(reports.resolvedAt)))
    .limit(1);
  return row?.id ?? null;
}

/** How many reports a reader has open, and how many they sent since `since`: their limits. */
export async function countReportsBy(db: Db, reporterId: number, since: Date): Promise<{ open: number; recent: number }> {
  await idle(db);
  const { reports } = tablesOf(db);
  const [[open], [recent]] = await Promise.all([
    db.select({ n: count() }).from(reports).where(and(eq(reports.reporterId, reporterId), isNull(reports.resolvedAt))),
    db.select({ n: count() }).from(reports).where(and(eq(reports.reporterId, reporterId), gte(reports.createdAt, since))),
  ]);
  return { open: Number(open?.n ?? 0), recent: Number(recent?.n ?? 0) };
}

export async function insertReport(
  db: Db,
  report: { reporterId: number; kind: ReportKind; targetId: number; targetLabel: string; reason: string; now: number },
): Promise<number> {
  await idle(db);
  const { reports } = tablesOf(db);
  const [row] = await db
    .insert(reports)
    .values({
      reporterId: report.reporterId,
      targetKind: report.kind,
      targetId: report.targetId,
      targetLabel: report.targetLabel,
      reason: report.reason,
      createdAt: new Date(report.now),
    })
    .returning({ id: reports.id });
  return row!.id;
}

/** Resolves every open report on the target (one decision answers them all); how many it closed. */
export async function resolveReportsOn(
  db: Db,
  target: { kind: ReportKind; id: number },
  resolution: { byId: number | null; as: string; note: string | null; now: number },
): Promise<number> {
  await idle(db);
  const { reports } = tablesOf(db);
  const closed = await db
    .update(reports)
    .set({ resolvedAt: new Date(resolution.now), resolvedById: resolution.byId, resolution: resolution.as, resolutionNote: resolution.note })
    .where(and(eq(reports.targetKind, target.kind), eq(reports.targetId, target.id), isNull(reports.resolvedAt)))
    .returning({ id: reports.id });
  return closed.length;
}

/** A comment with what moderation pages show of it: its article, author and hidden state. */
export type ModeratedComment = {
  id: number;
  body: string;
  createdAt: Date;
  authorId: number;
  authorName: string;
  articleId: number;
  articleSlug: string;
  articleTitle: string;
  articleAuthorId: number;
  hidden: ArticleHidden | null;
  hiddenByName: string | null;
};

const commentSelection = (t: ReturnType<typeof tablesOf>) => ({
  id: t.comments.id,
  body: t.comments.body,
  createdAt: t.comments.createdAt,
  authorId: t.comments.authorId,
  authorName: t.users.username,
  articleId: t.articles.id,
  articleSlug: t.articles.slug,
  articleTitle: t.articles.title,
  articleAuthorId: t.articles.authorId,
  hiddenAt: t.comments.hiddenAt,
  hiddenCause: t.comments.hiddenCause,
  hiddenReason: t.comments.hiddenReason,
  hiddenById: t.comments.hiddenById,
});

/** As commentSelection reads it: the hidden columns not yet made into `hidden`. */
type CommentRow = Omit<ModeratedComment, 'hidden' | 'hiddenByName'> & {
  hiddenAt: Date | null;
  hiddenCause: string | null;
  hiddenReason: string | null;
  hiddenById: number | null;
};

async function toModerated(db: Db, rows: CommentRow[]): Promise<ModeratedComment[]> {
  const names = await usernames(db, rows.map((row) => row.hiddenById));
  return rows.map(({ hiddenAt, hiddenCause, hiddenReason, hiddenById, ...row }) => ({
    ...row,
    hidden: hiddenOf({ hiddenAt, hiddenCause, hiddenReason }),
    hiddenByName: hiddenById === null ? null : names.get(hiddenById) ?? null,
  }));
}

/** A comment by its id alone (the admin API names comments so), with its article. */
export async function findModeratedComment(db: Db, id: number): Promise<ModeratedComment | null> {
  await idle(db);
  const t = tablesOf(db);
  const rows = await db
    .select(commentSelection(t))
    .from(t.comments)
    .innerJoin(t.users, eq(t.users.id, t.comments.authorId))
    .innerJoin(t.articles, eq(t.articles.id, t.comments.articleId))
    .where(eq(t.comments.id, id))
    .limit(1);
  return (await toModerated(db, rows))[0] ?? null;
}

/** The newest comments, hidden or not, a page at a time (/admin/content). */
export async function listRecentComments(db: Db, page: number): Promise<{ comments: ModeratedComment[]; total: number }> {
  await idle(db);
  const t = tablesOf(db);
  const [rows, [total]] = await Promise.all([
    db
      .select(commentSelection(t))
      .from(t.comments)
      .innerJoin(t.users, eq(t.users.id, t.comments.authorId))
      .innerJoin(t.articles, eq(t.articles.id, t.comments.articleId))
      .orderBy(desc(t.comments.createdAt), desc(t.comments.id))
      .limit(CONTENT_PAGE_SIZE)
      .offset((page - 1) * CONTENT_PAGE_SIZE),
    db.select({ n: count() }).from(t.comments),
  ]);
  return { comments: await toModerated(db, rows), total: Number(total?.n ?? 0) };
}

/** Every hidden comment, most recently hidden first (a moderator's list: it stays short). */
export async function listHiddenComments(db: Db, limit = 100): Promise<ModeratedComment[]> {
  await idle(db);
  const t = tablesOf(db);
  const rows = await db
    .select(commentSelection(t))
    .from(t.comments)
    .innerJoin(t.users, eq(t.users.id, t.comments.authorId))
    .innerJoin(t.articles, eq(t.articles.id, t.comments.articleId))
    .where(isNotNull(t.comments.hiddenAt))
    .orderBy(desc(t.comments.hiddenAt), desc(t.comments.id))
    .limit(limit);
  return toModerated(db, rows);
}

export type HiddenArticle = {
  id: number;
  slug: string;
  title: string;
  authorName: string;
  hidden: ArticleHidden;
  hiddenByName: string | null;
};

/** Every hidden article, most recently hidden first. */
export async function listHiddenArticles(db: Db, limit = 100): Promise<HiddenArticle[]> {
  await idle(db);
  const { articles, users } = tablesOf(db);
  const rows = await db
    .select({
      id: articles.id,
      slug: articles.slug,
      title: articles.title,
      authorName: users.username,
      hiddenAt: articles.hiddenAt,
      hiddenCause: articles.hiddenCause,
      hiddenReason: articles.hiddenReason,
      hiddenById: articles.hiddenById,
    })
    .from(articles)
    .innerJoin(users, eq(users.id, articles.authorId))
    .where(isNotNull(articles.hiddenAt))
    .orderBy(desc(articles.hiddenAt), desc(articles.id))
    .limit(limit);
  const names = await usernames(db, rows.map((row) => row.hiddenById));
  return rows.map(({ hiddenAt, hiddenCause, hiddenReason, hiddenById, ...row }) => ({
    ...row,
    hidden: hiddenOf({ hiddenAt, hiddenCause, hiddenReason })!,
    hiddenByName: hiddenById === null ? null : names.get(hiddenById) ?? null,
  }));
}

/** An article's id, slug and title by id (a report names its target by id). */
export async function findArticleSlug(db: Db, id: number): Promise<string | null> {
  await idle(db);
  const { articles } = tablesOf(db);
  const [row] = await db.select({ slug: articles.slug }).from(articles).where(eq(articles.id, id)).limit(1);
  return row?.slug ?? null;
}



