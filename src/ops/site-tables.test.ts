import { getTableColumns, getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import * as pgSchema from '../db/schema.pg';
import { canonicalRow, copiedTables, DERIVED_TABLES, TableChecksum } from './site-tables';

describe('the tables quire copy copies', () => {
  it('are every table of both schemas but the derived ones and the search index, parents first', () => {
    const tables = copiedTables();
    expect(tables.map((table) => table.name)).toEqual([
      'site_pages',
      'site_settings',
      'tags',
      'users',
      'account_tokens',
      'articles',
      'article_slugs',
      'article_tags',
      'audit_log',
      'comments',
      'favorites',
      'follows',
      'invitations',
      'mail_outbox',
      'media_uses',
      'notification_preferences',
      'notifications',
      'recovery_codes',
      'reports',
      'sessions',
      'uploads',
    ]);
    const pgTables = Object.values(pgSchema).filter((value) => is(value, PgTable)) as PgTable[];
    const notCopied = pgTables.map((table) => getTableName(table)).filter((name) => !tables.some((table) => table.name === name));
    expect(notCopied.sort()).toEqual([...DERIVED_TABLES.keys(), 'article_search'].sort());
    // the same properties on both engines: a row read from one is written to the other as it is
    for (const table of tables) {
      const pgTable = pgTables.find((candidate) => getTableName(candidate) === table.name)!;
      expect(Object.keys(getTableColumns(pgTable)).sort()).toEqual([...table.columns].sort());
    }
  });

  it('know each table’s primary key and which ids the database hands out', () => {
    const byName = Object.fromEntries(copiedTables().map((table) => [table.name, table]));
    expect(byName.users).toMatchObject({ primaryKey: ['id'], identity: 'id', identityColumn: 'id' });
    expect(byName.sessions).toMatchObject({ primaryKey: ['id'], identity: null });
    expect(byName.article_tags).toMatchObject({ primaryKey: ['articleId', 'tagId'], identity: null });
    expect(byName.favorites).toMatchObject({ primaryKey: ['userId', 'articleId'], identity: null });
    expect(copiedTables().filter((table) => table.identity).map((table) => table.name)).toEqual([
      'site_pages',
      'tags',
      'users',
      'articles',
      'audit_log',
      'comments',
      'invitations',
      'mail_outbox',
      'media_uses',
      'notifications',
      'recovery_codes',
      'reports',
      'uploads',
    ]);
  });
});

describe('canonicalRow', () => {
  it('writes what either engine reads the same way: dates as milliseconds, bytes as base64, in column order', () => {
    const sessions = copiedTables().find((table) => table.name === 'sessions')!;
    const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    const row = {
      userAgent: null,
      id: 'abc',
      secretHash: Buffer.from([0, 1, 254, 255]),
      userId: 7,
      createdAt: at,
      lastSeenAt: at,
      expiresAt: new Date(at.getTime() + 1),
    };
    expect(canonicalRow(sessions, row)).toBe(`["abc","AAH+/w==",7,${at.getTime()},${at.getTime()},${at.getTime() + 1},null,null]`);
    expect(canonicalRow(sessions, { ...row, secretHash: new Uint8Array([0, 1, 254, 255]) })).toBe(canonicalRow(sessions, row));
  });

  it('hashes rows in order: the same rows in another order are another checksum', () => {
    const [a, b] = [new TableChecksum(), new TableChecksum()];
    a.add('1');
    a.add('2');
    b.add('2');
    b.add('1');
    expect([a.rows, b.rows]).toEqual([2, 2]);
    expect(a.digest()).not.toBe(b.digest());
  });
});
