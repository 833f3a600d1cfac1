/**
 * The SQLite migration that added articles.favorites_count counted the favorites already there.
 * (PostgreSQL's schema starts with the column: it has no such migration.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { describe, expect, it } from 'vitest';
import { wrapDatabase } from '../db/client';
import { runtime } from '../runtime';

describe("an article's favorites count, kept on its row", () => {
  it('is counted from the existing favorites by the migration that adds it', async () => {
    const { migrationsFolder } = runtime();
    const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8'));
    const index = journal.entries.findIndex((entry: { tag: string }) => entry.tag.endsWith('_favorites_count'));
    expect(index).toBeGreaterThan(0);
    // the migrations before it, in a folder of their own
    const before = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-migrations-'));
    fs.cpSync(migrationsFolder, before, { recursive: true });
    fs.writeFileSync(path.join(before, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, index) }));
    const sqlite = new Database(':memory:');
    const db = wrapDatabase(sqlite);
    migrate(db, { migrationsFolder: before });
    fs.rmSync(before, { recursive: true });
    sqlite.exec(`insert into users (id, username, email, password_hash, created_at, updated_at) values
      (1, 'a', 'a@x', 'h', 0, 0), (2, 'b', 'b@x', 'h', 0, 0);
      insert into articles (id, slug, title, description, body, author_id, created_at, updated_at, published_at) values
      (1, 'one', 'One', '', '', 1, 0, 0, 0), (2, 'two', 'Two', '', '', 1, 0, 0, 0), (3, 'three', 'Three', '', '', 2, 0, 0, 0);
      insert into favorites (user_id, article_id, created_at) values (1, 1, 0), (2, 1, 0), (2, 3, 0);`);
    migrate(db, { migrationsFolder });
    expect(sqlite.prepare('select id, favorites_count as n from articles order by id').all()).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 0 },
      { id: 3, n: 1 },
    ]);
    sqlite.close();
  });
});
