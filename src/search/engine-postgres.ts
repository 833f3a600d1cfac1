/**
 * Search on PostgreSQL: the table `article_search` (src/db/schema.pg.ts), one row per article with
 * a tsvector and a GIN index on it, matched with `@@`, ranked by ts_rank, counted up to its cap.
 * Everything PostgreSQL-only about search is in this file; src/search/engine.ts says what it answers.
 *
 * The lexemes are not PostgreSQL's. Quire makes them as SQLite's FTS5 does (src/search/text.ts: its
 * unicode61 tokens, case folded, Latin diacritics removed, no stemming) and hands PostgreSQL
 * ready-made tsvector and tsquery values, so no text search configuration, parser or dictionary is
 * involved: the words found are FTS5's whatever the database's locale. ('simple', the configuration
 * closest to FTS5's, would still split text by PostgreSQL's parser: "node.js", "example.com" and
 * "a@b.org" whole, and in a C-locale database "“café”" one word and "CAFÉ" not lower-cased.) For the
 * same reason the snippets are cut and marked by text.ts, as FTS5's snippet() and highlight() cut
 * and mark them, rather than by ts_headline, whose parser would mark other words than the ones found.
 *
 * The tsquery is built from SearchTerms alone (letters and digits, quoted as lexemes), so nothing a
 * reader types is ever tsquery syntax; it is bound as a parameter and cast.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { summaryColumns, type FilterKey } from '../articles/summary';
import type { Db } from '../db/client';
import { idListValue, inIdList, preparedQuery, readRows, runSql, type Tables } from '../db/engine';
import { articleSearch } from '../db/schema.pg';
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
import { foldTerms, highlight, snippet, tokenize, type FoldedTerms } from './text';

/**
 * ts_rank's weights for D, C, B and A, the body's, tags', description's and title's: FTS5's bm25
 * weights (body 1, tags 3, description 5, title 10) over ten.
 */
const RANK_WEIGHTS = '{0.1, 0.3, 0.5, 1.0}';
/**
 * ts_rank's normalization: 1 divides by 1 + log(number of words), so among equal matches a short
 * article ranks above a long one, as bm25's length normalization has it.
 */
const RANK_NORMALIZATION = 1;
/** What PostgreSQL keeps: positions up to 16383, 256 per lexeme, lexemes up to 2047 bytes. */
const MAX_POSITION = 16383;
const MAX_LEXEME_BYTES = 2047;
/**
 * The body's positions kept per lexeme. ts_rank sums a lexeme's occurrences with weights falling as
 * 1/n² (π²/6 in all), so those past the 16th add at most 4% to its score, and a shorter vector is
 * one that stays in the table's row (drizzle/pg/0004). PostgreSQL keeps 256 per lexeme: the
 * title's, description's and tags' positions, which follow the body's, are never the ones dropped.
 */
const BODY_POSITIONS_PER_LEXEME = 16;

