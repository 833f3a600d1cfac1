/**
 * What SQLite's FTS5 does under searchArticles(): the plan reads the index alone, and a count that
 * stops at its cap (set up with rows written straight into articles and articles_fts).
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../db/client';
import { createTestDb, insertUser } from '../test-support';
import { articleSearchQueries, SEARCH_COUNT_MAX, searchArticles } from './queries';

const search = (db: Db, query: string) => searchArticles(db, { query, viewerId: null, limit: 10, offset: 0 });

describe('searchArticles', () => {
  it('ranks from the index alone: no article row is read per match, only the page’s', async () => {
    const db = await createTestDb();
    const explain = (statement: { getQuery(): { sql: string; params: unknown[] } }) => {
      const { sql, params } = statement.getQuery();
      const bound = params.map((p) => (p && typeof p === 'object' && 'name' in p ? ((p as { name: string }).name === 'match' ? '"x"' : 1) : p));
      return (db.$client.prepare(`explain query plan ${sql}`).all(...bound) as Array<{ detail: string }>).map((row) => row.detail);
    };
    const queries = articleSearchQueries(db, []);
    const page = explain(queries.page);
    // inside the ranking: the FTS scan, drafts from the covering index, then the sort
    const ranking = page.slice(0, page.indexOf('SCAN ranked'));
    expect(ranking).toContain('SCAN articles_fts VIRTUAL TABLE INDEX 0:M4');
    expect(ranking.join('\n')).toMatch(/SEARCH articles USING COVERING INDEX articles_(published|hidden)_idx/);
    expect(ranking.join('\n')).not.toMatch(/articles USING INTEGER PRIMARY KEY/);
    expect(explain(queries.count).join('\n')).not.toMatch(/articles USING INTEGER PRIMARY KEY/);
    // the snippets: one pass over the matches, not one FTS5 lookup per id
    expect(explain(queries.snippets)).toContain('SCAN articles_fts VIRTUAL TABLE INDEX 0:M4');
  });

  it(`stops counting at ${SEARCH_COUNT_MAX}`, async () => {
    const db = await createTestDb();
    const bob = await insertUser(db, 'bob');
    const insert = db.$client.prepare(
      `insert into articles (id, slug, title, description, body, author_id, created_at, updated_at, published_at)
       values (?, ?, 'Common', 'd', 'b', ?, ?, ?, ?)`,
    );
    const index = db.$client.prepare(`insert into articles_fts (rowid, title, description, body, tags) values (?, 'Common', 'd', 'b', '')`);
    db.$client.transaction(() => {
      for (let id = 1; id <= SEARCH_COUNT_MAX + 5; id++) {
        insert.run(id, `common-${id}`, bob.id, id, id, id);
        index.run(id);
      }
    })();
    expect((await search(db, 'common')).total).toBe(SEARCH_COUNT_MAX);
  });
});
