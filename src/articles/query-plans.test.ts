import { describe, expect, it } from 'vitest';
import { createTestDb } from '../test-support';
import type { Db } from '../db/client';
import { articleListQueries, viewerFlagsQuery } from './queries';

type PlanRow = { detail: string };

/** EXPLAIN QUERY PLAN of a prepared Drizzle query, with its placeholders bound. */
function plan(db: Db, query: { getQuery(): { sql: string; params: unknown[] } }, values: Record<string, unknown>) {
  const { sql, params } = query.getQuery();
  const bound = params.map((param) =>
    param && typeof param === 'object' && 'name' in param ? values[(param as { name: string }).name] : param,
  );
  return (db.$client.prepare(`explain query plan ${sql}`).all(...bound) as PlanRow[]).map((row) => row.detail);
}

const VALUES = { viewer: 1, tag: 'x', author: 'alice', favoritedBy: 'alice', feedOf: 1, limit: 10, offset: 0 };

describe('list queries use indexes, not scans or sorts of whole tables', () => {
  it.each([
    [[], /(SCAN|SEARCH) articles USING COVERING INDEX articles_listed_idx/],
    [['tag'], /SEARCH article_tags USING (COVERING )?INDEX article_tags_tag_published_idx \(tag_id=\?/],
    [['author'], /SEARCH articles USING (COVERING )?INDEX articles_author_published_idx \(author_id=\?/],
    [['feedOf'], /SEARCH articles USING (COVERING )?INDEX articles_author_published_idx \(author_id=\?/],
    [['favoritedBy'], /SEARCH favorites USING (COVERING )?INDEX sqlite_autoindex_favorites_1 \(user_id=\?\)/],
  ] as const)('filter %j', async (keys, expected) => {
    const db = await createTestDb();
    const queries = articleListQueries(db, [...keys]);
    const page = plan(db, queries.page as never, VALUES);
    expect(page.join('\n')).toMatch(expected);
    // the page's 10 ids drive the rest: every other table is searched by key
    const scans = page.filter((detail) => /^SCAN /.test(detail) && !/^SCAN (page_ids|articles USING COVERING INDEX articles_listed_idx)/.test(detail));
    expect(scans).toEqual([]);
    for (const detail of page) expect(detail).not.toMatch(/^SCAN (users|favorites|follows|comments|article_tags|tags)\b/);
    const count = plan(db, queries.count as never, VALUES);
    for (const detail of count) expect(detail).not.toMatch(/^SCAN (users|favorites|follows|comments|tags)\b/);
  });

  it('the global list never sorts: newest first comes from the index', async () => {
    const db = await createTestDb();
    const page = plan(db, articleListQueries(db, []).page as never, VALUES);
    // the outer ORDER BY sorts only the 10 chosen rows
    expect(page.filter((detail) => detail.includes('TEMP B-TREE')).length).toBeLessThanOrEqual(1);
    expect(page.join('\n')).toMatch(/CO-ROUTINE page_ids|SCAN page_ids/);
  });

  it("reads the viewer's flags for a page by key, never scanning favorites or follows", async () => {
    const db = await createTestDb();
    const detail = plan(db, viewerFlagsQuery(db), { viewer: 1, articles: '[1,2]', authors: '[3]' });
    expect(detail.join('\n')).toMatch(/SEARCH favorites (EXISTS )?USING (COVERING )?INDEX sqlite_autoindex_favorites_1 \(user_id=\? AND article_id=\?\)/);
    expect(detail.join('\n')).toMatch(/SEARCH follows (EXISTS )?USING (COVERING )?INDEX sqlite_autoindex_follows_1 \(follower_id=\? AND followed_id=\?\)/);
    for (const line of detail) expect(line).not.toMatch(/^SCAN (favorites|follows)\b/);
  });
});
