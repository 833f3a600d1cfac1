import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { tablesOf } from '../db/engine';
import { createTestDb, insertArticle, insertUser } from '../test-support';
import { missingBodiesQuery, renderMissingBodies } from './render-bodies';

describe('renderMissingBodies', () => {
  it('renders the articles whose HTML or reading time is missing, and only those', async () => {
    const db = await createTestDb();
    const { articles } = tablesOf(db);
    const user = await insertUser(db, 'alice');
    const kept = await insertArticle(db, user.id, { body: 'Kept *as is*.' });
    const cleared = await insertArticle(db, user.id, { body: 'Cleared **here**.' });
    const untimed = await insertArticle(db, user.id, { body: 'No time yet.' });
    await db.update(articles).set({ bodyHtml: '' }).where(eq(articles.id, cleared.id));
    await db.update(articles).set({ readingMinutes: 0 }).where(eq(articles.id, untimed.id));
    await db.update(articles).set({ bodyHtml: '<p>stale</p>' }).where(eq(articles.id, kept.id));

    expect(await renderMissingBodies(db)).toBe(2);
    const row = async (id: number) =>
      (await db.select({ bodyHtml: articles.bodyHtml, readingMinutes: articles.readingMinutes }).from(articles).where(eq(articles.id, id)))[0]!;
    expect(await row(cleared.id)).toEqual({ bodyHtml: '<p>Cleared <strong>here</strong>.</p>\n', readingMinutes: 1 });
    expect((await row(untimed.id)).readingMinutes).toBe(1);
    expect((await row(kept.id)).bodyHtml).toBe('<p>stale</p>');
    expect(await renderMissingBodies(db)).toBe(0);
  });

  // SQLite's EXPLAIN QUERY PLAN: PostgreSQL's planner reads a table this small whole, index or not
  it('finds them through the partial index, without reading every article', async () => {
    const db = await createTestDb('sqlite');
    const { sql } = missingBodiesQuery(db).toSQL();
    const plan = (db.$client.prepare(`explain query plan ${sql}`).all() as Array<{ detail: string }>).map((row) => row.detail);
    expect(plan).toEqual(['SCAN articles USING INDEX articles_unrendered_idx']);
  });
});
