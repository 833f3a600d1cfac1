/**
 * Full-text search behind one boundary: what an engine's search does. SQLite's is FTS5
 * (src/search/engine-sqlite.ts); PostgreSQL's a tsvector with a GIN index, ranked by ts_rank
 * (engine-postgres.ts), with FTS5's tokens and snippets made in TypeScript (text.ts) so that both
 * find and mark the same words. `searchEngineOf` (src/search/queries.ts) picks by the database's
 * engine. What the pages and the API call (searchArticles) and the article writes stay as they are.
 */
import { and, sql, type SQL } from 'drizzle-orm';
import { filterCondition, tagIdByName, type FilterKey, type SummaryRow } from '../articles/summary';
import { unlistedParts } from '../articles/visibility';
import type { Db } from '../db/client';
import type { Params, Tables } from '../db/engine';

/** Totals are counted up to here ("1000+ results"): counting every match of "the" costs a full walk. */
export const SEARCH_COUNT_MAX = 1000;

/** An engine marks matches with these; they become <mark> only after the text around them is escaped. */
export const MARK_OPEN = '\u0002';
export const MARK_CLOSE = '\u0003';

/** A body's snippet: this many tokens around its best matches, SNIPPET_ELLIPSIS where the body goes on. */
export const SNIPPET_TOKENS = 16;
export const SNIPPET_ELLIPSIS = '…';

/**
 * The reader's words, as every engine searches for them: each must match (whatever its case), and
 * the last one is a prefix when `lastIsPrefix` ("typesc" finds "TypeScript"). Words hold letters
 * and digits only (src/search/queries.ts searchTerms), so no engine's syntax is ever in them.
 */
export type SearchTerms = { words: string[]; lastIsPrefix: boolean };

/** The text an article is found by: kept in step with the article in its writes' transaction. */
export type IndexedFields = { title: string; description: string; tagList: string[] };

/** An article's best body passage and its whole description, MARK_OPEN / MARK_CLOSE around each match. */
export type MarkedText = { body: string | null; description: string | null };

export type SearchEngine = {
  /**
   * A page of the listed articles matching `terms` and the list filters `keys` (whose values are in
   * `params`, as src/articles/summary.ts filterCondition names them, with `viewer`, `limit` and
   * `offset`), best first (title 10, description 5, body 1, tags 3; equal scores newest first), as
   * summary rows with the viewer's flags.
   */
  page(db: Db, terms: SearchTerms, keys: readonly FilterKey[], params: Params): Promise<SummaryRow[]>;
  /** How many match, counted up to SEARCH_COUNT_MAX. */
  count(db: Db, terms: SearchTerms, keys: readonly FilterKey[], params: Params): Promise<number>;
  /** The marked text of these articles (which match `terms`), by id. */
  marked(db: Db, terms: SearchTerms, ids: number[]): Promise<Map<number, MarkedText>>;
  /** Indexes an article (a new one, or one whose body changed), inside the writing transaction. */
  index(db: Db, id: number, fields: IndexedFields, bodyText: string): Promise<void>;
  /** Re-indexes an article's title, description and tags (its body unchanged). */
  reindexFields(db: Db, id: number, fields: IndexedFields): Promise<void>;
  /** Takes an article out of the index (it is being deleted). */
  remove(db: Db, id: number): Promise<void>;
  /**
   * The body text each of these articles is indexed with, by id (an article not indexed is left
   * out): `quire copy` (src/ops/copy-site.ts) indexes the copy with it instead of rendering every
   * body again.
   */
  indexedBodies(db: Db, ids: readonly number[]): Promise<Map<number, string>>;
};

/**
 * The condition that `id` (an article id in an engine's index) is a listed article, filtered as a
 * list is by `keys`: drafts and hidden articles are left out by id (few, each found from an index), and
 * filterCondition keeps drafts out and applies author, favorited and feed, as in the lists.
 */
export function listedArticle(t: Tables, keys: readonly FilterKey[], id: SQL): SQL {
  const { articles, articleTags } = t;
  if (keys.length === 0) {
    const [drafts, hidden] = unlistedParts(t);
    return sql`${id} not in (select ${articles.id} from ${articles} where ${drafts}) and ${id} not in (select ${articles.id} from ${articles} where ${hidden})`;
  }
  const conditions = [filterCondition(t, [...keys])];
  if (keys.includes('tag')) {
    conditions.push(
      sql`${articles.id} in (select ${articleTags.articleId} from ${articleTags} where ${articleTags.tagId} = ${tagIdByName(t)})`,
    );
  }
  return sql`${id} in (select ${articles.id} from ${articles} where ${and(...conditions)})`;
}
