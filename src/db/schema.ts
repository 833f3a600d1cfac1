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
    /** owner, admin, moderator or author (src/roles/permissions.ts says what each may do) */
    role: text('role').notNull().default('author'),
    /**
     * Set while the account is suspended (src/moderation/): it cannot sign in, its sessions are
     * gone, its articles and comments are hidden. `suspended_until` null means for good.
     */
    suspendedAt: timestamp('suspended_at'),
    suspendedUntil: timestamp('suspended_until'),
    suspensionReason: text('suspension_reason'),
    /**
     * When the account's address was confirmed by a link mailed to it (src/mail/); null until then.
     * Accounts made before e-mail confirmation existed count as confirmed (the migration says so).
     */
    emailConfirmedAt: timestamp('email_confirmed_at'),
    /** The TOTP key of a second factor (src/two-factor/), encrypted; null when none is enrolled. */
    totpKey: blob('totp_key', { mode: 'buffer' }),
    totpEnrolledAt: timestamp('totp_enrolled_at'),
  },
  (t) => [
    // usernames and emails are unique whatever their case
    uniqueIndex('users_username_lower_unique').on(sql`lower(${t.username})`),
    uniqueIndex('users_email_lower_unique').on(sql`lower(${t.email})`),
    // exactly one owner: a second is refused by the database, whichever door or node asks
    uniqueIndex('users_one_owner').on(t.role).where(sql`${t.role} = 'owner'`),
    index('users_created_idx').on(t.createdAt, t.id),
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
    /**
     * When this session passed the second factor (Lucia's two-factor guide): an account with TOTP
     * enrolled is signed in only once this is set; null otherwise.
     */
    twoFactorVerifiedAt: timestamp('two_factor_verified_at'),
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
    /**
     * Set while moderation hides it (src/moderation/): `hidden_cause` is 'moderation' (a moderator
     * hid it, with a reason shown to its author) or 'suspension' (its author is suspended; lifting
     * the suspension restores only these). Hidden is not listed (src/articles/visibility.ts).
     */
    hiddenAt: timestamp('hidden_at'),
    hiddenCause: text('hidden_cause'),
    hiddenReason: text('hidden_reason'),
    /** who hid it (no foreign key: SQLite cannot add one with ON DELETE to a table; the audit log names them) */
    hiddenById: integer('hidden_by_id'),
    /**
     * The cover image: an uploaded image's address (`/media/...`, src/media/names.ts), which says
     * its size; null for none. Shown in the header, in previews, as og:image and in feeds.
     */
    coverImage: text('cover_image'),
  },
  (t) => [
    index('articles_published_idx').on(t.publishedAt, t.id),
    index('articles_author_published_idx').on(t.authorId, t.publishedAt, t.id),
    // only the rows start-up must still render (render-bodies.ts), usually none: finding them
    // costs nothing instead of reading every body, which filled SQLite's cache with 16 MB of them
    index('articles_unrendered_idx')
      .on(t.id)
      .where(sql`${t.bodyHtml} = '' or ${t.readingMinutes} = 0`),
    // the listed articles newest first (src/articles/visibility.ts), from the index alone: SQLite
    // reads a partial index's own condition from the index only when its columns are in it
    index('articles_listed_idx')
      .on(t.publishedAt, t.id, t.hiddenAt)
      .where(sql`${t.publishedAt} is not null and ${t.hiddenAt} is null`),
    index('articles_hidden_idx').on(t.hiddenAt, t.id).where(sql`${t.hiddenAt} is not null`),
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
    /**
     * Set while moderation hides it (src/moderation/): `hidden_cause` is 'moderation' (a moderator
     * hid it, with a reason shown to its author) or 'suspension' (its author is suspended; lifting
     * the suspension restores only these). Hidden comments are shown to their author and moderators only.
     */
    hiddenAt: timestamp('hidden_at'),
    hiddenCause: text('hidden_cause'),
    hiddenReason: text('hidden_reason'),
    /** who hid it (no foreign key: SQLite cannot add one with ON DELETE to a table; the audit log names them) */
    hiddenById: integer('hidden_by_id'),
  },
  (t) => [
    index('comments_article_created_idx').on(t.articleId, t.createdAt, t.id),
    index('comments_author_idx').on(t.authorId),
    index('comments_created_idx').on(t.createdAt, t.id),
    index('comments_hidden_idx').on(t.hiddenAt, t.id).where(sql`${t.hiddenAt} is not null`),
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

/**
 * The addresses an article had before it was renamed: each answers 301 to the article's address,
 * forever, and is never given to another article (src/articles/slug.ts). A deleted article's
 * addresses stay taken (article_id null): they answer 410 Gone.
 */
export const articleSlugs = sqliteTable(
  'article_slugs',
  {
    slug: text('slug').primaryKey(),
    articleId: integer('article_id').references(() => articles.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [index('article_slugs_article_idx').on(t.articleId)],
);

/**
 * The site's settings, changed live from /admin or `quire settings set` (src/site/settings.ts):
 * one row per key, its value JSON checked by the settings' zod schema when read. A key with no row
 * has its default, taken from the environment.
 */
export const siteSettings = sqliteTable('site_settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: timestamp('updated_at').notNull(),
});

/** Pages the owner and admins write in Markdown (About, Terms...), each at its own address. */
export const sitePages = sqliteTable(
  'site_pages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    slug: text('slug').notNull().unique(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    bodyHtml: text('body_html').notNull(),
    /** 'nav', 'footer' or 'none': where a link to it is shown */
    placement: text('placement').notNull().default('footer'),
    position: integer('position').notNull().default(0),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [index('site_pages_placement_idx').on(t.placement, t.position, t.id)],
);

/**
 * What readers report (an article, a comment or a profile) for moderators to resolve. The target's
 * id is kept when the target goes (no foreign key), with `target_label` saying what it was.
 */
export const reports = sqliteTable(
  'reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reporterId: integer('reporter_id').references(() => users.id, { onDelete: 'set null' }),
    /** 'article', 'comment' or 'user' */
    targetKind: text('target_kind').notNull(),
    targetId: integer('target_id').notNull(),
    targetLabel: text('target_label').notNull(),
    reason: text('reason').notNull(),
    createdAt: timestamp('created_at').notNull(),
    resolvedAt: timestamp('resolved_at'),
    resolvedById: integer('resolved_by_id').references(() => users.id, { onDelete: 'set null' }),
    /** what the moderator did: 'hidden', 'deleted', 'suspended', 'dismissed' */
    resolution: text('resolution'),
    resolutionNote: text('resolution_note'),
  },
  (t) => [
    index('reports_open_idx').on(t.id).where(sql`${t.resolvedAt} is null`),
    index('reports_target_idx').on(t.targetKind, t.targetId),
    // one open report per reader and target: reporting twice is not a louder report
    uniqueIndex('reports_one_open_per_reporter')
      .on(t.reporterId, t.targetKind, t.targetId)
      .where(sql`${t.resolvedAt} is null`),
  ],
);

/**
 * Every moderation and settings action, and every refusal of the spam rules: who, what, when, why.
 * Kept (never pruned) and shown paginated in /admin/audit. `actor_name` is kept as it was, so an
 * entry still says who acted after that account is gone; null actor is the operator or Quire.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    createdAt: timestamp('created_at').notNull(),
    actorId: integer('actor_id').references(() => users.id, { onDelete: 'set null' }),
    actorName: text('actor_name').notNull(),
    /** 'web', 'api', 'cli' or 'system' */
    door: text('door').notNull(),
    /** `article.hide`, `user.suspend`, `settings.change`, `spam.honeypot`... */
    action: text('action').notNull(),
    targetKind: text('target_kind'),
    targetId: integer('target_id'),
    targetLabel: text('target_label'),
    reason: text('reason'),
    /** JSON: what changed (a setting's old and new value, a role's old and new) */
    details: text('details'),
  },
  (t) => [index('audit_log_action_idx').on(t.action, t.id)],
);

