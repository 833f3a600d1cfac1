import { and, asc, desc, eq, sql, type SQLWrapper } from 'drizzle-orm';
import { ANONYMOUS_VIEWER, prepared } from '../db/prepared';
import type { Db } from '../db/client';
import { comments, users } from '../db/schema';
import type { Profile } from '../articles/queries';
import { bumpCommentsVersion } from '../lib/content-version';
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
export function listCommentsForArticle(db: Db, articleId: number, viewerId: number | null): CommentView[] {
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

export function findComment(db: Db, articleId: number, commentId: number, viewerId: number | null): CommentView | null {
  const row = db
    .select(commentColumns(viewerId))
    .from(comments)
    .innerJoin(users, eq(users.id, comments.authorId))
    .where(and(eq(comments.id, commentId), eq(comments.articleId, articleId)))
    .orderBy(asc(comments.id))
    .get();
  return row ? toView(row) : null;
}

export function addComment(db: Db, articleId: number, authorId: number, body: string, now: number): number {
  const id = db
    .insert(comments)
    .values({ articleId, authorId, body, createdAt: new Date(now), updatedAt: new Date(now) })
    .returning({ id: comments.id })
    .get().id;
  bumpCommentsVersion(db);
  return id;
}

export function deleteComment(db: Db, commentId: number): void {
  db.delete(comments).where(eq(comments.id, commentId)).run();
  bumpCommentsVersion(db);
}
