/**
 * SQLite's schema and PostgreSQL's are one schema (issue #15): each engine's real migrations build a
 * fresh database, both are introspected, brought to one shape in PostgreSQL's terms (through the
 * type mapping of src/db/schema.pg.ts) and compared: tables, columns, types, nullability, defaults,
 * collation, primary keys, indexes (columns or expressions, unique, partial), foreign keys with
 * their ON DELETE, and the cache triggers' names and events. What differs on purpose is listed in
 * KNOWN_DIFFERENCES, and each item is checked to be there, so the list cannot go stale.
 *
 * The migrations must also be the schema modules' own: drizzle-kit, run into a copy of each
 * migrations folder, must find nothing to generate (a column changed in schema.pg.ts without
 * `npm run db:generate` fails here).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { createPostgresTestDb } from '../test-support/postgres';
import { openDatabase, type Db } from './client';
import { closePostgres, type PgDb } from './postgres';
import * as sqliteSchema from './schema';
import * as pgSchema from './schema.pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const KNOWN_DIFFERENCES = {
  /** FTS5's table and its shadow tables (PostgreSQL's search has its own, below), drizzle's and SQLite's bookkeeping */
  sqliteOnlyTables: [
    '__drizzle_migrations',
    'articles_fts',
    'articles_fts_config',
    'articles_fts_content',
    'articles_fts_data',
    'articles_fts_docsize',
    'articles_fts_idx',
    'sqlite_sequence',
  ],
  /** drizzle's bookkeeping, in a schema of its own */
  postgresOnlyTables: ['drizzle.__drizzle_migrations'],
  /** search's table on PostgreSQL (a tsvector and its GIN index, src/search/engine-postgres.ts), where SQLite has articles_fts */
  postgresSearchTables: ['article_search'],
  /** the identity columns' sequences (SQLite's AUTOINCREMENT keeps its counters in sqlite_sequence) */
  postgresSequences: [
    'articles_id_seq',
    'audit_log_id_seq',
    'comments_id_seq',
    'invitations_id_seq',
    'mail_outbox_id_seq',
    'media_uses_id_seq',
    'notifications_id_seq',
    'recovery_codes_id_seq',
    'reports_id_seq',
    'site_pages_id_seq',
    'tags_id_seq',
    'uploads_id_seq',
    'users_id_seq',
  ],
  /** versions that only grow: 64-bit as SQLite's integers are (schema.pg.ts says why) */
  bigintOnPostgres: ['cache_versions.comments', 'cache_versions.content', 'comment_versions.version'],
  /** the triggers' bodies: plpgsql functions on PostgreSQL, inline on SQLite (postgres.test.ts checks what they do) */
  postgresFunctions: ['forget_comment_version', 'move_comment_versions', 'move_content_version'],
};

type Column = { name: string; type: string; notNull: boolean; default: string | null; identity: boolean; collation: string | null };
type Index = { name: string; table: string; keys: string[]; unique: boolean; where: string | null };
type ForeignKey = { table: string; columns: string[]; references: string; referencedColumns: string[]; onDelete: string; onUpdate: string };
type Trigger = { name: string; table: string; timing: string; event: string };
type Shape = {
  tables: Record<string, { columns: Column[]; primaryKey: string[] }>;
  indexes: Index[];
  foreignKeys: ForeignKey[];
  triggers: Trigger[];
};

/** PostgreSQL's casts in deparsed SQL (`''::text`), of the types the mapping uses. */
const CAST = /::(?:text|integer|bigint|bytea|timestamp(?:\(\d\))? with time zone)\b/gi;