/** Invitation links: single use, expiring, with the role they give. Only a hash of the token is kept. */
export const invitations = sqliteTable(
  'invitations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tokenHash: blob('token_hash', { mode: 'buffer' }).notNull().unique(),
    role: text('role').notNull(),
    note: text('note'),
    createdById: integer('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at').notNull(),
    expiresAt: timestamp('expires_at').notNull(),
    usedAt: timestamp('used_at'),
    usedById: integer('used_by_id').references(() => users.id, { onDelete: 'set null' }),
    revokedAt: timestamp('revoked_at'),
  },
  (t) => [index('invitations_created_idx').on(t.createdAt, t.id)],
);

/**
 * Mail waiting to be sent, being retried, sent or given up (src/mail/outbox.ts). A message is
 * written in the same transaction as the act that causes it, so it survives a restart or an SMTP
 * outage; the sender retries with back-off and gives up after a set number of tries. Kept (sent or
 * not) for /admin/mail, pruned after 30 days.
 */
export const mailOutbox = sqliteTable(
  'mail_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    createdAt: timestamp('created_at').notNull(),
    /** what it is: 'password-reset', 'email-confirm', 'security-notice', 'notification-digest'... */
    kind: text('kind').notNull(),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body').notNull(),
    /** JSON object of extra headers (List-Unsubscribe, List-Unsubscribe-Post), or null */
    headers: text('headers'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at').notNull(),
    sentAt: timestamp('sent_at'),
    /** set when the sender gave up (too many tries, or an address the server refuses for good) */
    failedAt: timestamp('failed_at'),
    lastError: text('last_error'),
  },
  (t) => [
    index('mail_outbox_due_idx')
      .on(t.nextAttemptAt, t.id)
      .where(sql`${t.sentAt} is null and ${t.failedAt} is null`),
    index('mail_outbox_created_idx').on(t.createdAt, t.id),
  ],
);

