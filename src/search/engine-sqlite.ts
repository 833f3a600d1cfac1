/**
 * Search on SQLite: the FTS5 table `articles_fts` (title, description, body, tags; its rowid is
 * the article's id), ranked by bm25, marked by snippet() and highlight(). Everything FTS5 is in
 * this file; src/search/engine.ts says what it answers.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { summaryColumns, type FilterKey } from '../articles/summary';
import type { Db } from '../db/client';
import { inIdList, preparedQuery, readRows, runSql, type Tables } from '../db/engine';
import {
  listedArticle,
  SEARCH_COUNT_MAX,
  SNIPPET_ELLIPSIS,
  SNIPPET_TOKENS,
  type IndexedFields,
  type MarkedText,
  type SearchEngine,
  type SearchTerms,
} from './engine';

/** bm25 weights of the columns title, description, body, tags: a title match ranks first. */
const COLUMN_WEIGHTS = '10.0, 5.0, 1.0, 3.0';

/**
 * The terms as an FTS5 MATCH expression: every word a quoted string (the words hold letters and
 * digits only, so there is no double quote to escape and nothing is ever FTS5 syntax), all must
 * match (implicit AND), the last one a prefix query when asked.
 */
export function ftsMatchExpression(terms: SearchTerms): string {
  return terms.words
    .map((word, index) => (index === terms.words.length - 1 && terms.lastIsPrefix ? `"${word}"*` : `"${word}"`))
    .join(' ');
}

const match = () => sql`articles_fts match ${sql.placeholder('match')}`;

/** The matches among listed articles, filtered as a list is by `keys`. */
function matching(t: Tables, keys: readonly FilterKey[]): SQL | undefined {
  return and(match(), listedArticle(t, keys, sql`articles_fts.rowid`));
}

/**
 * A page of matches, prepared once per database for a set of filters. Matches are ranked from the
 * FTS index alone: published_at is stored after the body, so reading it (or any column past the
 * body) for every match would read each matching article whole, about 4x the time of the ranking
 * itself on 10 000 articles. Drafts (few) are left out by id instead, through
 * articles_published_idx, and equal scores go newest first by id.
 */
function pageQuery(db: Db, keys: readonly FilterKey[]) {
  return preparedQuery(db, `article-search:${keys.join(',')}`, (t) => {
    const { articles, users } = t;
    // the page's ids first; only those rows get snippets, authors, counts and flags
    const ranked = db
      .select({
        id: sql<number>`articles_fts.rowid`.as('id'),
        score: sql<number>`bm25(articles_fts, ${sql.raw(COLUMN_WEIGHTS)})`.as('score'),
      })
      .from(sql`articles_fts`)
      .where(matching(t, keys))
      .orderBy(sql`score`, sql`articles_fts.rowid desc`)
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'))
      .as('ranked');
    return db
      .select(summaryColumns(t))
      .from(ranked)
      .crossJoin(articles)
      .innerJoin(users, eq(users.id, articles.authorId))
      .where(sql`${articles.id} = ranked.id`)
      .orderBy(sql`ranked.score`, sql`ranked.id desc`);
  });
}

/** How many match, up to SEARCH_COUNT_MAX. */
function countQuery(db: Db, keys: readonly FilterKey[]) {
  return preparedQuery(db, `article-search-count:${keys.join(',')}`, (t) => {
    const found = db.select({ one: sql`1` }).from(sql`articles_fts`).where(matching(t, keys)).limit(SEARCH_COUNT_MAX).as('matching');
    return db.select({ n: sql<number>`count(*)` }).from(found);
  });
}

/**
 * The page's snippets, in one pass over the matches marking only the page's rows: `+` keeps the
 * ids from being FTS5 lookups, each of which would expand a prefix term again (7x slower for
 * "migr"). char(2) and char(3) are MARK_OPEN and MARK_CLOSE.
 */
function snippetsQuery(db: Db) {
  return preparedQuery(db, 'article-search-snippets', () =>
    db
      .select({
        id: sql<number>`articles_fts.rowid`,
        body: sql<string | null>`snippet(articles_fts, 2, char(2), char(3), ${sql.raw(`'${SNIPPET_ELLIPSIS}'`)}, ${sql.raw(String(SNIPPET_TOKENS))})`,
        description: sql<string | null>`highlight(articles_fts, 1, char(2), char(3))`,
      })
      .from(sql`articles_fts`)
      .where(and(match(), sql`+articles_fts.rowid in (select value from json_each(${sql.placeholder('ids')}))`)),
  );
}

/** The search's queries for a set of filters (EXPLAIN in tests). */
export function articleSearchQueries(db: Db, keys: readonly FilterKey[]) {
  return { page: pageQuery(db, keys), count: countQuery(db, keys), snippets: snippetsQuery(db) };
}

export const sqliteSearch: SearchEngine = {
  async page(db, terms, keys, params) {
    return pageQuery(db, keys).rows({ ...params, match: ftsMatchExpression(terms) });
  },
  async count(db, terms, keys, params) {
    const row = await countQuery(db, keys).row({ ...params, match: ftsMatchExpression(terms) });
    return row?.n ?? 0;
  },
  async marked(db, terms, ids) {
    const rows = await snippetsQuery(db).rows({ match: ftsMatchExpression(terms), ids: JSON.stringify(ids) });
    return new Map<number, MarkedText>(rows.map((row) => [row.id, row]));
  },
  async index(db, id, fields, bodyText) {
    await runSql(db, sql`delete from articles_fts where rowid = ${id}`);
    await runSql(
      db,
      sql`insert into articles_fts (rowid, title, description, body, tags)
          values (${id}, ${fields.title}, ${fields.description}, ${bodyText}, ${fields.tagList.join(' ')})`,
    );
  },
  async reindexFields(db, id, fields: IndexedFields) {
    await runSql(
      db,
      sql`update articles_fts set title = ${fields.title}, description = ${fields.description}, tags = ${fields.tagList.join(' ')} where rowid = ${id}`,
    );
  },
  async remove(db, id) {
    await runSql(db, sql`delete from articles_fts where rowid = ${id}`);
  },
  async indexedBodies(db, ids) {
    const rows = await readRows<{ id: number; body: string }>(
      db,
      sql`select rowid as id, body from articles_fts where ${inIdList(db, sql`rowid`, ids)}`,
    );
    return new Map(rows.map((row) => [row.id, row.body]));
  },
};
