import { sql } from 'drizzle-orm';
import {
  blob,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    bio: text('bio'),
    image: text('image'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [
    // usernames and emails are unique whatever their case
    uniqueIndex('users_username_lower_unique').on(sql`lower(${t.username})`),
    uniqueIndex('users_email_lower_unique').on(sql`lower(${t.email})`),
  ],
);

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    /** SHA-256 of the token's secret part; the secret itself is never stored. */
    secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at').notNull(),
    lastSeenAt: timestamp('last_seen_at').notNull(),
    expiresAt: timestamp('expires_at').notNull(),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_id_idx').on(t.userId)],
);

export const articles = sqliteTable(
  'articles',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    slug: text('slug').notNull().unique(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    body: text('body').notNull(),
    /** The body rendered and sanitised once, when saved: reading costs no Markdown work. */
    bodyHtml: text('body_html').notNull().default(''),
    /** computed when saved, for previews that do not load the body; 0 = not computed yet */
    readingMinutes: integer('reading_minutes').notNull().default(0),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
    /** null while the article is a draft; lists are ordered by it */
    publishedAt: timestamp('published_at'),
    /**
     * How many favorites rows point here, kept in step in the same transaction as every favorite
     * and unfavorite (src/articles/queries.ts): lists show it without counting per article.
     */
    favoritesCount: integer('favorites_count').notNull().default(0),
  },
  (t) => [
    index('articles_published_idx').on(t.publishedAt, t.id),
    index('articles_author_published_idx').on(t.authorId, t.publishedAt, t.id),
    // only the rows start-up must still render (render-bodies.ts), usually none: finding them
    // costs nothing instead of reading every body, which filled SQLite's cache with 16 MB of them
    index('articles_unrendered_idx')
      .on(t.id)
      .where(sql`${t.bodyHtml} = '' or ${t.readingMinutes} = 0`),
  ],
);

export const tags = sqliteTable('tags', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
});

export const articleTags = sqliteTable(
  'article_tags',
  {
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    tagId: integer('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
    /** Tags keep the order the author gave them. */
    position: integer('position').notNull(),
    /**
     * The article's published_at, copied (set when it is published, null for drafts) so a tag's
     * articles come newest first straight from an index, without sorting all of them.
     */
    publishedAt: timestamp('published_at'),
  },
  (t) => [
    primaryKey({ columns: [t.articleId, t.tagId] }),
    index('article_tags_tag_idx').on(t.tagId, t.articleId),
    index('article_tags_tag_published_idx').on(t.tagId, t.publishedAt, t.articleId),
  ],
);

export const comments = sqliteTable(
  'comments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    body: text('body').notNull(),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [
    index('comments_article_created_idx').on(t.articleId, t.createdAt, t.id),
    index('comments_author_idx').on(t.authorId),
  ],
);

export const favorites = sqliteTable(
  'favorites',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.articleId] }),
    index('favorites_article_idx').on(t.articleId),
  ],
);

export const follows = sqliteTable(
  'follows',
  {
    followerId: integer('follower_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    followedId: integer('followed_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.followerId, t.followedId] }),
    index('follows_followed_idx').on(t.followedId),
  ],
);

export type User = typeof users.$inferSelect;
export type Article = typeof articles.$inferSelect;
export type Comment = typeof comments.$inferSelect;
export type Session = typeof sessions.$inferSelect;

/**
 * What cached answers were computed from (src/cache/): one row whose `content` moves with every
 * write to a table readers see, and whose `comments` moves with every comment written or deleted.
 * Triggers move them in the same transaction as the write (drizzle/0007_cache_triggers.sql), so a
 * write by any connection, process or node is seen by the next request that reads them.
 */
export const cacheVersions = sqliteTable('cache_versions', {
  id: integer('id').primaryKey(),
  content: integer('content').notNull().default(1),
  comments: integer('comments').notNull().default(1),
});

/** Per article, a version its comments' triggers move: a comment leaves the rest of the site cached. */
export const commentVersions = sqliteTable('comment_versions', {
  articleId: integer('article_id').primaryKey(),
  version: integer('version').notNull(),
});

/**
 * Rate limits' token buckets, one row per limited key (`comments:42`): on PostgreSQL every node
 * spends from the same row (src/security/limit-tables.ts). `full_at` is when the bucket will be
 * full again, so forgetSpentLimits() can drop it then without knowing its policy. On SQLite (one
 * process) the buckets are kept in memory and this table stays empty.
 */
export const rateLimitBuckets = sqliteTable('rate_limit_buckets', {
  key: text('key').primaryKey(),
  tokens: real('tokens').notNull(),
  updatedAt: timestamp('updated_at').notNull(),
  fullAt: timestamp('full_at').notNull(),
});

/**
 * Throttles' failure counters (the sign-in back-off), one row per throttled key
 * (`signin-email:alice@example.com`), shared by every node on PostgreSQL; in memory on SQLite.
 * `started_at` tells one run of failures from the next: a reservation made in a run that has since
 * been forgotten leaves the new run alone.
 */
export const throttleCounters = sqliteTable('throttle_counters', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  blockedUntil: timestamp('blocked_until').notNull(),
  lastFailureAt: timestamp('last_failure_at').notNull(),
  startedAt: timestamp('started_at').notNull(),
});
