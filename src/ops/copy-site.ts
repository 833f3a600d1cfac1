/**
 * `quire copy`: a whole site from one database to another, SQLite to PostgreSQL or back (or to the
 * same engine), verified.
 *
 * - The source is read in one snapshot (SQLite: one read transaction; PostgreSQL: one REPEATABLE
 *   READ, READ ONLY transaction), so a site may keep serving while it is copied: what it writes
 *   meanwhile is simply not in the copy. It must be migrated by this build, no more and no less.
 * - The destination is migrated first and must hold no site: the copy refuses a table with rows
 *   (there is no "replace": drop and create the database, or remove the file, and copy again). All
 *   of it is written in one transaction: a copy that fails leaves the destination as it was.
 * - Tables go in the order of their foreign keys (src/ops/site-tables.ts), read in pages by
 *   primary key and written a page at a time, so memory holds one page whatever the site's size.
 *   Ids are copied; the next id each table hands out is the source's (the highest ever given, as
 *   SQLite's AUTOINCREMENT and PostgreSQL's identity keep it), so no id is ever given twice.
 * - The search index is each engine's own: it is built on the destination from the articles and
 *   the body text the source indexed them with. What the source's caches were computed from is
 *   not copied; the destination's versions are moved forward once.
 * - Then the destination is read back in a snapshot of its own: every table's rows are counted and
 *   hashed as they were at the source (canonicalRow, in primary-key order), and so is the index.
 *
 * On PostgreSQL the destination's own triggers (the cache versions', drizzle/pg/0001) are disabled
 * during the copy, inside its transaction: each would update the one cache_versions row once per
 * row copied, and PostgreSQL walks every earlier version of a row updated again in the same
 * transaction (20 000 tags took 8.1 s with them, 0.1 s without).
 */
import fs from 'node:fs';
import path from 'node:path';
import { eq, getTableColumns, gt, inArray, sql, type Column, type SQL } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { BUSY_TIMEOUT_MS, openDatabase, openSqlite, wrapDatabase, type Db } from '../db/client';
import { closeDatabase, engineOf, readRow, runSql, tablesOf, type Engine } from '../db/engine';
import { transaction } from '../db/transaction';
import { loadMarkdown, renderBody, type Markdown } from '../lib/markdown';
import { runtime } from '../runtime';
import { searchEngineOf } from '../search/queries';
import { acquireServerLock, OperationError } from './backup';
import { canonicalRow, copiedTables, DERIVED_TABLES, TableChecksum, type CopiedTable } from './site-tables';

/** Where a site is: a SQLite file, or a PostgreSQL database. */
export type SiteLocation = { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string };

/** Rows read and written at a time (fewer for a table with many columns: see pageSize). */
export const COPY_PAGE_ROWS = 500;
/** Bound parameters per statement: SQLite allows 32 766, PostgreSQL 65 535. */
const MAX_PARAMETERS = 30_000;

/** `postgres://` and `postgresql://` URLs are PostgreSQL databases; anything else is a SQLite file. */
export function siteLocation(text: string): SiteLocation {
  return /^postgres(ql)?:\/\//i.test(text) ? { engine: 'postgres', url: text } : { engine: 'sqlite', path: text };
}

/** How messages name a location: the file, or the URL without its password. */
export function locationLabel(location: SiteLocation): string {
  if (location.engine === 'sqlite') return location.path;
  try {
    const url = new URL(location.url);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'a PostgreSQL URL that does not parse';
  }
}

function sameDatabase(a: SiteLocation, b: SiteLocation): boolean {
  if (a.engine === 'sqlite' && b.engine === 'sqlite') return path.resolve(a.path) === path.resolve(b.path);
  if (a.engine === 'postgres' && b.engine === 'postgres') {
    const [x, y] = [new URL(a.url), new URL(b.url)];
    return x.hostname === y.hostname && (x.port || '5432') === (y.port || '5432') && x.pathname === y.pathname && x.search === y.search;
  }
  return false;
}

export const ENGINE_NAMES: Record<Engine, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** A database read in one snapshot, on one connection of its own. */
type Snapshot = { db: Db; close(): Promise<void> };

