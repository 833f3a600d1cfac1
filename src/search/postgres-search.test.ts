/**
 * What search on PostgreSQL does under searchArticles() (src/search/engine-postgres.ts), as
 * fts5.test.ts checks FTS5 on SQLite: the GIN index finds the matches, the count stops at its cap,
 * no input reaches PostgreSQL as tsquery syntax, the vector stays what indexing makes, and both
 * engines find and mark the same articles. Runs in every run, on its own PostgreSQL databases
 * (createPostgresTestDb) beside an in-memory SQLite one.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { findArticleBySlug, updateArticle } from '../articles/queries';
import { openDatabase, type Db } from '../db/client';
import type { PgDb } from '../db/postgres';
import { insertArticle, insertUser } from '../test-support';
import { createPostgresTestDb } from '../test-support/postgres';
import { SEARCH_COUNT_MAX } from './engine';
import { articleSearchQueries, postgresSearch, queryLiteral, termParams, vectorLiteral } from './engine-postgres';
import { searchArticles, searchTerms } from './queries';

const search = (db: Db, query: string, options: { limit?: number } = {}) =>
  searchArticles(db, { query, viewerId: null, limit: options.limit ?? 10, offset: 0 });

async function postgres(): Promise<{ pg: PgDb; db: Db }> {
  const pg = await createPostgresTestDb();
  return { pg, db: pg as unknown as Db };
}

/** `count` listed articles written straight into articles and article_search, the vector made by `vector` (SQL of i). */
async function bulkArticles(pg: PgDb, authorId: number, count: number, vector: string): Promise<void> {
  await pg.$client.query(
    `insert into articles (slug, title, description, body, author_id, created_at, updated_at, published_at)
     select 'bulk-' || i, 'Bulk ' || i, 'd', 'b', $1, now(), now(), now() from generate_series(1, $2::integer) as i`,
    [authorId, count],
  );
  await pg.$client.query(
    `insert into article_search (article_id, body, vector)
     select id, 'b', (${vector})::tsvector from (select id, row_number() over (order by id) as i from articles where slug like 'bulk-%') as bulk`,
  );
  await pg.$client.query('analyze articles, article_search');
}

/** EXPLAIN of a prepared search query, its placeholders given `values`. */
async function explain(pg: PgDb, query: { getQuery(): { sql: string; params: unknown[] } }, values: Record<string, unknown>): Promise<string> {
  const { sql: text, params } = query.getQuery();
  const bound = params.map((p) => (p !== null && typeof p === 'object' && 'name' in p ? values[(p as { name: string }).name] : p));
  const { rows } = await pg.$client.query(`explain ${text}`, bound);
  return rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
}

