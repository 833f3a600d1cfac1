import type Database from 'better-sqlite3';

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

type Row = [content: number, comments: number, article: number];

/** One statement reads all three (the article's only when asked: -1 matches none). */
const VERSIONS_SQL = `select v.content, v.comments, coalesce((select version from comment_versions where article_id = ?), 0)
  from cache_versions v where v.id = 1`;

const CONTENT_SQL = 'select content from cache_versions where id = 1';

export class Versions {
  private statement: Database.Statement | null = null;
  private contentStatement: Database.Statement | null = null;

  constructor(private readonly sqlite: Database.Database) {}

  private read(articleId: number): Row {
    // prepared on first use: the connection may be opened before its migrations are applied
    this.statement ??= this.sqlite.prepare(VERSIONS_SQL).raw(true);
    return this.statement.get(articleId) as Row;
  }

  /** The stamp of an answer computed now that shows `comments`. */
  stamp(comments: CommentsShown): Stamp {
    const [content, all, article] = this.read(comments.kind === 'article' ? comments.articleId : -1);
    const commentsVersion = comments.kind === 'article' ? article : comments.kind === 'all' ? all : 0;
    return { content, comments, commentsVersion };
  }

  /** Whether what was computed at `stamp` is still what would be computed now. */
  isCurrent(stamp: Stamp): boolean {
    const now = this.stamp(stamp.comments);
    return now.content === stamp.content && now.commentsVersion === stamp.commentsVersion;
  }

  /** Moves with every write of any kind: equal before and after a computation, nothing was written meanwhile. */
  writeMark(): string {
    const [content, comments] = this.read(-1);
    return `${content}.${comments}`;
  }

  /** The content version alone, for memos of what no comment changes (a lighter statement). */
  content(): number {
    this.contentStatement ??= this.sqlite.prepare(CONTENT_SQL).pluck(true);
    return this.contentStatement.get() as number;
  }
}

/** A short, stable form of a stamp for ETags. */
export function stampTag(stamp: Stamp): string {
  const { comments } = stamp;
  if (comments.kind === 'none') return `${stamp.content}`;
  const scope = comments.kind === 'article' ? comments.articleId : 'all';
  return `${stamp.content}.${scope}.${stamp.commentsVersion}`;
}
