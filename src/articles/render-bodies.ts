import type Database from 'better-sqlite3';
import { renderMarkdown } from '../lib/markdown';

/**
 * Articles saved before bodies were stored rendered (or after the renderer changed and their HTML
 * was cleared) get their HTML now, once, at start-up.
 */
export function renderMissingBodies(sqlite: Database.Database): number {
  const missing = sqlite.prepare("select id, body from articles where body_html = ''").all() as Array<{ id: number; body: string }>;
  if (missing.length === 0) return 0;
  const update = sqlite.prepare('update articles set body_html = ? where id = ?');
  sqlite.transaction(() => {
    for (const row of missing) update.run(renderMarkdown(row.body), row.id);
  })();
  return missing.length;
}