describe('search on PostgreSQL', () => {
  it('finds the matches through the GIN index, whole words and prefixes, with and without filters', async () => {
    const { pg, db } = await postgres();
    const bob = await insertUser(db, 'bob');
    // one article in 500 has the rare word, and each has 100 words of its own: a scan of the table
    // would cost far more than the index
    await bulkArticles(
      pg,
      bob.id,
      5000,
      `(case when i % 500 = 0 then 'rareword:1A' else 'filler:1A' end) || ' ' || (select string_agg('w' || (i * 100 + k) || ':' || (k + 1), ' ') from generate_series(1, 100) as k)`,
    );
    const queries = articleSearchQueries(db, []);
    for (const words of ['rareword', 'rarew']) {
      const params = { ...termParams(searchTerms(words)!), viewer: -1, limit: 10, offset: 0 };
      const page = await explain(pg, queries.page, params);
      expect(page, words).toMatch(/Bitmap Index Scan on article_search_vector_idx/);
      expect(page, words).not.toMatch(/Seq Scan on article_search/);
      // ranked from article_search alone: only the page's rows are joined to their articles
      expect(page, words).not.toMatch(/Seq Scan on articles/);
      expect(await explain(pg, queries.count, params), words).toMatch(/Bitmap Index Scan on article_search_vector_idx/);
    }
    const byAuthor = articleSearchQueries(db, ['author']);
    expect(await explain(pg, byAuthor.page, { ...termParams(searchTerms('rareword')!), author: 'bob', viewer: -1, limit: 10, offset: 0 })).toMatch(
      /Bitmap Index Scan on article_search_vector_idx/,
    );
    expect(await search(db, 'rareword')).toMatchObject({ total: 10 });
    // and each match's vector is read from its row, not fetched from the TOAST table (drizzle/pg/0004)
    const { rows } = await pg.$client.query("select attstorage from pg_attribute where attrelid = 'article_search'::regclass and attname = 'vector'");
    expect(rows).toEqual([{ attstorage: 'm' }]);
    expect((await search(db, 'rarew')).results.map((r) => r.slug)).toEqual(Array.from({ length: 10 }, (_, i) => `bulk-${5000 - i * 500}`));
  });

  it(`stops counting at ${SEARCH_COUNT_MAX}`, async () => {
    const { pg, db } = await postgres();
    const bob = await insertUser(db, 'bob');
    await bulkArticles(pg, bob.id, SEARCH_COUNT_MAX + 5, `'common:1A'`);
    expect((await search(db, 'common')).total).toBe(SEARCH_COUNT_MAX);
    expect((await search(db, 'comm', { limit: 5 })).results).toHaveLength(5);
  });

  it('never hands PostgreSQL tsquery syntax, whatever the reader types', async () => {
    const { db } = await postgres();
    const bob = await insertUser(db, 'bob');
    await insertArticle(db, bob.id, { title: "It's a C++ & C# | F# primer", body: 'Backslash \\ quote \' colon: star* bang! <-> (paren) & | :* :A' });
    const hostile = [
      "'", "''", '\\', "\\'", ':*', "a:*'", "it's", 'a & b', 'a | b', '!a', 'a <-> b', 'a <2> b', '(a', 'a)', 'a:A', 'a:*A', "'a':*",
      "x' | 'y", "'; drop table articles; --", '$1', '?', '%', '_', '\u0000', '\ud800', '\u2028', 'NOT AND OR', '&&&', '|||', '!!!',
      '<->', ':', 'c++', 'f#', 'primer:*', '"', 'e\u0301', 'ǅ', '😀', '\uFFFF', 'x'.repeat(5000), 'a '.repeat(500),
    ];
    for (const query of hostile) {
      await expect(search(db, query), JSON.stringify(query.slice(0, 20))).resolves.toHaveProperty('total');
    }
    // and random text: every character class PostgreSQL's tsquery syntax has, and then some
    const alphabet = ["'", '\\', ':', '*', '&', '|', '!', '<', '-', '>', '(', ')', ' ', 'a', 'B', '1', 'é', 'ß', 'Σ', '日', '\u0301', 'A', 'D'];
    let seed = 15;
    for (let round = 0; round < 200; round++) {
      let query = '';
      for (let i = 0; i < 1 + (round % 30); i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        query += alphabet[seed % alphabet.length];
      }
      await expect(search(db, query), JSON.stringify(query)).resolves.toHaveProperty('total');
    }
    expect((await search(db, "it's primer")).results.map((r) => r.title)).toEqual(["It's a C++ & C# | F# primer"]);
    expect((await search(db, 'c++ f#')).total).toBe(1);
  });

  it('quotes whatever lexemes it is given, so even words the reader cannot type stay lexemes', async () => {
    const { pg } = await postgres();
    const lexemes = ["it's", 'back\\slash', 'a:*', '&', "'", 'two words'];
    const { rows } = await pg.$client.query('select $1::tsquery::text as query, $2::tsvector::text as vector', [
      queryLiteral({ lexemes, lastIsPrefix: true }, '&'),
      vectorLiteral([{ text: "it's", weight: 'A' }]),
    ]);
    expect(rows[0].query).toBe("'it''s' & 'back\\\\slash' & 'a:*' & '&' & '''' & 'two words':*");
    expect(rows[0].vector).toBe("'it':1A 's':2A");
  });

  it('keeps the vector what indexing the article makes, through edits, and weighs a title word as a title word however often the body has it', async () => {
    const { pg, db } = await postgres();
    const bob = await insertUser(db, 'bob');
    const body = `${'otter '.repeat(300)}and a heron. ${'x'.repeat(3000)} ${'word '.repeat(20_000)}end`;
    const { id, slug } = await insertArticle(db, bob.id, { title: 'Otter days', description: 'Rivers', body, tagList: ['wildlife'] });
    const vector = async () => (await pg.execute(sql`select vector::text as v from article_search where article_id = ${id}`)).rows[0]!.v as string;
    const article = (await findArticleBySlug(db, slug, bob.id))!;
    await updateArticle(db, article, { title: 'Heron days', tagList: ['birds', 'rivers'] }, null, Date.now());
    const edited = await vector();
    // what index() makes of the same article from scratch
    const text = (await pg.execute(sql`select body from article_search where article_id = ${id}`)).rows[0]!.body as string;
    await postgresSearch.index(db, id, { title: 'Heron days', description: 'Rivers', tagList: ['birds', 'rivers'] }, text);
    expect(edited).toBe(await vector());
    expect(edited).toMatch(/'heron':\d+,16383A /);
    expect(edited).not.toMatch(/'otter':[^ ]*A/);
    // the body's 300 otters are kept to 16 positions, its 3000-byte word is left out, positions stop at 16383
    expect(edited.match(/'otter':([^ ]*)/)![1]!.split(',')).toHaveLength(16);
    expect(edited).not.toContain('xxx');
    expect(edited).toMatch(/'end':16383 /);
    expect((await search(db, 'heron')).results.map((r) => r.title)).toEqual(['Heron days']);
    expect((await search(db, 'otter')).results.map((r) => r.title)).toEqual(['Heron days']);
    expect((await search(db, 'birds rivers')).results.map((r) => r.title)).toEqual(['Heron days']);
    expect((await search(db, 'wildlife')).results).toEqual([]);
  });
});

