/**
 * What a viewer may see, defined once. Every page, list, count, feed, sitemap, search result and
 * API read asks here, in one of the forms below, and nowhere else says what "published" means.
 *
 * Today an article is *listed* (shown to everyone, in lists, counts, feeds, the sitemap and search)
 * once it is published, and its author also sees it while it is a draft. Moderation (hidden
 * articles, suspended authors) is a change to these definitions: `listed` and `canSeeArticle`,
 * and the listing date that writes copy onto article_tags (`articles/queries.ts` replaceTags).
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Tables } from '../db/engine';

/**
 * The condition, over `t.articles`, that an article is listed for everyone. The forms below take
 * the database's tables (`tablesOf(db)`): each engine's columns are its own.
 */
export const listed = (t: Tables): SQL => sql`${t.articles.publishedAt} is not null`;

/** Its exact complement, written so SQLite finds the few unlisted rows from an index. */
export const unlisted = (t: Tables): SQL => sql`${t.articles.publishedAt} is null`;

/**
 * The same over `t.articleTags`: each link carries its article's listing date (null while the
 * article is not listed), kept in step by every write, so a tag's listed articles come newest
 * first from an index.
 */
export const listedTagLink = (t: Tables): SQL => sql`${t.articleTags.publishedAt} is not null`;

/** The viewer's own unlisted articles (drafts), which only they see, over `t.articles`. */
export const ownUnlisted = (t: Tables, viewerId: SQLWrapper | number): SQL =>
  sql`${unlisted(t)} and ${t.articles.authorId} = ${viewerId}`;

type ArticleVisibility = { author: { id: number }; publishedAt: Date | null };

/** Whether an article is listed for everyone (the same rule as `listed`, on a row already read). */
export const isListed = (article: ArticleVisibility) => article.publishedAt !== null;

/** Whether `viewer` may open this article: listed, or their own. To anyone else it does not exist (404). */
export function canSeeArticle(viewer: { id: number } | null, article: ArticleVisibility): boolean {
  return isListed(article) || (viewer !== null && viewer.id === article.author.id);
}
