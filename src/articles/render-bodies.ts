import type Database from 'better-sqlite3';
import { loadMarkdown } from '../lib/markdown';

/**
 * The rows still to render. Matches the partial index articles_unrendered_idx exactly, so that
 * SQLite reads only them: checking every row would read every body (100+ MB on a large blog) at
 * each start, and leave SQLite's page cache full of them.
 */
export const MISSING_BODIES_SQL = "select id, body from articles where body_html = '' or reading_minutes = 0";

/**
 * Articles saved before bodies were stored rendered (or after the renderer changed and their HTML
 * was cleared) get their HTML and reading time now, once, when the server starts (before it
 * listens: pages show body_html as stored). The renderer is loaded only if there is work.
 */
export async function renderMissingBodies(sqlite: Database.Database): Promise<number> {
  const missing = sqlite.prepare(MISSING_BODIES_SQL).all() as Array<{ id: number; body: string }>;
  if (missing.length === 0) return 0;
  const markdown = await loadMarkdown();
  const update = sqlite.prepare('update articles set body_html = ?, reading_minutes = ? where id = ?');
  sqlite.transaction(() => {
    for (const row of missing) update.run(markdown.render(row.body), markdown.readingMinutes(row.body), row.id);
  })();
  return missing.length;
}
