import { and, desc, eq, sql, type SQLWrapper } from 'drizzle-orm';
import { hiddenOf, type ArticleHidden, type Profile } from '../articles/summary';
import { visibleComment, type Viewer } from '../articles/visibility';
import type { Db } from '../db/client';
import { ANONYMOUS_VIEWER, preparedQuery, tablesOf, type Tables } from '../db/engine';
import { idle } from '../db/transaction';
import { followingFlag } from '../profiles/following';

export type CommentView = {
  id: number;
  body: string;
  createdAt: Date;
  updatedAt: Date;
  author: Profile;
  /** null unless moderation hides it (only its author and moderators see it then) */
  hidden: ArticleHidden | null;
};

const commentColumns = (t: Tables, viewerId: number | null | SQLWrapper) => ({
  id: t.comments.id,
  body: t.comments.body,
  createdAt: t.comments.createdAt,
  updatedAt: t.comments.updatedAt,
  authorId: t.users.id,
  username: t.users.username,
  bio: t.users.bio,
  image: t.users.image,
  following: followingFlag(t, viewerId, t.users.id),
  hiddenAt: t.comments.hiddenAt,
  hiddenCause: t.comments.hiddenCause,
  hiddenReason: t.comments.hiddenReason,
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
  following: number | boolean;
  hiddenAt: Date | null;
  hiddenCause: string | null;
  hiddenReason: string | null;
};

const toView = (row: CommentRow): CommentView => ({
  id: row.id,
  body: row.body,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  author: { id: row.authorId, username: row.username, bio: row.bio, image: row.image, following: Boolean(row.following) },
  hidden: hiddenOf(row),
});

/**
 * An article's comments as `viewer` may see them (src/articles/visibility.ts: hidden ones only to
 * their author and moderators), newest first, in one query.
 */
export async function listCommentsForArticle(db: Db, articleId: number, viewer: Viewer | null): Promise<CommentView[]> {
  const query = preparedQuery(db, 'comments-for-article', (t) =>
    db
      .select(commentColumns(t, sql.placeholder('viewer')))
      .from(t.comments)
      .innerJoin(t.users, eq(t.users.id, t.comments.authorId))
      .where(
        and(
          eq(t.comments.articleId, sql.placeholder('articleId')),
          visibleComment(t, sql.placeholder('viewer'), sql.placeholder('seesHidden')),
        ),
      )
      .orderBy(desc(t.comments.createdAt), desc(t.comments.id)),
  );
  const rows = await query.rows({ articleId, viewer: viewer?.id ?? ANONYMOUS_VIEWER, seesHidden: viewer?.seesHidden ? 1 : 0 });
  return rows.map(toView);
}

/**
 * The article a comment route works on: only what it needs to check the article exists and may be
 * seen (findArticleBySlug would also read the body, its HTML, the tags and the counts, which the
 * comment API never shows: that was most of the cost of posting a comment).
 */
export type CommentedArticle = { id: number; slug: string; publishedAt: Date | null; hidden: ArticleHidden | null; author: { id: number } };

export async function findArticleForComments(db: Db, slug: string): Promise<CommentedArticle | null> {
  const query = preparedQuery(db, 'article-for-comments', ({ articles }) =>
    db
      .select({
        id: articles.id,
        slug: articles.slug,
        publishedAt: articles.publishedAt,
        hiddenAt: articles.hiddenAt,
        hiddenCause: articles.hiddenCause,
        hiddenReason: articles.hiddenReason,
        authorId: articles.authorId,
      })
      .from(articles)
      .where(eq(articles.slug, sql.placeholder('slug'))),
  );
  const row = await query.row({ slug });
  return row ? { id: row.id, slug: row.slug, publishedAt: row.publishedAt, hidden: hiddenOf(row), author: { id: row.authorId } } : null;
}

export async function findComment(db: Db, articleId: number, commentId: number, viewerId: number | null): Promise<CommentView | null> {
  const query = preparedQuery(db, 'comment-by-id', (t) =>
    db
      .select(commentColumns(t, sql.placeholder('viewer')))
      .from(t.comments)
      .innerJoin(t.users, eq(t.users.id, t.comments.authorId))
      .where(and(eq(t.comments.id, sql.placeholder('commentId')), eq(t.comments.articleId, sql.placeholder('articleId')))),
  );
  const row = await query.row({ commentId, articleId, viewer: viewerId ?? ANONYMOUS_VIEWER });
  return row ? toView(row) : null;
}

export async function addComment(db: Db, articleId: number, authorId: number, body: string, now: number): Promise<number> {
  const query = preparedQuery(db, 'insert-comment', ({ comments }) =>
    db
      .insert(comments)
      .values({
        articleId: sql.placeholder('articleId'),
        authorId: sql.placeholder('authorId'),
        body: sql.placeholder('body'),
        createdAt: sql.placeholder('createdAt'),
        updatedAt: sql.placeholder('createdAt'),
      })
      .returning({ id: comments.id }),
  );
  const row = await query.row({ articleId, authorId, body, createdAt: new Date(now) });
  return row!.id;
}

export async function deleteComment(db: Db, articleId: number, commentId: number): Promise<void> {
  await idle(db);
  const { comments } = tablesOf(db);
  await db.delete(comments).where(and(eq(comments.id, commentId), eq(comments.articleId, articleId)));
}