describe('search on SQLite and on PostgreSQL', () => {
  it('finds the same articles, counts them alike and marks the same words', async () => {
    const sqlite = openDatabase(':memory:');
    const { db: pgDb } = await postgres();
    const articles = [
      { title: 'Le Café de Flore', description: 'Crème brûlée à Paris', body: 'We met at “Café” de Flore. CAFÉ noir, crème brûlée; then Node.js talks.' },
      { title: 'Łódź and Ærø', description: 'Travels', body: 'From Łódź to Ærø by train: straße after straße, İstanbul next.' },
      { title: 'Ёлка', description: 'Новый год', body: 'ПРИВЕТ мир, ёлка и йод. Ωμέγα ΛΟΓΟΣ λόγος.' },
      { title: 'Learning TypeScript', description: 'Types, <b>tags</b> & more', body: 'TypeScript helps. Types help. Type-safe code, example.com and foo@bar.org.', tagList: ['typescript', 'web'] },
      { title: 'Tomatoes', description: 'A short one', body: `${'Filler words here. '.repeat(20)}Tomatoes like the sun. ${'More filler. '.repeat(20)}` },
      { title: 'Draft-free notes', description: 'Notes', body: 'Kingfishers and otters by the river; the otter dives, the kingfisher waits.', tagList: ['birds'] },
    ];
    for (const db of [sqlite, pgDb]) {
      const bob = await insertUser(db, 'bob');
      for (const article of articles) await insertArticle(db, bob.id, article);
    }
    const queries = [
      'cafe', 'CAFÉ creme', 'café noir', 'node', 'js', 'lodz', 'łodz', 'aerø', 'ærø', 'strasse', 'straße', 'istanbul', 'ёлка', 'елка', 'привет',
      'λογοσ', 'ωμεγα', 'ωμέγα', 'typesc', 'type', 'types', 'safe', 'example', 'com', 'foo', 'tags', 'web', 'tomatoes', 'filler', 'otter',
      'kingfish', 'otters river', 'the', 'notes birds', 'b', 'e',
    ];
    for (const query of queries) {
      const [onSqlite, onPostgres] = await Promise.all([search(sqlite, query, { limit: 20 }), search(pgDb, query, { limit: 20 })]);
      const bySlug = (found: typeof onSqlite) => Object.fromEntries(found.results.map((r) => [r.slug, r.snippet]));
      expect(bySlug(onPostgres), query).toEqual(bySlug(onSqlite));
      expect(onPostgres.total, query).toBe(onSqlite.total);
    }
    sqlite.$client.close();
  });
});
