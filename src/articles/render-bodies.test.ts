import { describe, expect, it } from 'vitest';
import { createTestDb, insertArticle, insertUser } from '../test-support';
import { missingBodiesQuery, renderMissingBodies } from './render-bodies';

describe('renderMissingBodies', () => {
  it('renders the articles whose HTML or reading time is missing, and only those', async () => {
    const db = await createTestDb();
    const user = await insertUser(db, 'alice');
    const kept = await insertArticle(db, user.id, { body: 'Kept *as is*.' });
    const cleared = await insertArticle(db, user.id, { body: 'Cleared **here**.' });
    const untimed = await insertArticle(db, user.id, { body: 'No time yet.' });
    db.$client.prepare("update articles set body_html = '' where id = ?").run(cleared.id);
    db.$client.prepare('update articles set reading_minutes = 0 where id = ?').run(untimed.id);
    db.$client.prepare("update articles set body_html = '<p>stale</p>' where id = ?").run(kept.id);

    expect(await renderMissingBodies(db)).toBe(2);
    const row = (id: number) =>
      db.$client.prepare('select body_html, reading_minutes from articles where id = ?').get(id) as { body_html: string; reading_minutes: number };
    expect(row(cleared.id)).toEqual({ body_html: '<p>Cleared <strong>here</strong>.</p>\n', reading_minutes: 1 });
    expect(row(untimed.id).reading_minutes).toBe(1);
    expect(row(kept.id).body_html).toBe('<p>stale</p>');
    expect(await renderMissingBodies(db)).toBe(0);
  });

  it('finds them through the partial index, without reading every article', async () => {
    const db = await createTestDb();
    const { sql } = missingBodiesQuery(db).toSQL();
    const plan = (db.$client.prepare(`explain query plan ${sql}`).all() as Array<{ detail: string }>).map((row) => row.detail);
    expect(plan).toEqual(['SCAN articles USING INDEX articles_unrendered_idx']);
  });
});
