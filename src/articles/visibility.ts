/**
 * What a viewer may see, defined once. Every page, list, count, feed, sitemap, search result and
 * API read asks here, in one of the forms below, and nowhere else says what "published" means.
 *
 * Today an article is *listed* (shown to everyone, in lists, counts, feeds, the sitemap and search)
 * once it is published, and its author also sees it while it is a draft. Moderation (hidden
 * articles, suspended authors) is a change to these definitions: `LISTED` and `canSeeArticle`,
 * and the listing date that writes copy onto article_tags (`articles/queries.ts` replaceTags).
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

/** The condition, in SQL over the articles table as `alias`, that an article is listed for everyone. */
export const listedSql = (alias = 'articles') => `${alias}.published_at is not null`;

/** Its exact complement, written so SQLite finds the few unlisted rows from an index. */
export const unlistedSql = (alias = 'articles') => `${alias}.published_at is null`;

/**
 * The same over article_tags as `alias`: each link carries its article's listing date (null while
 * the article is not listed), kept in step by every write, so a tag's listed articles come newest
 * first from an index.
 */
export const listedTagLinkSql = (alias = 'article_tags') => `${alias}.published_at is not null`;

/** `listedSql()` for Drizzle queries over `articles` (not aliased). */
export const LISTED: SQL = sql.raw(listedSql());
export const UNLISTED: SQL = sql.raw(unlistedSql());
export const LISTED_TAG_LINK: SQL = sql.raw(listedTagLinkSql());

/** The viewer's own unlisted articles (drafts), which only they see, in SQL over `articles`. */
export const ownUnlisted = (viewerId: SQLWrapper | number): SQL => sql`${UNLISTED} and articles.author_id = ${viewerId}`;

type ArticleVisibility = { author: { id: number }; publishedAt: Date | null };

/** Whether an article is listed for everyone (the same rule as `listedSql`, on a row already read). */
export const isListed = (article: ArticleVisibility) => article.publishedAt !== null;

/** Whether `viewer` may open this article: listed, or their own. To anyone else it does not exist (404). */
export function canSeeArticle(viewer: { id: number } | null, article: ArticleVisibility): boolean {
  return isListed(article) || (viewer !== null && viewer.id === article.author.id);
}
