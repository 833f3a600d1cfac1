import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { idle, transaction } from '../db/transaction';
import { loadMarkdown } from '../lib/markdown';

/**
 * The rows still to render. Matches the partial index articles_unrendered_idx exactly (its
 * condition written out, not bound), so that the database reads only them: checking every row
 * would read every body (100+ MB on a large blog) at each start, and leave SQLite's page cache full
 * of them.
 */
export function missingBodiesQuery(db: Db) {
  const { articles } = tablesOf(db);
  return db
    .select({ id: articles.id, body: articles.body })
    .from(articles)
    .where(sql`${articles.bodyHtml} = '' or ${articles.readingMinutes} = 0`);
}

/**
 * Articles saved before bodies were stored rendered (or after the renderer changed and their HTML
 * was cleared) get their HTML and reading time now, once, when the server starts (before it
 * listens: pages show body_html as stored). The renderer is loaded only if there is work.
 */
export async function renderMissingBodies(db: Db): Promise<number> {
  await idle(db);
  const missing = await missingBodiesQuery(db);
  if (missing.length === 0) return 0;
  const markdown = await loadMarkdown();
  // rendered before the transaction, which holds the database while it is open
  const rendered = missing.map((row) => ({ id: row.id, bodyHtml: markdown.render(row.body), readingMinutes: markdown.readingMinutes(row.body) }));
  await transaction(db, async (tx) => {
    const t = tablesOf(tx);
    for (const { id, ...fields } of rendered) await tx.update(t.articles).set(fields).where(eq(t.articles.id, id));
  });
  return missing.length;
}
