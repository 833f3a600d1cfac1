import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { preparedQuery } from '../db/engine';

/**
 * What a cached answer was computed from, read from the database: `content` moves with every write
 * to a table readers see (articles, tags, users, favorites, follows), `comments` with every comment
 * written or deleted, and each article's own comments version with its comments. Triggers move them
 * in the same transaction as the write (drizzle/0007_cache_triggers.sql), so a write made by any
 * connection (this server, the CLI, another process or node) is seen by the next read of them.
 */
export type Stamp = {
  content: number;
  /** what the answer shows of comments: none, one article's, or every article's */
  comments: CommentsShown;
  /** that scope's version: 0 for none, the article's or the site's comments version */
  commentsVersion: number;
};

export type CommentsShown = { kind: 'none' } | { kind: 'article'; articleId: number } | { kind: 'all' };

export const NO_COMMENTS: CommentsShown = { kind: 'none' };

/** One query reads all three (the article's only when asked: -1 matches none). */
const versionsQuery = (db: Db) =>
  preparedQuery(db, 'cache-versions', ({ cacheVersions, commentVersions }) =>
    db
      .select({
        content: cacheVersions.content,
        comments: cacheVersions.comments,
        article: sql<number>`coalesce((select ${commentVersions.version} from ${commentVersions} where ${commentVersions.articleId} = ${sql.placeholder('article')}), 0)`,
      })
      .from(cacheVersions)
      .where(eq(cacheVersions.id, 1)),
  );

const contentQuery = (db: Db) =>
  preparedQuery(db, 'cache-content-version', ({ cacheVersions }) =>
    db.select({ content: cacheVersions.content }).from(cacheVersions).where(eq(cacheVersions.id, 1)),
  );

/**
 * The versions, read from the database each time they are asked for: on SQLite one prepared
 * statement (about 1 µs), on PostgreSQL a round trip. Each method runs its read before its promise
 * is returned (src/db/engine.ts PreparedQuery), so a caller that checks `isBusy` first reads no
 * open transaction's versions.
 */
export class Versions {
  private versions: ReturnType<typeof versionsQuery> | null = null;
  private contentVersion: ReturnType<typeof contentQuery> | null = null;

  constructor(private readonly db: Db) {}

  private async read(articleId: number): Promise<{ content: number; comments: number; article: number }> {
    // prepared on first use: the connection may be opened before its migrations are applied
    this.versions ??= versionsQuery(this.db);
    return (await this.versions.row({ article: articleId }))!;
  }

  /** The stamp of an answer computed now that shows `comments`. */
  async stamp(comments: CommentsShown): Promise<Stamp> {
    const { content, comments: all, article } = await this.read(comments.kind === 'article' ? comments.articleId : -1);
    const commentsVersion = comments.kind === 'article' ? Number(article) : comments.kind === 'all' ? all : 0;
    return { content, comments, commentsVersion };
  }

  /** Whether what was computed at `stamp` is still what would be computed now. */
  async isCurrent(stamp: Stamp): Promise<boolean> {
    const now = await this.stamp(stamp.comments);
    return now.content === stamp.content && now.commentsVersion === stamp.commentsVersion;
  }

  /** Moves with every write of any kind: equal before and after a computation, nothing was written meanwhile. */
  async writeMark(): Promise<string> {
    const { content, comments } = await this.read(-1);
    return `${content}.${comments}`;
  }

  /** The content version alone, for memos of what no comment changes (a lighter statement). */
  async content(): Promise<number> {
    this.contentVersion ??= contentQuery(this.db);
    return (await this.contentVersion.row())!.content;
  }
}

/** A short, stable form of a stamp for ETags. */
export function stampTag(stamp: Stamp): string {
  const { comments } = stamp;
  if (comments.kind === 'none') return `${stamp.content}`;
  const scope = comments.kind === 'article' ? comments.articleId : 'all';
  return `${stamp.content}.${scope}.${stamp.commentsVersion}`;
}
