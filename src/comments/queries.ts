import { and, desc, eq, sql, type SQLWrapper } from 'drizzle-orm';
import { ANONYMOUS_VIEWER, prepared } from '../db/statements';
import type { Db } from '../db/client';
import { idle } from '../db/transaction';
import { articles, comments, users } from '../db/schema';
import type { Profile } from '../articles/queries';
import { followingFlag } from '../profiles/following';

export type CommentView = {
  id: number;
  body: string;
  createdAt: Date;
  updatedAt: Date;
  author: Profile;
};

const commentColumns = (viewerId: number | null | SQLWrapper) => ({
  id: comments.id,
  body: comments.body,
  createdAt: comments.createdAt,
  updatedAt: comments.updatedAt,
  authorId: users.id,
  username: users.username,
  bio: users.bio,
  image: users.image,
  following: followingFlag(viewerId, users.id),
});

type CommentRow = {
  id: number;
  body: string;
  createdAt: Date;
  updatedAt: Date;
  authorId: number;
  username: string;
  bio: string | null;
  image: string | null;
  following: number;
};

const toView = (row: CommentRow): CommentView => ({
  id: row.id,
  body: row.body,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  author: { id: row.authorId, username: row.username, bio: row.bio, image: row.image, following: Boolean(row.following) },
});

/** An article's comments, newest first, in one query. */
export async function listCommentsForArticle(db: Db, articleId: number, viewerId: number | null): Promise<CommentView[]> {
  await idle(db);
  const query = prepared(db, 'comments-for-article', () =>
    db
      .select(commentColumns(sql.placeholder('viewer')))
      .from(comments)
      .innerJoin(users, eq(users.id, comments.authorId))
      .where(eq(comments.articleId, sql.placeholder('articleId')))
      .orderBy(desc(comments.createdAt), desc(comments.id))
      .prepare(),
  );
  return query.all({ articleId, viewer: viewerId ?? ANONYMOUS_VIEWER }).map(toView);
}

/**
 * The article a comment route works on: only what it needs to check the article exists and may be
 * seen (findArticleBySlug would also read the body, its HTML, the tags and the counts, which the
 * comment API never shows: that was most of the cost of posting a comment).
 */
export type CommentedArticle = { id: number; slug: string; publishedAt: Date | null; author: { id: number } };

export async function findArticleForComments(db: Db, slug: string): Promise<CommentedArticle | null> {
  await idle(db);
  const query = prepared(db, 'article-for-comments', () =>
    db
      .select({ id: articles.id, slug: articles.slug, publishedAt: articles.publishedAt, authorId: articles.authorId })
      .from(articles)
      .where(eq(articles.slug, sql.placeholder('slug')))
      .prepare(),
  );
  const row = query.get({ slug });
  return row ? { id: row.id, slug: row.slug, publishedAt: row.publishedAt, author: { id: row.authorId } } : null;
}

export async function findComment(db: Db, articleId: number, commentId: number, viewerId: number | null): Promise<CommentView | null> {
  await idle(db);
  const query = prepared(db, 'comment-by-id', () =>
    db
      .select(commentColumns(sql.placeholder('viewer')))
      .from(comments)
      .innerJoin(users, eq(users.id, comments.authorId))
      .where(and(eq(comments.id, sql.placeholder('commentId')), eq(comments.articleId, sql.placeholder('articleId'))))
      .prepare(),
  );
  const row = query.get({ commentId, articleId, viewer: viewerId ?? ANONYMOUS_VIEWER });
  return row ? toView(row) : null;
}

export async function addComment(db: Db, articleId: number, authorId: number, body: string, now: number): Promise<number> {
  await idle(db);
  const query = prepared(db, 'insert-comment', () =>
    db
      .insert(comments)
      .values({
        articleId: sql.placeholder('articleId'),
        authorId: sql.placeholder('authorId'),
        body: sql.placeholder('body'),
        createdAt: sql.placeholder('createdAt'),
        updatedAt: sql.placeholder('createdAt'),
      })
      .returning({ id: comments.id })
      .prepare(),
  );
  const id = query.get({ articleId, authorId, body, createdAt: new Date(now) })!.id;
  return id;
}

export async function deleteComment(db: Db, articleId: number, commentId: number): Promise<void> {
  await idle(db);
  db.delete(comments).where(and(eq(comments.id, commentId), eq(comments.articleId, articleId))).run();
}
