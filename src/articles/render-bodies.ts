import type Database from 'better-sqlite3';
import { readingMinutes, renderMarkdown } from '../lib/markdown';

/**
 * Articles saved before bodies were stored rendered (or after the renderer changed and their HTML
 * was cleared) get their HTML and reading time now, once, at start-up.
 */
export function renderMissingBodies(sqlite: Database.Database): number {
  const missing = sqlite
    .prepare("select id, body from articles where body_html = '' or reading_minutes = 0")
    .all() as Array<{ id: number; body: string }>;
  if (missing.length === 0) return 0;
  const update = sqlite.prepare('update articles set body_html = ?, reading_minutes = ? where id = ?');
  sqlite.transaction(() => {
    for (const row of missing) update.run(renderMarkdown(row.body), readingMinutes(row.body), row.id);
  })();
  return missing.length;
}
