/**
 * What a viewer may see, defined once. Every page, list, count, feed, sitemap, search result and
 * API read asks here, in one of the forms below, and nowhere else says what "published" means.
 *
 * An article is *listed* (shown to everyone, in lists, counts, feeds, the sitemap and search) once
 * it is published, unless moderation hides it (a moderator hid it, or its author is suspended:
 * src/moderation/). Its author also sees it while it is a draft or hidden (with why), and so do
 * moderators while it is hidden (never someone else's draft). The listing date that writes copy
 * onto article_tags follows the same rule (`listingDate`).
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Caller } from '../core';
import type { Tables } from '../db/engine';
import { can } from '../roles/permissions';

/**
 * The condition, over `t.articles`, that an article is listed for everyone. The forms below take
 * the database's tables (`tablesOf(db)`): each engine's columns are its own.
 */
export const listed = (t: Tables): SQL => sql`${t.articles.publishedAt} is not null and ${t.articles.hiddenAt} is null`;

/**
 * Its exact complement, as the parts whose union it is (drafts, hidden), each of which SQLite finds
 * from an index of its own (articles_published_idx, the partial articles_hidden_idx): the few
 * unlisted rows are found without reading the others.
 */
export const unlistedParts = (t: Tables): [drafts: SQL, hidden: SQL] => [
  sql`${t.articles.publishedAt} is null`,
  sql`${t.articles.hiddenAt} is not null`,
];

/**
 * The same over `t.articleTags`: each link carries its article's listing date (null while the
 * article is not listed), kept in step by every write, so a tag's listed articles come newest
 * first from an index.
 */
export const listedTagLink = (t: Tables): SQL => sql`${t.articleTags.publishedAt} is not null`;

/** The viewer's own drafts, which only they see, over `t.articles`. */
export const ownDrafts = (t: Tables, viewerId: SQLWrapper | number): SQL =>
  sql`${t.articles.publishedAt} is null and ${t.articles.authorId} = ${viewerId}`;

type ArticleVisibility = { author: { id: number }; publishedAt: Date | null; hidden: unknown };

/** Whether an article is listed for everyone (the same rule as `listed`, on a row already read). */
export const isListed = (article: ArticleVisibility) => article.publishedAt !== null && article.hidden === null;

/** The date an article's tag links carry (article_tags.published_at): its published date while listed. */
export const listingDate = (article: { publishedAt: Date | null; hidden: unknown }): Date | null =>
  article.hidden === null ? article.publishedAt : null;

/**
 * Who is looking: their id, and whether their role shows them hidden content
 * (`content:see-hidden`, src/roles/permissions.ts).
 */
export type Viewer = { id: number; seesHidden: boolean };

/** The caller as a viewer: a visitor (and the operator, who reads nothing through the pages) is null. */
export function viewerOf(caller: Caller): Viewer | null {
  if (caller.userId === null) return null;
  return { id: caller.userId, seesHidden: can(caller, 'content:see-hidden') };
}

/**
 * Whether `viewer` may open this article: listed, their own, or hidden and they moderate. To anyone
 * else it does not exist (404).
 */
export function canSeeArticle(viewer: Viewer | null, article: ArticleVisibility): boolean {
  if (isListed(article)) return true;
  if (viewer === null) return false;
  return viewer.id === article.author.id || (article.publishedAt !== null && viewer.seesHidden);
}

/**
 * The same rule for comments: a comment is shown to everyone unless moderation hides it; its
 * author and moderators still see it (with why). Over `t.comments`, with the viewer's id and
 * whether they see hidden content (1 or 0) as parameters, so one prepared statement serves all.
 */
export const visibleComment = (t: Tables, viewerId: SQLWrapper | number, seesHidden: SQLWrapper | number): SQL =>
  sql`(${t.comments.hiddenAt} is null or ${t.comments.authorId} = ${viewerId} or ${seesHidden} = 1)`;

/** `visibleComment` on a comment already read. */
export function canSeeComment(viewer: Viewer | null, comment: { author: { id: number }; hidden: unknown }): boolean {
  if (comment.hidden === null) return true;
  if (viewer === null) return false;
  return viewer.id === comment.author.id || viewer.seesHidden;
}
