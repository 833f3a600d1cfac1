/**
 * What an export reads of one account, a page at a time in id order (so a prolific account is
 * never read whole into memory): its articles (drafts and hidden ones too) with their tags, its
 * comments with their article's slug, its favorites and its follows.
 */
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { idle } from '../db/transaction';

export const EXPORT_PAGE_SIZE = 100;
/** articles come fewer at a time: each may hold 100 000 characters of Markdown */
export const EXPORT_ARTICLE_PAGE_SIZE = 20;

export type ExportedArticle = {
  id: number;
  slug: string;
  title: string;
  description: string;
  body: string;
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
  tags: string[];
};

export async function articlesPage(db: Db, userId: number, afterId: number): Promise<ExportedArticle[]> {
  await idle(db);
  const { articles, articleTags, tags } = tablesOf(db);
  const rows = await db
    .select({
      id: articles.id,
      slug: articles.slug,
      title: articles.title,
      description: articles.description,
      body: articles.body,
      createdAt: articles.createdAt,
      updatedAt: articles.updatedAt,
      publishedAt: articles.publishedAt,
    })
    .from(articles)
    .where(and(eq(articles.authorId, userId), gt(articles.id, afterId)))
    .orderBy(asc(articles.id))
    .limit(EXPORT_ARTICLE_PAGE_SIZE);
  if (rows.length === 0) return [];
  const tagRows = await db
    .select({ articleId: articleTags.articleId, name: tags.name })
    .from(articleTags)
    .innerJoin(tags, eq(tags.id, articleTags.tagId))
    .where(inArray(articleTags.articleId, rows.map((row) => row.id)))
    .orderBy(asc(articleTags.articleId), asc(articleTags.position));
  return rows.map((row) => ({ ...row, tags: tagRows.filter((tag) => tag.articleId === row.id).map((tag) => tag.name) }));
}

export async function commentsPage(db: Db, userId: number, afterId: number) {
  await idle(db);
  const { comments, articles } = tablesOf(db);
  return db
    .select({ id: comments.id, article: articles.slug, body: comments.body, createdAt: comments.createdAt, updatedAt: comments.updatedAt })
    .from(comments)
    .innerJoin(articles, eq(articles.id, comments.articleId))
    .where(and(eq(comments.authorId, userId), gt(comments.id, afterId)))
    .orderBy(asc(comments.id))
    .limit(EXPORT_PAGE_SIZE);
}

export async function favoritesPage(db: Db, userId: number, afterArticleId: number) {
  await idle(db);
  const { favorites, articles } = tablesOf(db);
  return db
    .select({ articleId: favorites.articleId, slug: articles.slug })
    .from(favorites)
    .innerJoin(articles, eq(articles.id, favorites.articleId))
    .where(and(eq(favorites.userId, userId), gt(favorites.articleId, afterArticleId)))
    .orderBy(asc(favorites.articleId))
    .limit(EXPORT_PAGE_SIZE);
}

export async function followsPage(db: Db, userId: number, afterUserId: number) {
  await idle(db);
  const { follows, users } = tablesOf(db);
  return db
    .select({ userId: follows.followedId, username: users.username })
    .from(follows)
    .innerJoin(users, eq(users.id, follows.followedId))
    .where(and(eq(follows.followerId, userId), gt(follows.followedId, afterUserId)))
    .orderBy(asc(follows.followedId))
    .limit(EXPORT_PAGE_SIZE);
}

/** A person's comments, before their account goes: they go with it even when its articles stay. */
export async function deleteCommentsBy(db: Db, userId: number): Promise<number> {
  await idle(db);
  const { comments } = tablesOf(db);
  return (await db.delete(comments).where(eq(comments.authorId, userId)).returning({ id: comments.id })).length;
}