/** `lower("username")` and `lower(username)` alike: no quotes, no spaces, lower case. */
const normaliseExpression = (expression: string) => expression.replace(/["`]/g, '').replace(/\s+/g, '').toLowerCase();

/**
 * A partial index's WHERE as both engines write it: SQLite keeps drizzle's text
 * (`"articles"."body_html" = '' or ...`), PostgreSQL deparses it (`body_html = ''::text OR ...`).
 * Table names, quotes, casts and parentheses go; what is left is compared.
 */
function normaliseWhere(where: string | null, table: string): string | null {
  if (where === null) return null;
  return where
    .replace(/["`]/g, '')
    .replaceAll(`${table}.`, '')
    .replace(CAST, '')
    .replace(/[()]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** A column's default as written in DDL: PostgreSQL's casts (`''::text`) dropped. */
const normaliseDefault = (value: string | null) => (value === null ? null : value.replace(CAST, ''));

const byName = <T extends { name: string }>(items: T[]) => [...items].sort((a, b) => a.name.localeCompare(b.name));
const byTableAndColumns = (items: ForeignKey[]) =>
  [...items].sort((a, b) => `${a.table}.${a.columns.join()}`.localeCompare(`${b.table}.${b.columns.join()}`));

/** SQLite integer columns that hold timestamps: what schema.ts declares (the database says only `integer`). */
function sqliteTimestampColumns(): Set<string> {
  const columns = new Set<string>();
  for (const table of Object.values(sqliteSchema)) {
    if (!(table instanceof SQLiteTable)) continue;
    const config = getTableConfig(table);
    for (const column of config.columns) if (column.columnType === 'SQLiteTimestamp') columns.add(`${config.name}.${column.name}`);
  }
  return columns;
}

/** The type mapping (src/db/schema.pg.ts): an SQLite column's type in PostgreSQL's words. */
function postgresTypeOf(table: string, column: string, declared: string, timestamps: Set<string>): string {
  const key = `${table}.${column}`;
  switch (declared.toLowerCase()) {
    case 'integer':
      if (KNOWN_DIFFERENCES.bigintOnPostgres.includes(key)) return 'bigint';
      return timestamps.has(key) ? 'timestamp(3) with time zone' : 'integer';
    case 'text':
      return 'text';
    case 'real':
      return 'double precision';
    case 'blob':
      return 'bytea';
    default:
      throw new Error(`${key}: no PostgreSQL type for SQLite's ${declared}`);
  }
}

/** The comma-separated items inside the first parentheses after `ON table` of a CREATE INDEX. */
function indexItems(createIndex: string): string[] {
  const on = createIndex.search(/\sON\s/i);
  const open = createIndex.indexOf('(', on);
  const items: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < createIndex.length; i++) {
    const char = createIndex[i];
    if (char === '(') depth++;
    else if (char === ')' && --depth === 0) {
      items.push(createIndex.slice(start, i).trim());
      break;
    } else if (char === ',' && depth === 1) {
      items.push(createIndex.slice(start, i).trim());
      start = i + 1;
    }
  }
  return items;
}

type Row = Record<string, unknown>;

function sqliteShape(): { shape: Shape; ignored: string[] } {
  const db = openDatabase(':memory:');
  const sqlite = db.$client;
  const all = (query: string) => sqlite.prepare(query).all() as Row[];
  const timestamps = sqliteTimestampColumns();
  try {
    const listed = all("select name, type from pragma_table_list where schema = 'main' and name <> 'sqlite_schema'") as Array<{ name: string }>;
    const ignored = listed.map((t) => t.name).filter((name) => KNOWN_DIFFERENCES.sqliteOnlyTables.includes(name));
    const names = listed.map((t) => t.name).filter((name) => !ignored.includes(name)).sort();
    const definition = (type: string, name: string) =>
      (sqlite.prepare('select sql from sqlite_master where type = ? and name = ?').get(type, name) as { sql: string | null } | undefined)?.sql ?? null;
    const shape: Shape = { tables: {}, indexes: [], foreignKeys: [], triggers: [] };
    for (const table of names) {
      const createTable = definition('table', table)!;
      expect(createTable, `${table} declares no collation: every text column is BINARY`).not.toMatch(/\bCOLLATE\b/i);
      const info = all(`select * from pragma_table_info('${table}')`) as Array<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>;
      shape.tables[table] = {
        columns: info.map((c) => ({
          name: c.name,
          type: postgresTypeOf(table, c.name, c.type, timestamps),
          notNull: c.notnull === 1,
          default: c.dflt_value,
          identity: new RegExp(`[\`"]${c.name}[\`"] integer PRIMARY KEY AUTOINCREMENT`, 'i').test(createTable),
          collation: c.type.toLowerCase() === 'text' ? 'binary' : null,
        })),
        primaryKey: info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
      };
      for (const index of all(`select * from pragma_index_list('${table}')`) as Array<{ name: string; unique: number; origin: string; partial: number }>) {
        if (index.origin === 'pk') continue;
        const createIndex = definition('index', index.name);
        const items = createIndex ? indexItems(createIndex) : [];
        const keys = (all(`select * from pragma_index_xinfo('${index.name}') where key = 1 order by seqno`) as Array<{ seqno: number; cid: number; name: string | null }>).map(
          // cid -2: an expression, which only the CREATE INDEX text holds
          (key) => (key.cid === -2 ? normaliseExpression(items[key.seqno]!) : key.name!),
        );
        const where = index.partial && createIndex ? createIndex.slice(createIndex.search(/\sWHERE\s/i) + 7) : null;
        shape.indexes.push({ name: index.name, table, keys, unique: index.unique === 1, where: normaliseWhere(where, table) });
      }
      const keys = all(`select * from pragma_foreign_key_list('${table}') order by id, seq`) as Array<{ id: number; table: string; from: string; to: string; on_delete: string; on_update: string }>;
      for (const id of new Set(keys.map((k) => k.id))) {
        const parts = keys.filter((k) => k.id === id);
        shape.foreignKeys.push({
          table,
          columns: parts.map((k) => k.from),
          references: parts[0]!.table,
          referencedColumns: parts.map((k) => k.to),
          onDelete: parts[0]!.on_delete.toLowerCase(),
          onUpdate: parts[0]!.on_update.toLowerCase(),
        });
      }
    }
    for (const trigger of all("select name, tbl_name, sql from sqlite_master where type = 'trigger'") as Array<{ name: string; tbl_name: string; sql: string }>) {
      const [, timing, event] = /\b(BEFORE|AFTER|INSTEAD OF)\s+(INSERT|UPDATE|DELETE)\b/i.exec(trigger.sql)!;
      shape.triggers.push({ name: trigger.name, table: trigger.tbl_name, timing: timing!.toUpperCase(), event: event!.toUpperCase() });
    }
    return { shape: normalise(shape), ignored };
  } finally {
    sqlite.close();
  }
}

async function postgresShape(
  db: PgDb,
): Promise<{ shape: Shape; extraTables: string[]; searchTables: string[]; sequences: string[]; functions: string[] }> {
  const rows = async (query: string) => (await db.$client.query(query)).rows as Row[];
  const publicTables = (await rows("select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'")).map(
    (r) => r.table_name as string,
  );
  // search's own tables, with their indexes and foreign keys, are not compared
  const searchTables = publicTables.filter((table) => KNOWN_DIFFERENCES.postgresSearchTables.includes(table)).sort();
  const tables = publicTables.filter((table) => !searchTables.includes(table));
  const extraTables = (
    await rows("select table_schema || '.' || table_name as name from information_schema.tables where table_schema not in ('public', 'pg_catalog', 'information_schema')")
  ).map((r) => r.name as string);
  const shape: Shape = { tables: {}, indexes: [], foreignKeys: [], triggers: [] };
  const columns = await rows(`
    select table_name, column_name, data_type, datetime_precision, is_nullable, column_default, is_identity, identity_generation, collation_name
    from information_schema.columns where table_schema = 'public' order by table_name, ordinal_position`);
  const indexes = await rows(`
    select i.relname as name, t.relname as table, x.indisunique as unique, x.indisprimary as primary,
      pg_get_expr(x.indpred, x.indrelid, true) as where,
      array(select pg_get_indexdef(x.indexrelid, k, true) from generate_series(1, x.indnkeyatts) as k order by k)::text[] as keys
    from pg_index x
    join pg_class i on i.oid = x.indexrelid
    join pg_class t on t.oid = x.indrelid
    join pg_namespace n on n.oid = t.relnamespace
    where n.nspname = 'public'`);
  for (const table of tables) {
    const primary = indexes.find((index) => index.table === table && index.primary);
    shape.tables[table] = {
      columns: columns
        .filter((c) => c.table_name === table)
        .map((c) => ({
          name: c.column_name as string,
          type: c.data_type === 'timestamp with time zone' ? `timestamp(${c.datetime_precision}) with time zone` : (c.data_type as string),
          notNull: c.is_nullable === 'NO',
          default: normaliseDefault(c.column_default as string | null),
          // BY DEFAULT: ids given explicitly (a copied site) are kept, as SQLite keeps them
          identity: c.is_identity === 'YES' && c.identity_generation === 'BY DEFAULT',
          collation: c.data_type === 'text' ? (c.collation_name === 'C' ? 'binary' : `${String(c.collation_name ?? 'the database default')}`) : null,
        })),
      primaryKey: (primary?.keys as string[] | undefined) ?? [],
    };
  }
  for (const index of indexes) {
    if (index.primary || searchTables.includes(index.table as string)) continue;
    shape.indexes.push({
      name: index.name as string,
      table: index.table as string,
      keys: (index.keys as string[]).map((key) => (/^\w+$/.test(key) ? key : normaliseExpression(key))),
      unique: index.unique as boolean,
      where: normaliseWhere(index.where as string | null, index.table as string),
    });
  }
  const actions: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };
  const foreignKeys = await rows(`
    select t.relname as table, r.relname as references, con.confdeltype, con.confupdtype,
      array(select a.attname from unnest(con.conkey) with ordinality as k(attnum, ord)
            join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.ord)::text[] as columns,
      array(select a.attname from unnest(con.confkey) with ordinality as k(attnum, ord)
            join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.ord)::text[] as referenced
    from pg_constraint con
    join pg_class t on t.oid = con.conrelid
    join pg_class r on r.oid = con.confrelid
    join pg_namespace n on n.oid = t.relnamespace
    where con.contype = 'f' and n.nspname = 'public'`);
  for (const key of foreignKeys) {
    if (searchTables.includes(key.table as string)) continue;
    shape.foreignKeys.push({
      table: key.table as string,
      columns: key.columns as string[],
      references: key.references as string,
      referencedColumns: key.referenced as string[],
      onDelete: actions[key.confdeltype as string]!,
      onUpdate: actions[key.confupdtype as string]!,
    });
  }
  const triggers = await rows(`
    select trigger_name, event_object_table, action_timing, event_manipulation, action_orientation
    from information_schema.triggers where trigger_schema = 'public'`);
  for (const trigger of triggers) {
    // SQLite has only row triggers; PostgreSQL's move the versions once a statement (drizzle/pg/0007),
    // with the same meaning: a statement that writes no row moves nothing (src/db/postgres.test.ts)
    expect(trigger.action_orientation, trigger.trigger_name as string).toBe('STATEMENT');
    shape.triggers.push({
      name: trigger.trigger_name as string,
      table: trigger.event_object_table as string,
      timing: trigger.action_timing as string,
      event: trigger.event_manipulation as string,
    });
  }
  const sequences = (await rows("select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'S' and n.nspname = 'public' order by 1")).map(
    (r) => r.relname as string,
  );
  const functions = (
    await rows("select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' order by 1")
  ).map((r) => r.proname as string);
  return { shape: normalise(shape), extraTables, searchTables, sequences, functions };
}

function normalise(shape: Shape): Shape {
  return {
    // column order is not compared: SQLite's ALTER TABLE ADD puts new columns last, and queries name them
    tables: Object.fromEntries(
      Object.entries(shape.tables)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, table]) => [name, { ...table, columns: byName(table.columns) }]),
    ),
    indexes: byName(shape.indexes),
    foreignKeys: byTableAndColumns(shape.foreignKeys),
    triggers: byName(shape.triggers),
  };
}

/** What `drizzle-kit generate` would write now into a copy of `folder` (nothing, if the migrations are up to date). */
function pendingMigrations(dialect: 'sqlite' | 'postgresql', schema: string, folder: string): string[] {
  // drizzle-kit takes `out` relative to the working directory; .quire/ is ignored by git
  const scratch = path.join('.quire', `drift-${process.pid}-${randomBytes(4).toString('hex')}`);
  const copy = path.join(scratch, 'migrations');
  fs.mkdirSync(copy, { recursive: true });
  try {
    for (const entry of fs.readdirSync(path.join(ROOT, folder), { withFileTypes: true })) {
      if (entry.isFile()) fs.copyFileSync(path.join(ROOT, folder, entry.name), path.join(ROOT, copy, entry.name));
    }
    fs.cpSync(path.join(ROOT, folder, 'meta'), path.join(ROOT, copy, 'meta'), { recursive: true });
    const before = new Set(fs.readdirSync(path.join(ROOT, copy)));
    fs.writeFileSync(path.join(ROOT, scratch, 'config.ts'), `export default ${JSON.stringify({ dialect, schema, out: `./${copy}` })};\n`);
    const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/drizzle-kit/bin.cjs'), 'generate', '--config', path.join(scratch, 'config.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      // a rename makes drizzle-kit ask a question: better a failure than a hang
      timeout: 60_000,
    });
    // drizzle-kit exits 0 even when it fails: its output says
    expect(result.stdout + result.stderr, 'drizzle-kit generate').toMatch(/No schema changes|Your SQL migration file/);
    return fs.readdirSync(path.join(ROOT, copy)).filter((name) => !before.has(name));
  } finally {
    fs.rmSync(path.join(ROOT, scratch), { recursive: true, force: true });
  }
}