/** Refuses a database this build has not migrated exactly: its tables would not be the ones copied. */
function assertCurrentMigrations(applied: string[], migrationsFolder: string, label: string): void {
  const known = readMigrationFiles({ migrationsFolder }).map((migration) => migration.hash);
  const appliedSet = new Set(applied);
  if (applied.some((hash) => !known.includes(hash))) {
    throw new OperationError(`${label} was migrated by a newer version of Quire: copy it with that version.`);
  }
  const missing = known.filter((hash) => !appliedSet.has(hash)).length;
  if (missing > 0) {
    throw new OperationError(
      `${label} lacks ${missing} migration${missing === 1 ? '' : 's'} of this version of Quire: run this version on it first (quire migrate), or copy it with the version it runs.`,
    );
  }
}

async function openSqliteSnapshot(file: string, label: string): Promise<Snapshot> {
  if (!fs.existsSync(file)) throw new OperationError(`There is no database at ${file}`);
  const sqlite = openSqlite(file, { fileMustExist: true });
  try {
    // a site may be checkpointing its WAL: wait rather than fail; and this connection never writes
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqlite.pragma('query_only = ON');
    sqlite.exec('BEGIN');
    // the first read opens the snapshot every later read of the copy sees
    let applied: string[];
    try {
      applied = sqlite.prepare('select hash from __drizzle_migrations').pluck().all() as string[];
    } catch {
      throw new OperationError(`${label} is not a Quire database`);
    }
    assertCurrentMigrations(applied, runtime().migrationsFolder, label);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  return {
    db: wrapDatabase(sqlite),
    close: async () => {
      sqlite.close(); // ends the read transaction
    },
  };
}

async function openPostgresSnapshot(url: string, label: string): Promise<Snapshot> {
  // loaded here: a SQLite site never loads node-postgres
  const { openPostgres } = await import('../db/postgres');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const schema = await import('../db/schema.pg');
  const pool = (await openPostgres(url, { migrate: false, max: 1 })).$client;
  let client;
  try {
    client = await pool.connect();
  } catch (error) {
    await pool.end();
    throw new OperationError(`Cannot connect to ${label}: ${(error as Error).message}`);
  }
  try {
    await client.query('begin isolation level repeatable read read only');
    const table = await client.query<{ name: string | null }>(`select to_regclass('drizzle.__drizzle_migrations')::text as name`);
    if (!table.rows[0]?.name) throw new OperationError(`${label} is not a Quire database`);
    const applied = await client.query<{ hash: string }>('select hash from drizzle.__drizzle_migrations');
    assertCurrentMigrations(
      applied.rows.map((row) => row.hash),
      runtime().pgMigrationsFolder,
      label,
    );
  } catch (error) {
    client.release(true);
    await pool.end();
    throw error;
  }
  const connection = client;
  return {
    db: drizzle({ client: connection, schema }) as unknown as Db,
    close: async () => {
      await connection.query('rollback').catch(() => {});
      connection.release();
      await pool.end();
    },
  };
}

function openSnapshot(location: SiteLocation): Promise<Snapshot> {
  const label = locationLabel(location);
  return location.engine === 'sqlite' ? openSqliteSnapshot(location.path, label) : openPostgresSnapshot(location.url, label);
}

/** The destination, migrated, opened for writing; `close` also removes a SQLite file the copy created, when told. */
async function openDestination(location: SiteLocation): Promise<{ db: Db; close(failed: boolean): Promise<void> }> {
  if (location.engine === 'postgres') {
    const { openPostgres } = await import('../db/postgres');
    let db: Db;
    try {
      db = (await openPostgres(location.url, { max: 2 })) as unknown as Db;
    } catch (error) {
      if ((error as Error).name === 'DatabaseTooNewError') throw error;
      throw new OperationError(`Cannot open ${locationLabel(location)}: ${(error as Error).message}`);
    }
    return { db, close: () => closeDatabase(db) };
  }
  const file = location.path;
  const existed = fs.existsSync(file);
  // no server may start on the file while it is being filled (and none may be running on it)
  const releaseLock = acquireServerLock(file);
  let db: Db;
  try {
    db = openDatabase(file);
  } catch (error) {
    releaseLock();
    throw error;
  }
  return {
    db,
    close: async (failed) => {
      await closeDatabase(db, { checkpoint: true });
      if (failed && !existed) for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(file + suffix, { force: true });
      releaseLock();
    },
  };
}

type Row = Record<string, unknown>;

const tableOf = (db: Db, table: CopiedTable) => tablesOf(db)[table.key] as unknown as SQLiteTable;

/** Rows per page for a table: COPY_PAGE_ROWS, or fewer where its columns would pass the parameter limit. */
function pageSize(table: CopiedTable, pageRows: number): number {
  return Math.max(1, Math.min(pageRows, Math.floor(MAX_PARAMETERS / table.columns.length)));
}

/** Rows after `last` in primary-key order (a composite key compared as a row value). */
function after(columns: Column[], last: unknown[]): SQL {
  if (columns.length === 1) return gt(columns[0]!, last[0]);
  const values = last.map((value, i) => sql.param(value, columns[i]!));
  return sql`(${sql.join(columns, sql`, `)}) > (${sql.join(values, sql`, `)})`;
}

/** Every row of `table`, a page at a time in primary-key order, handed to `each`. */
async function readPages(db: Db, table: CopiedTable, pageRows: number, each: (rows: Row[]) => Promise<void>): Promise<void> {
  const source = tableOf(db, table);
  const columns = getTableColumns(source);
  const key = table.primaryKey.map((property) => columns[property]!);
  const limit = pageSize(table, pageRows);
  let last: unknown[] | null = null;
  for (;;) {
    const rows = (await db
      .select()
      .from(source)
      .where(last ? after(key, last) : undefined)
      .orderBy(...key)
      .limit(limit)) as Row[];
    if (rows.length === 0) return;
    await each(rows);
    if (rows.length < limit) return;
    const end = rows[rows.length - 1]!;
    last = table.primaryKey.map((property) => end[property]);
  }
}

/** PostgreSQL's text cannot hold U+0000; Quire keeps it out (src/lib/text.ts), a database from before may not. */
function refuseNul(table: CopiedTable, rows: Row[]): void {
  for (const row of rows) {
    for (const [column, value] of Object.entries(row)) {
      if (typeof value === 'string' && value.includes('\u0000')) {
        const key = table.primaryKey.map((property) => `${property} ${String(row[property])}`).join(', ');
        throw new OperationError(
          `${table.name} (${key}) holds U+0000 in ${column}, which PostgreSQL's text cannot store: remove it at the source and copy again.`,
        );
      }
    }
  }
}

/** The highest id the source's table has handed out (SQLite's sqlite_sequence, PostgreSQL's sequence): 0 if none. */
async function highestIdGiven(db: Db, table: CopiedTable): Promise<number> {
  const row =
    engineOf(db) === 'sqlite'
      ? await readRow<{ seq: number }>(db, sql`select seq from sqlite_sequence where name = ${table.name}`)
      : await readRow<{ seq: number | null }>(
          db,
          sql`select pg_sequence_last_value(pg_get_serial_sequence(${`"${table.name}"`}, ${table.identityColumn})) as seq`,
        );
  return Number(row?.seq ?? 0);
}

/** The destination's table hands out ids after `highest`. */
async function continueIdsAfter(tx: Db, table: CopiedTable, highest: number): Promise<void> {
  if (engineOf(tx) === 'postgres') {
    const sequence = sql`pg_get_serial_sequence(${`"${table.name}"`}, ${table.identityColumn})`;
    await runSql(tx, sql`select setval(${sequence}, ${Math.max(highest, 1)}, ${highest > 0})`);
    return;
  }
  if (highest === 0) return;
  await runSql(tx, sql`insert into sqlite_sequence (name, seq) select ${table.name}, 0 where not exists (select 1 from sqlite_sequence where name = ${table.name})`);
  await runSql(tx, sql`update sqlite_sequence set seq = max(seq, ${highest}) where name = ${table.name}`);
}

/** The checksum of the search index: each article's id and indexed body text, by id. */
const SEARCH_INDEX = 'search index';

/**
 * Each article's id, title, description and tags (in order), a page at a time by id, with the
 * body text its index holds (or, for an article the index lacks, its body rendered again).
 */
async function readIndexedArticles(
  db: Db,
  pageRows: number,
  each: (articles: Array<{ id: number; title: string; description: string; tagList: string[]; text: string | null }>) => Promise<void>,
): Promise<void> {
  const { articles, articleTags, tags } = tablesOf(db);
  let last = 0;
  for (;;) {
    const page = await db
      .select({ id: articles.id, title: articles.title, description: articles.description })
      .from(articles)
      .where(gt(articles.id, last))
      .orderBy(articles.id)
      .limit(pageRows);
    if (page.length === 0) return;
    const ids = page.map((article) => article.id);
    const tagRows = await db
      .select({ articleId: articleTags.articleId, name: tags.name })
      .from(articleTags)
      .innerJoin(tags, sql`${tags.id} = ${articleTags.tagId}`)
      .where(inArray(articleTags.articleId, ids))
      .orderBy(articleTags.articleId, articleTags.position);
    const tagLists = new Map<number, string[]>();
    for (const row of tagRows) tagLists.set(row.articleId, [...(tagLists.get(row.articleId) ?? []), row.name]);
    const texts = await searchEngineOf(db).indexedBodies(db, ids);
    await each(page.map((article) => ({ ...article, tagList: tagLists.get(article.id) ?? [], text: texts.get(article.id) ?? null })));
    if (page.length < pageRows) return;
    last = ids[ids.length - 1]!;
  }
}

export type TableReport = { name: string; rows: number; source: string; destinationRows: number; destination: string };
export type CopyReport = {
  from: string;
  to: string;
  tables: TableReport[];
  /** tables not copied, and why */
  skipped: Array<{ name: string; reason: string }>;
  /** rows written (the search index's included), and the time the copy took (reading back not included) */
  rows: number;
  copyMs: number;
  verifyMs: number;
};

export type CopyOptions = {
  pageRows?: number;
  /** called when a table is copied (and awaited) */
  progress?: (table: string, rows: number) => void | Promise<void>;
};

/** Copies the site at `from` into the empty database at `to`, then reads it back and compares (see the top of this file). */
export async function copySite(from: SiteLocation, to: SiteLocation, options: CopyOptions = {}): Promise<CopyReport> {
  const pageRows = options.pageRows ?? COPY_PAGE_ROWS;
  if (sameDatabase(from, to)) throw new OperationError('The source and the destination are the same database.');
  const tables = copiedTables();
  const started = performance.now();
  const source = await openSnapshot(from);
  let sourceSums: Map<string, TableChecksum>;
  try {
    const destination = await openDestination(to);
    let failed = true;
    try {
      sourceSums = await transaction(destination.db, (tx) => copyInto(source.db, tx, tables, pageRows, options.progress, locationLabel(to)));
      failed = false;
    } finally {
      await destination.close(failed);
    }
  } finally {
    await source.close();
  }
  const copyMs = performance.now() - started;

  const verifyStarted = performance.now();
  const destinationSums = await checksums(to, tables, pageRows);
  const report: CopyReport = {
    from: locationLabel(from),
    to: locationLabel(to),
    tables: [...tables.map((table) => table.name), SEARCH_INDEX].map((name) => {
      const [a, b] = [sourceSums.get(name)!, destinationSums.get(name)!];
      return { name, rows: a.rows, source: a.digest(), destinationRows: b.rows, destination: b.digest() };
    }),
    skipped: [...DERIVED_TABLES].map(([name, reason]) => ({ name, reason })),
    rows: [...sourceSums.values()].reduce((sum, checksum) => sum + checksum.rows, 0),
    copyMs,
    verifyMs: performance.now() - verifyStarted,
  };
  return report;
}

/** The copy itself, inside the destination's transaction: what copySite's top comment says. */
async function copyInto(
  source: Db,
  tx: Db,
  tables: CopiedTable[],
  pageRows: number,
  progress: CopyOptions['progress'],
  label: string,
): Promise<Map<string, TableChecksum>> {
  const sums = new Map<string, TableChecksum>();
  const toPostgres = engineOf(tx) === 'postgres';
  const occupied: string[] = [];
  for (const table of tables) {
    const rows = await tx.select({ one: sql`1` }).from(tableOf(tx, table)).limit(1);
    if (rows.length > 0) occupied.push(table.name);
  }
  if (occupied.length > 0) {
    throw new OperationError(
      `${label} already holds a site (rows in ${occupied.join(', ')}): quire copy only fills an empty database. ` +
        'Copy into a new database (createdb) or file, or empty this one first.',
    );
  }
  if (toPostgres) for (const table of tables) await runSql(tx, sql`alter table ${tableOf(tx, table)} disable trigger user`);

  for (const table of tables) {
    const sum = new TableChecksum();
    const target = tableOf(tx, table);
    let highestCopied = 0;
    await readPages(source, table, pageRows, async (rows) => {
      if (toPostgres) refuseNul(table, rows);
      for (const row of rows) sum.add(canonicalRow(table, row));
      await tx.insert(target).values(rows as never);
      if (table.identity) highestCopied = Number(rows[rows.length - 1]![table.identity]);
    });
    if (table.identity) await continueIdsAfter(tx, table, Math.max(highestCopied, await highestIdGiven(source, table)));
    sums.set(table.name, sum);
    await progress?.(table.name, sum.rows);
  }

  const index = searchEngineOf(tx);
  const sum = new TableChecksum();
  let markdown: Markdown | null = null;
  await readIndexedArticles(source, pageRows, async (articles) => {
    for (const article of articles) {
      // an article the source's index lacks is indexed as saving it would: its body rendered
      let text = article.text;
      if (text === null) {
        markdown ??= await loadMarkdown();
        const { articles } = tablesOf(source);
        const [row] = await source.select({ body: articles.body }).from(articles).where(eq(articles.id, article.id));
        text = renderBody(markdown, row!.body).text;
      }
      await index.index(tx, article.id, article, text);
      sum.add(JSON.stringify([article.id, text]));
    }
  });
  sums.set(SEARCH_INDEX, sum);
  await progress?.(SEARCH_INDEX, sum.rows);

  if (toPostgres) for (const table of tables) await runSql(tx, sql`alter table ${tableOf(tx, table)} enable trigger user`);
  // whatever a node cached from this database before is not current any more
  const { cacheVersions } = tablesOf(tx);
  await tx.update(cacheVersions).set({ content: sql`${cacheVersions.content} + 1`, comments: sql`${cacheVersions.comments} + 1` });
  return sums;
}

/** Every copied table's rows and the search index, counted and hashed as copyInto hashed the source's. */
async function checksums(location: SiteLocation, tables: CopiedTable[], pageRows: number): Promise<Map<string, TableChecksum>> {
  const snapshot = await openSnapshot(location);
  try {
    const sums = new Map<string, TableChecksum>();
    for (const table of tables) {
      const sum = new TableChecksum();
      await readPages(snapshot.db, table, pageRows, async (rows) => {
        for (const row of rows) sum.add(canonicalRow(table, row));
      });
      sums.set(table.name, sum);
    }
    const sum = new TableChecksum();
    await readIndexedArticles(snapshot.db, pageRows, async (articles) => {
      for (const article of articles) sum.add(JSON.stringify([article.id, article.text]));
    });
    sums.set(SEARCH_INDEX, sum);
    return sums;
  } finally {
    await snapshot.close();
  }
}

/** Whether every table (and the index) has the same rows at both ends. */
export function copyMatches(report: CopyReport): boolean {
  return report.tables.every((table) => table.rows === table.destinationRows && table.source === table.destination);
}

/** The report as the command prints it: a table of counts and checksums, then the tables not copied. */
export function formatCopyReport(report: CopyReport): string {
  const header = ['table', 'rows', 'source sha256', 'destination', ''];
  const lines = report.tables.map((table) => {
    const same = table.rows === table.destinationRows && table.source === table.destination;
    const rows = table.rows === table.destinationRows ? String(table.rows) : `${table.rows} -> ${table.destinationRows}`;
    return [table.name, rows, table.source.slice(0, 16), table.destination.slice(0, 16), same ? 'ok' : 'DIFFERS'];
  });
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...lines.map((line) => line[i]!.length)));
  widths[0] = Math.max(widths[0]!, ...report.skipped.map((table) => table.name.length));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 1 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const skipped = report.skipped.map((table) => `${table.name.padEnd(widths[0]!)}  ${table.reason}`);
  return [format(header), ...lines.map(format), ...skipped].join('\n');
}

