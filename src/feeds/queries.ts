import { and, sql } from 'drizzle-orm';
import { listArticles, type ArticleSummary, type ListSource } from '../articles/queries';
import { listed } from '../articles/visibility';
import type { Db } from '../db/client';
import { idListValue, inIdList, preparedQuery } from '../db/engine';

/** How many articles a feed holds: enough for a reader who polls daily, small enough to poll. */
export const FEED_SIZE = 20;

export type FeedArticle = ArticleSummary & { bodyHtml: string };

/** Rendered, sanitised bodies of published articles, by id, in one query. */
async function bodiesOf(db: Db, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const query = preparedQuery(db, 'feed-bodies', (t) =>
    db
      .select({ id: t.articles.id, bodyHtml: t.articles.bodyHtml })
      .from(t.articles)
      .where(and(inIdList(db, t.articles.id, sql.placeholder('ids')), listed(t))),
  );
  // every body is rendered when saved, and any left from before when the server starts
  const rows = await query.rows({ ids: idListValue(db, ids) });
  return new Map(rows.map((row) => [row.id, row.bodyHtml]));
}

/** The newest published articles of the site, an author (username) or a tag, with their bodies. */
export async function listFeedArticles(source: ListSource, filter: { author?: string; tag?: string }): Promise<FeedArticle[]> {
  // listArticles never returns drafts; the bodies query checks again
  const { articles } = await listArticles(source, { filter, viewerId: null, limit: FEED_SIZE, offset: 0 });
  const bodies = await bodiesOf(
    source.db,
    articles.map((article) => article.id),
  );
  return articles.flatMap((article) => {
    const bodyHtml = bodies.get(article.id);
    return bodyHtml === undefined ? [] : [{ ...article, bodyHtml }];
  });
}