/**
 * Single-use links mailed to a person: a password reset, an address to confirm, a one-click
 * unsubscribe. Only a SHA-256 hash of the token is kept. `data` is what the link is about: the
 * address being confirmed, or the notification kind being unsubscribed from.
 */
export const accountTokens = sqliteTable(
  'account_tokens',
  {
    tokenHash: blob('token_hash', { mode: 'buffer' }).primaryKey(),
    /** 'password-reset', 'email-confirm' or 'unsubscribe' */
    purpose: text('purpose').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    data: text('data'),
    createdAt: timestamp('created_at').notNull(),
    expiresAt: timestamp('expires_at').notNull(),
  },
  (t) => [index('account_tokens_user_idx').on(t.userId, t.purpose)],
);

/** A second factor's recovery codes: ten, shown once, kept as SHA-256 hashes, each used once. */
export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: blob('code_hash', { mode: 'buffer' }).notNull(),
    createdAt: timestamp('created_at').notNull(),
    usedAt: timestamp('used_at'),
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId)],
);

/**
 * What happened to a person's account or writing: someone followed them, commented on or favorited
 * their article (src/notifications/). `emailed_at` is set once the event went out in a digest.
 */
export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** 'follow', 'comment' or 'favorite' */
    kind: text('kind').notNull(),
    actorId: integer('actor_id').references(() => users.id, { onDelete: 'cascade' }),
    articleId: integer('article_id').references(() => articles.id, { onDelete: 'cascade' }),
    commentId: integer('comment_id').references(() => comments.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at').notNull(),
    readAt: timestamp('read_at'),
    emailedAt: timestamp('emailed_at'),
  },
  (t) => [
    index('notifications_user_idx').on(t.userId, t.id),
    index('notifications_unread_idx').on(t.userId).where(sql`${t.readAt} is null`),
    index('notifications_unmailed_idx').on(t.userId, t.kind).where(sql`${t.emailedAt} is null`),
  ],
);

/**
 * Per person and kind: whether the notification is shown in the page (`in_app`, on by default) and
 * mailed (`by_email`, off by default), and when the last digest of that kind went out (at most one
 * an hour). No row means the defaults.
 */
export const notificationPreferences = sqliteTable(
  'notification_preferences',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    inApp: integer('in_app').notNull().default(1),
    byEmail: integer('by_email').notNull().default(0),
    lastEmailedAt: timestamp('last_emailed_at'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind] })],
);

/**
 * Images people uploaded (src/media/). The files are in the media store under names made from
 * `key` (a hash of the stored bytes) and the size (src/media/names.ts); one row per owner and key,
 * so two people uploading the same picture each own it and each counts it in their quota.
 * `removed_at` is set when the image is removed (by a moderator, with its owner's account, or as
 * unused after the grace period); the clean-ups then delete its files once no row keeps the key.
 */
export const uploads = sqliteTable(
  'uploads',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    key: text('key').notNull(),
    /** null once the owner's account is gone and the row only waits for its files to go */
    ownerId: integer('owner_id').references(() => users.id, { onDelete: 'set null' }),
    /** jpeg, png, webp, gif or avif: the format of the stored original */
    type: text('type').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    /** every stored file of this image together (the original and its WebP widths): what the quota counts */
    bytes: integer('bytes').notNull(),
    /** the address of the original (`/media/KEY-WxH.ext`) */
    url: text('url').notNull(),
    createdAt: timestamp('created_at').notNull(),
    removedAt: timestamp('removed_at'),
    /** 'moderation', 'account' or 'unused' */
    removedCause: text('removed_cause'),
  },
  (t) => [
    uniqueIndex('uploads_owner_key_unique').on(t.ownerId, t.key),
    index('uploads_key_idx').on(t.key),
    index('uploads_owner_idx').on(t.ownerId, t.createdAt),
    index('uploads_created_idx').on(t.createdAt).where(sql`${t.removedAt} is null`),
  ],
);

/**
 * Which articles (body or cover), profiles (avatar) and site pages show which image, by key:
 * rewritten in the transaction of every write to them (src/media/uses.ts). An image no row names
 * is unused; the clean-ups remove it after the grace period.
 */
export const mediaUses = sqliteTable(
  'media_uses',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    key: text('key').notNull(),
    articleId: integer('article_id').references(() => articles.id, { onDelete: 'cascade' }),
    userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
    pageId: integer('page_id').references(() => sitePages.id, { onDelete: 'cascade' }),
  },
  (t) => [
    index('media_uses_key_idx').on(t.key),
    index('media_uses_article_idx').on(t.articleId),
    index('media_uses_user_idx').on(t.userId),
    index('media_uses_page_idx').on(t.pageId),
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
