import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { engineOf, preparedQuery } from '../db/engine';

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

type Row = { content: number; comments: number; article: number };

/**
 * The versions, read from the database each time they are asked for: on SQLite one prepared
 * statement (about 1 µs), on PostgreSQL a round trip. Every read runs before the method returns
 * (src/db/engine.ts), so a caller that checks `isBusy` first reads no open transaction's versions.
 *
 * `isCurrent` is the check of every cached page, before Hono (src/cache/cached-page-listener.ts):
 * it answers at once when the engine can read at once (SQLite, no transaction open), and a promise
 * otherwise (PostgreSQL). Promises there cost more than the read: through async functions a cached
 * page cost 1.4 µs more, a third of the listener's own work.
 */
export class Versions {
  private versions: ReturnType<typeof versionsQuery> | null = null;
  private contentVersion: ReturnType<typeof contentQuery> | null = null;

  private readonly onPostgres: boolean;
  /** reads not sent yet, by the article whose comments version they read (-1: none) */
  private readonly unsent = new Map<number, Promise<Row>>();

  constructor(private readonly db: Db) {
    this.onPostgres = engineOf(db) === 'postgres';
  }

  private query(): ReturnType<typeof versionsQuery> {
    // prepared on first use: the connection may be opened before its migrations are applied
    return (this.versions ??= versionsQuery(this.db));
  }

  // cache_versions has its one row from the migration that made it
  private read(articleId: number): Promise<Row> {
    return this.query().row({ article: articleId }) as Promise<Row>;
  }

  /** The stamp of an answer computed now that shows `comments`. */
  stamp(comments: CommentsShown): Promise<Stamp> {
    return this.read(articleOf(comments)).then((row) => ({ content: row.content, comments, commentsVersion: versionOf(comments, row) }));
  }

  /** Whether what was computed at `stamp` is still what would be computed now: at once when it can be read at once. */
  isCurrent(stamp: Stamp): boolean | Promise<boolean> {
    const article = articleOf(stamp.comments);
    if (this.onPostgres) return this.readTogether(article).then((now) => matches(stamp, now));
    const row = this.query().rowAtOnce({ article }) as Row | Promise<Row>;
    return row instanceof Promise ? row.then((now) => matches(stamp, now)) : matches(stamp, row);
  }

  /**
   * PostgreSQL: one read for every check of the same article that arrives before it is sent. The
   * read goes out on the next turn of the event loop (setImmediate), after every request this turn
   * received, so it is still sent after each of them arrived: it sees every write that committed
   * before any of them was made, as a read of its own would. Only reads not yet sent are joined.
   */
  private readTogether(article: number): Promise<Row> {
    let read = this.unsent.get(article);
    if (!read) {
      read = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.unsent.delete(article);
        return this.read(article);
      });
      this.unsent.set(article, read);
    }
    return read;
  }

  /** Moves with every write of any kind: equal before and after a computation, nothing was written meanwhile. */
  writeMark(): Promise<string> {
    return this.read(-1).then((row) => `${row.content}.${row.comments}`);
  }

  /** The content version alone, for memos of what no comment changes (a lighter statement). */
  content(): Promise<number> {
    this.contentVersion ??= contentQuery(this.db);
    return this.contentVersion.row().then((row) => row!.content);
  }
}

/** The article whose comments version to read along (-1 matches none). */
const articleOf = (comments: CommentsShown) => (comments.kind === 'article' ? comments.articleId : -1);

/** Whether a row of versions read now is what `stamp` was computed from. */
const matches = (stamp: Stamp, row: Row) => row.content === stamp.content && versionOf(stamp.comments, row) === stamp.commentsVersion;

/** The comments version of what `comments` says an answer shows, from a row of versions. */
function versionOf(comments: CommentsShown, row: Row): number {
  return comments.kind === 'article' ? Number(row.article) : comments.kind === 'all' ? row.comments : 0;
}

/** A short, stable form of a stamp for ETags. */
export function stampTag(stamp: Stamp): string {
  const { comments } = stamp;
  if (comments.kind === 'none') return `${stamp.content}`;
  const scope = comments.kind === 'article' ? comments.articleId : 'all';
  return `${stamp.content}.${scope}.${stamp.commentsVersion}`;
}