/** A lexeme quoted for a tsvector or tsquery literal (text.ts's are letters and digits; quoted anyway). */
const quote = (lexeme: string) => `'${lexeme.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;

/**
 * A tsvector literal of these texts' lexemes, positions running on from one text to the next, each
 * text's positions with its weight (D, the default, is not written).
 */
export function vectorLiteral(texts: Array<{ text: string; weight: 'A' | 'B' | 'C' | 'D' }>, positionsPerLexeme = 256): string {
  const positions = new Map<string, string[]>();
  let position = 0;
  for (const { text, weight } of texts) {
    const suffix = weight === 'D' ? '' : weight;
    for (const { lexeme } of tokenize(text)) {
      position = Math.min(position + 1, MAX_POSITION);
      // a UTF-16 unit is at most 3 bytes of UTF-8: only long lexemes need measuring
      if (lexeme.length > MAX_LEXEME_BYTES / 3 && Buffer.byteLength(lexeme) > MAX_LEXEME_BYTES) continue;
      let list = positions.get(lexeme);
      if (list === undefined) positions.set(lexeme, (list = []));
      if (list.length < positionsPerLexeme) list.push(`${position}${suffix}`);
    }
  }
  return [...positions].map(([lexeme, list]) => `${quote(lexeme)}:${list.join(',')}`).join(' ');
}

/** The tsquery of the terms joined by `operator` (& to match, | to rank), the last one a prefix when asked. */
export function queryLiteral(terms: FoldedTerms, operator: '&' | '|'): string {
  const last = terms.lexemes.length - 1;
  return terms.lexemes.map((lexeme, i) => quote(lexeme) + (i === last && terms.lastIsPrefix ? ':*' : '')).join(` ${operator} `);
}

/** The title's, description's and tags' part of the vector, positions from 1 (the body's come first). */
const fieldsVector = (fields: IndexedFields) =>
  vectorLiteral([
    { text: fields.title, weight: 'A' },
    { text: fields.description, weight: 'B' },
    { text: fields.tagList.join(' '), weight: 'C' },
  ]);

const matchQuery = () => sql`${sql.placeholder('match')}::tsquery`;

/** The matches among listed articles, filtered as a list is by `keys`. */
function matching(t: Tables, keys: readonly FilterKey[]): SQL | undefined {
  return and(sql`${articleSearch.vector} @@ ${matchQuery()}`, listedArticle(t, keys, sql`${articleSearch.articleId}`));
}

/**
 * A page of matches, prepared once per connection for a set of filters: the page's ids ranked from
 * article_search alone, then only those rows joined to their article, author and the viewer's
 * flags. Ranked by ts_rank over the words OR-ed, that is each word's weighted occurrences summed
 * over the words, as bm25 sums its terms' scores (ts_rank over the AND-ed words would score how
 * close together they are instead); equal scores newest first, by id.
 */
function pageQuery(db: Db, keys: readonly FilterKey[]) {
  return preparedQuery(db, `article-search:${keys.join(',')}`, (t) => {
    const { articles, users } = t;
    const rank = sql`ts_rank(${sql.raw(`'${RANK_WEIGHTS}'::real[]`)}, ${articleSearch.vector}, ${sql.placeholder('rank')}::tsquery, ${sql.raw(String(RANK_NORMALIZATION))})`;
    const ranked = db
      .select({ id: sql<number>`${articleSearch.articleId}`.as('id'), score: sql<number>`${rank}`.as('score') })
      .from(sql`${articleSearch}`)
      .where(matching(t, keys))
      .orderBy(sql`score desc`, sql`${articleSearch.articleId} desc`)
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'))
      .as('ranked');
    return db
      .select(summaryColumns(t))
      .from(ranked)
      .crossJoin(articles)
      .innerJoin(users, eq(users.id, articles.authorId))
      .where(sql`${articles.id} = ranked.id`)
      .orderBy(sql`ranked.score desc`, sql`ranked.id desc`);
  });
}

/** How many match, up to SEARCH_COUNT_MAX. */
function countQuery(db: Db, keys: readonly FilterKey[]) {
  return preparedQuery(db, `article-search-count:${keys.join(',')}`, (t) => {
    const found = db.select({ one: sql`1` }).from(sql`${articleSearch}`).where(matching(t, keys)).limit(SEARCH_COUNT_MAX).as('matching');
    return db.select({ n: sql<number>`count(*)` }).from(found);
  });
}

/** The texts the page's snippets are cut from: the body's plain text and the description, by id. */
function textsQuery(db: Db) {
  return preparedQuery(db, 'article-search-texts', ({ articles }) =>
    db
      .select({ id: sql<number>`${articleSearch.articleId}`, body: sql<string>`${articleSearch.body}`, description: articles.description })
      .from(sql`${articleSearch}`)
      .innerJoin(articles, eq(articles.id, sql`${articleSearch.articleId}`))
      .where(inIdList(db, sql`${articleSearch.articleId}`, sql.placeholder('ids'))),
  );
}

/** The search's queries for a set of filters (EXPLAIN in tests). */
export function articleSearchQueries(db: Db, keys: readonly FilterKey[]) {
  return { page: pageQuery(db, keys), count: countQuery(db, keys), texts: textsQuery(db) };
}

/** The values a page or count query binds for these terms. */
export function termParams(terms: SearchTerms) {
  const folded = foldTerms(terms);
  return { match: queryLiteral(folded, '&'), rank: queryLiteral(folded, '|') };
}

/** PostgreSQL's text holds no NUL; markdown-it makes it U+FFFD in the body, and so does this. */
const storable = (text: string) => text.replaceAll('\u0000', '\uFFFD');

export const postgresSearch: SearchEngine = {
  async page(db, terms, keys, params) {
    return pageQuery(db, keys).rows({ ...params, ...termParams(terms) });
  },
  async count(db, terms, keys, params) {
    const row = await countQuery(db, keys).row({ ...params, match: termParams(terms).match });
    return row?.n ?? 0;
  },
  async marked(db, terms, ids) {
    const folded = foldTerms(terms);
    const rows = await textsQuery(db).rows({ ids: idListValue(db, ids) });
    return new Map<number, MarkedText>(
      rows.map((row) => [row.id, { body: snippet(row.body, folded, SNIPPET_TOKENS, SNIPPET_ELLIPSIS), description: highlight(row.description, folded) }]),
    );
  },
  async index(db, id, fields, bodyText) {
    const body = storable(bodyText);
    const bodyVector = vectorLiteral([{ text: body, weight: 'D' }], BODY_POSITIONS_PER_LEXEME);
    // concatenated by PostgreSQL, as reindexFields does: the fields' positions follow the body's last
    await runSql(
      db,
      sql`insert into ${articleSearch} ("article_id", "body", "vector")
          values (${id}, ${body}, ${bodyVector}::tsvector || ${fieldsVector(fields)}::tsvector)
          on conflict ("article_id") do update set "body" = excluded."body", "vector" = excluded."vector"`,
    );
  },
  async reindexFields(db, id, fields) {
    // the body's lexemes are the vector's positions of weight D: kept, the fields' replaced
    await runSql(
      db,
      sql`update ${articleSearch} set "vector" = ts_filter("vector", '{d}') || ${fieldsVector(fields)}::tsvector where "article_id" = ${id}`,
    );
  },
  async remove(db, id) {
    await runSql(db, sql`delete from ${articleSearch} where "article_id" = ${id}`);
  },
  async indexedBodies(db, ids) {
    const rows = await readRows<{ id: number; body: string }>(
      db,
      sql`select "article_id" as id, "body" from ${articleSearch} where ${inIdList(db, sql`"article_id"`, ids)}`,
    );
    return new Map(rows.map((row) => [row.id, row.body]));
  },
};