describe('the SQLite and PostgreSQL schemas', () => {
  it('are the same tables, columns, types, keys, indexes and triggers, through the type mapping', async () => {
    const sqlite = sqliteShape();
    const db = await createPostgresTestDb();
    try {
      const postgres = await postgresShape(db);
      // the known differences are still true (a list that no longer matches fails too)
      expect(sqlite.ignored.sort()).toEqual(KNOWN_DIFFERENCES.sqliteOnlyTables);
      expect(postgres.extraTables.sort()).toEqual(KNOWN_DIFFERENCES.postgresOnlyTables);
      expect(postgres.searchTables).toEqual(KNOWN_DIFFERENCES.postgresSearchTables);
      expect(postgres.sequences).toEqual(KNOWN_DIFFERENCES.postgresSequences);
      expect(postgres.functions).toEqual(KNOWN_DIFFERENCES.postgresFunctions);
      for (const column of KNOWN_DIFFERENCES.bigintOnPostgres) {
        const [table, name] = column.split('.');
        expect(postgres.shape.tables[table!]?.columns.find((c) => c.name === name)?.type, column).toBe('bigint');
      }
      // piece by piece first, so a failure names what differs
      expect(Object.keys(postgres.shape.tables)).toEqual(Object.keys(sqlite.shape.tables));
      for (const table of Object.keys(sqlite.shape.tables)) expect(postgres.shape.tables[table], table).toEqual(sqlite.shape.tables[table]);
      expect(postgres.shape.indexes).toEqual(sqlite.shape.indexes);
      expect(postgres.shape.foreignKeys).toEqual(sqlite.shape.foreignKeys);
      expect(postgres.shape.triggers).toEqual(sqlite.shape.triggers);
      expect(postgres.shape).toEqual(sqlite.shape);
      // and the comparison is not empty
      expect(Object.keys(sqlite.shape.tables)).toHaveLength(25);
      expect(sqlite.shape.indexes.length).toBeGreaterThan(10);
      expect(sqlite.shape.triggers).toHaveLength(31);
    } finally {
      await closePostgres(db);
    }
  });

  it('are what each engine\'s migrations build: drizzle-kit has nothing left to generate', () => {
    expect(pendingMigrations('sqlite', './src/db/schema.ts', 'drizzle')).toEqual([]);
    expect(pendingMigrations('postgresql', './src/db/schema.pg.ts', 'drizzle/pg')).toEqual([]);
  });
});

