import { listArticles, type ArticleSummary, type ListSource } from '../articles/queries';
import { listedSql } from '../articles/visibility';
import type { Db } from '../db/client';
import { idle } from '../db/transaction';

/** How many articles a feed holds: enough for a reader who polls daily, small enough to poll. */
export const FEED_SIZE = 20;

export type FeedArticle = ArticleSummary & { bodyHtml: string };

/** Rendered, sanitised bodies of published articles, by id, in one query. */
function bodiesOf(db: Db, ids: number[]): Map<number, string> {
  if (ids.length === 0) return new Map();
  const statement = db.$client.prepare(
    `select id, body_html as bodyHtml from articles
     where id in (select value from json_each(?)) and ${listedSql()}`,
  );
  // every body is rendered when saved, and any left from before when the server starts
  const rows = statement.all(JSON.stringify(ids)) as Array<{ id: number; bodyHtml: string }>;
  return new Map(rows.map((row) => [row.id, row.bodyHtml]));
}

/** The newest published articles of the site, an author (username) or a tag, with their bodies. */
export async function listFeedArticles(source: ListSource, filter: { author?: string; tag?: string }): Promise<FeedArticle[]> {
  await idle(source.db);
  // listArticles never returns drafts; the bodies query checks again
  const { articles } = await listArticles(source, { filter, viewerId: null, limit: FEED_SIZE, offset: 0 });
  const bodies = bodiesOf(
    source.db,
    articles.map((article) => article.id),
  );
  return articles.flatMap((article) => {
    const bodyHtml = bodies.get(article.id);
    return bodyHtml === undefined ? [] : [{ ...article, bodyHtml }];
  });
}
