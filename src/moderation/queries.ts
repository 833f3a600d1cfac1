/**
 * Hiding and restoring, as the data layer does it. Hiding is a change of visibility
 * (src/articles/visibility.ts): a hidden article is no longer listed, and its tag links lose their
 * listing date in the same write, so every list, count, feed, sitemap and search drops it; the
 * cache triggers move the versions, so every cached page follows. Use cases (./use-cases.ts) check
 * who may, and write the audit entry in the same transaction.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { idle } from '../db/transaction';

export type HiddenCause = 'moderation' | 'suspension';
export type Hiding = { at: Date; cause: HiddenCause; reason: string | null; byId: number | null };

const hiddenColumns = (hiding: Hiding | null) => ({
  hiddenAt: hiding?.at ?? null,
  hiddenCause: hiding?.cause ?? null,
  hiddenReason: hiding?.reason ?? null,
  hiddenById: hiding?.byId ?? null,
});

/** Hides an article (or, with null, restores it), its tag links following. */
export async function setArticleHidden(db: Db, articleId: number, hiding: Hiding | null): Promise<void> {
  await idle(db);
  const { articles, articleTags } = tablesOf(db);
  await db.update(articles).set(hiddenColumns(hiding)).where(eq(articles.id, articleId));
  await db
    .update(articleTags)
    .set({
      publishedAt: hiding
        ? null
        : sql`(select ${articles.publishedAt} from ${articles} where ${articles.id} = ${articleTags.articleId})`,
    })
    .where(eq(articleTags.articleId, articleId));
}

/** Hides a comment (or, with null, restores it). */
export async function setCommentHidden(db: Db, commentId: number, hiding: Hiding | null): Promise<void> {
  await idle(db);
  const { comments } = tablesOf(db);
  await db.update(comments).set(hiddenColumns(hiding)).where(eq(comments.id, commentId));
}

/**
 * A suspended author's articles and comments, hidden with cause 'suspension'. What a moderator
 * hid already stays hidden for its own reason, and is not restored with the suspension.
 */
export async function hideContentOfAuthor(db: Db, userId: number, at: Date, reason: string | null): Promise<void> {
  await idle(db);
  const { articles, articleTags, comments } = tablesOf(db);
  const hiding: Hiding = { at, cause: 'suspension', reason, byId: null };
  await db
    .update(articles)
    .set(hiddenColumns(hiding))
    .where(and(eq(articles.authorId, userId), isNull(articles.hiddenAt)));
  await db
    .update(articleTags)
    .set({ publishedAt: null })
    .where(inArray(articleTags.articleId, db.select({ id: articles.id }).from(articles).where(eq(articles.authorId, userId))));
  await db
    .update(comments)
    .set(hiddenColumns(hiding))
    .where(and(eq(comments.authorId, userId), isNull(comments.hiddenAt)));
}

/** Lifting a suspension: what it hid comes back; what a moderator hid stays hidden. */
export async function restoreContentOfAuthor(db: Db, userId: number): Promise<void> {
  await idle(db);
  const { articles, articleTags, comments } = tablesOf(db);
  await db
    .update(articles)
    .set(hiddenColumns(null))
    .where(and(eq(articles.authorId, userId), eq(articles.hiddenCause, 'suspension')));
  await db
    .update(articleTags)
    .set({ publishedAt: sql`(select ${articles.publishedAt} from ${articles} where ${articles.id} = ${articleTags.articleId})` })
    .where(
      inArray(
        articleTags.articleId,
        db
          .select({ id: articles.id })
          .from(articles)
          .where(and(eq(articles.authorId, userId), isNull(articles.hiddenAt))),
      ),
    );
  await db
    .update(comments)
    .set(hiddenColumns(null))
    .where(and(eq(comments.authorId, userId), eq(comments.hiddenCause, 'suspension')));
}
