/**
 * `npx tsx scripts/bench/search-engines.ts [--url=postgres://.../empty_database] [--phases] [--explain]`
 *
 * One search on 10 000 articles (the bench's large dataset, scripts/bench/seed.ts) on SQLite and on
 * PostgreSQL: the dataset is seeded into a SQLite file and copied into a PostgreSQL database (a
 * throwaway cluster's, or the empty database --url names) by ./seed-postgres.ts, each article
 * indexed there with the text FTS5 holds, then searchArticles() is timed for a few queries on both,
 * in this process (its wall time: the queries, the snippets, the tags). --phases times each engine
 * call apart (page, count, marked text), --explain shows PostgreSQL's plans. Not part of
 * `npm run bench` (which serves pages, not searches).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../../src/db/client';
import { closeDatabase } from '../../src/db/engine';
import { openPostgres } from '../../src/db/postgres';
import { articleSearchQueries, termParams } from '../../src/search/engine-postgres';
import { searchArticles, searchEngineOf, searchTerms } from '../../src/search/queries';

type PgClient = { $client: { query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, string>> }> } };
import { LARGE, seedDataset } from './seed';
import { copyToPostgres, startBenchPostgres } from './seed-postgres';

const QUERIES = [
  ['cache', 'a word in nearly every article'],
  ['measuring caches', 'two title words'],
  ['kubernetes', 'a tag'],
  ['profil', 'a prefix'],
  ['honest boring servers', 'three common words'],
  ['zebra', 'no match'],
];
const ROUNDS = 30;

async function time(db: Db, query: string): Promise<{ median: number; p90: number; total: number; results: number }> {
  const search = () => searchArticles(db, { query, viewerId: null, limit: 10, offset: 0 });
  for (let i = 0; i < 5; i++) await search(); // warm: statements prepared, pages cached
  const samples: number[] = [];
  let found = { results: [] as unknown[], total: 0 };
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    found = await search();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(ROUNDS / 2)]!, p90: samples[Math.floor(ROUNDS * 0.9)]!, total: found.total, results: found.results.length };
}

async function main() {
  const url = process.argv.find((arg) => arg.startsWith('--url='))?.slice(6);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-search-bench-'));
  // --url names an empty database: the copy goes there; otherwise a throwaway cluster's
  const server = url ? null : await startBenchPostgres();
  try {
    const seeded = await seedDataset(path.join(tmp, 'large.db'), LARGE, 'not-a-real-hash');
    process.stdout.write(`seeded ${seeded.counts.articles} articles in ${Math.round(seeded.seedMs)} ms\n`);
    const pgUrl = url ?? (await server!.createDatabase('search_bench'));
    const copying = performance.now();
    await copyToPostgres(seeded.file, pgUrl);
    process.stdout.write(`copied and indexed on PostgreSQL in ${Math.round(performance.now() - copying)} ms\n\n`);
    const sqlite = openDatabase(seeded.file);
    const pg = (await openPostgres(pgUrl)) as unknown as Db;
    process.stdout.write('query                      what                            SQLite ms (p50 / p90)  PostgreSQL ms (p50 / p90)  total\n');
    for (const [query, what] of QUERIES) {
      const onSqlite = await time(sqlite, query!);
      const onPostgres = await time(pg, query!);
      const cell = (t: { median: number; p90: number }) => `${t.median.toFixed(2)} / ${t.p90.toFixed(2)}`.padEnd(24);
      const totals = onSqlite.total === onPostgres.total ? String(onSqlite.total) : `${onSqlite.total} vs ${onPostgres.total}`;
      process.stdout.write(`${query!.padEnd(27)}${what!.padEnd(32)}${cell(onSqlite)}${cell(onPostgres)}    ${totals}\n`);
    }
    if (process.argv.includes('--phases')) {
      // each engine call of searchArticles() on its own: page, count, marked text
      const { rows } = await (pg as unknown as PgClient).$client.query(
        'select avg(pg_column_size(vector))::int as vector_bytes, avg(length(vector))::int as lexemes, avg(pg_column_size(body))::int as body_bytes from article_search',
      );
      process.stdout.write(`\nPostgreSQL article_search: ${JSON.stringify(rows[0])}\n`);
      for (const [query] of QUERIES) {
        const terms = searchTerms(query!)!;
        const line: string[] = [];
        for (const db of [sqlite, pg]) {
          const engine = searchEngineOf(db);
          const params = { viewer: -1 };
          const page = await engine.page(db, terms, [], { ...params, limit: 10, offset: 0 });
          const ids = page.map((row) => row.id);
          const phases = {
            page: () => engine.page(db, terms, [], { ...params, limit: 10, offset: 0 }),
            count: () => engine.count(db, terms, [], params),
            marked: () => (ids.length ? engine.marked(db, terms, ids) : Promise.resolve()),
          };
          for (const [name, run] of Object.entries(phases)) {
            for (let i = 0; i < 3; i++) await run();
            const samples: number[] = [];
            for (let i = 0; i < ROUNDS; i++) {
              const started = performance.now();
              await run();
              samples.push(performance.now() - started);
            }
            samples.sort((a, b) => a - b);
            line.push(`${name} ${samples[Math.floor(ROUNDS / 2)]!.toFixed(2)}`);
          }
        }
        process.stdout.write(`${query!.padEnd(27)}SQLite: ${line.slice(0, 3).join(', ')}   PostgreSQL: ${line.slice(3).join(', ')}\n`);
      }
    }
    if (process.argv.includes('--explain')) {
      for (const [query] of QUERIES) {
        const { page } = articleSearchQueries(pg, []);
        const values: Record<string, unknown> = { ...termParams(searchTerms(query!)!), viewer: -1, limit: 10, offset: 0 };
        const { sql: text, params } = page.getQuery();
        const bound = params.map((p) => (p !== null && typeof p === 'object' && 'name' in p ? values[(p as { name: string }).name] : p));
        const { rows } = await (pg as unknown as PgClient).$client.query(`explain (analyze, buffers) ${text}`, bound);
        process.stdout.write(`\n${query}:\n${rows.map((row) => row['QUERY PLAN']).join('\n')}\n`);
      }
    }
    await closeDatabase(sqlite);
    await closeDatabase(pg);
  } finally {
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