type Versions = { content: number; comments: number; perArticle: Array<[number, number]> };

/** What moved from each reading of the versions to the next: content, comments, which articles' versions. */
function movesOf(seen: Versions[]): string[] {
  return seen.slice(1).map((now, i) => {
    const before = seen[i]!;
    const articles = new Set([...before.perArticle, ...now.perArticle].map(([id]) => id));
    const version = (of: Versions, id: number) => of.perArticle.find(([article]) => article === id)?.[1];
    const moved = [
      now.content !== before.content ? 'content' : '',
      now.comments !== before.comments ? 'comments' : '',
      ...[...articles].sort().filter((id) => version(now, id) !== version(before, id)).map((id) => `article ${id}${version(now, id) === undefined ? ' forgotten' : ''}`),
    ].filter(Boolean);
    return moved.length === 0 ? 'nothing' : moved.join(', ');
  });
}

/**
 * Writes of every kind readers see, then the versions (src/cache/): the same on both engines.
 * The PostgreSQL database and tables stand behind SQLite's types, as tablesOf(db) will hand them.
 */
async function versionsAfterEachWrite(db: Db, t: typeof sqliteSchema): Promise<Versions[]> {
  const at = new Date('2026-01-02T03:04:05.678Z');
  const seen: Versions[] = [];
  const versions = async () => {
    const [cache] = await db.select().from(t.cacheVersions);
    const perArticle = await db.select().from(t.commentVersions).orderBy(t.commentVersions.articleId);
    seen.push({ content: cache!.content, comments: cache!.comments, perArticle: perArticle.map((row) => [row.articleId, row.version] as [number, number]) });
  };
  const user = (id: number) => ({ id, username: `u${id}`, email: `u${id}@example.com`, passwordHash: 'x', createdAt: at, updatedAt: at });
  const article = (id: number, authorId: number) => ({ id, slug: `a${id}`, title: 'T', description: 'D', body: 'B', authorId, createdAt: at, updatedAt: at, publishedAt: at });
  const comment = (id: number, articleId: number) => ({ id, body: 'c', articleId, authorId: 2, createdAt: at, updatedAt: at });
  const steps: Array<() => Promise<unknown>> = [
    async () => db.insert(t.users).values([user(1), user(2)]),
    async () => db.update(t.users).set({ bio: 'hello' }).where(eq(t.users.id, 1)),
    async () => db.insert(t.articles).values([article(1, 1), article(2, 1)]),
    async () => db.insert(t.tags).values({ id: 1, name: 'ts' }),
    async () => db.insert(t.articleTags).values({ articleId: 1, tagId: 1, position: 0, publishedAt: at }),
    async () => db.insert(t.favorites).values({ userId: 2, articleId: 1, createdAt: at }),
    async () => db.insert(t.follows).values({ followerId: 2, followedId: 1, createdAt: at }),
    async () => db.insert(t.sessions).values({ id: 's', secretHash: Buffer.alloc(32), userId: 2, createdAt: at, lastSeenAt: at, expiresAt: at }),
    async () => db.update(t.sessions).set({ lastSeenAt: at }).where(eq(t.sessions.id, 's')),
    async () => db.update(t.articles).set({ title: 'none' }).where(eq(t.articles.id, -1)),
    async () => db.insert(t.comments).values([comment(1, 1), comment(2, 2), comment(3, 2)]),
    async () => db.update(t.comments).set({ body: 'edited' }).where(eq(t.comments.id, 1)),
    async () => db.delete(t.comments).where(eq(t.comments.id, 2)),
    async () => db.delete(t.favorites).where(eq(t.favorites.userId, 2)),
    async () => db.delete(t.follows).where(eq(t.follows.followerId, 2)),
    async () => db.update(t.articleTags).set({ position: 1 }),
    async () => db.delete(t.articles).where(eq(t.articles.id, 1)),
    async () => db.delete(t.users).where(eq(t.users.id, 2)),
    async () => db.delete(t.tags).where(eq(t.tags.id, 1)),
  ];
  await versions();
  for (const step of steps) {
    await step();
    await versions();
  }
  return seen;
}

describe('the cache triggers', () => {
  it('move the same versions on both engines, write after write', async () => {
    const sqlite = openDatabase(':memory:');
    const postgres = await createPostgresTestDb();
    try {
      const onSqlite = await versionsAfterEachWrite(sqlite, sqliteSchema);
      const onPostgres = await versionsAfterEachWrite(postgres as unknown as Db, pgSchema as unknown as typeof sqliteSchema);
      // the same versions move at the same writes: SQLite's row triggers move them once a row
      // written (cascades too), PostgreSQL's once a statement (drizzle/pg/0007)
      expect(movesOf(onPostgres)).toEqual(movesOf(onSqlite));
      expect(onSqlite.at(-1)).toEqual({ content: 17, comments: 8, perArticle: [[2, 4]] });
      // article 1's comment version went with it on both
      expect(onPostgres.at(-1)).toMatchObject({ perArticle: [[2, expect.any(Number)]] });
      expect(movesOf(onSqlite).filter((move) => move === 'nothing')).toHaveLength(3);
    } finally {
      sqlite.$client.close();
      await closePostgres(postgres);
    }
  });
});
