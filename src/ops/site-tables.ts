/**
 * What `quire copy` (src/ops/copy-site.ts) copies, in which order, and how a row is compared
 * between the engines.
 *
 * The plan is read from the SQLite schema (src/db/schema.ts), which src/db/schema-parity.test.ts
 * keeps in step with PostgreSQL's: a table added there is copied without a change here, after the
 * tables its foreign keys point to. Not copied:
 * - DERIVED_TABLES, which say what the site's own caches were computed from (src/cache/): they
 *   stay with the nodes that hold those caches. The destination's row is moved forward instead;
 *   and the limits' counters (src/security/limits-postgres.ts), budgets spent and sign-in failures
 *   where the site ran: they start afresh on the destination, as they do when a server restarts;
 * - the search index (FTS5's articles_fts, PostgreSQL's article_search): each engine's own, built
 *   again on the destination from the articles;
 * - drizzle's migrations table: the destination is migrated by this build before the copy.
 *
 * A row is compared as `canonicalRow` writes it: its values in the schema's column order, as
 * Drizzle reads them on either engine (a timestamp as a Date, a blob as bytes), made plain: a
 * date as its milliseconds, bytes as base64. The same rows read from SQLite and from PostgreSQL
 * give the same text, so a checksum over them in primary-key order says the copy is exact.
 */
import { createHash, type Hash } from 'node:crypto';
import { getTableColumns, getTableName, is, type Column } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Tables } from '../db/engine';
import * as schema from '../db/schema';

/** Not copied: what the site's caches were computed from, and the limits' counters (see the top of this file). */
export const DERIVED_TABLES: ReadonlyMap<string, string> = new Map([
  ['cache_versions', 'not copied: moved forward on the destination, so nothing it cached before is served'],
  ['comment_versions', "not copied: the versions of the source's caches; the destination starts its own"],
  ['rate_limit_buckets', 'not copied: rate limits spent where the site ran; they start afresh'],
  ['throttle_counters', 'not copied: sign-in failures counted where the site ran; they start afresh'],
]);

/** A table to copy: its key in the schema modules (`tablesOf(db)[key]`), SQL name and primary key. */
export type CopiedTable = {
  key: keyof Tables;
  name: string;
  /** the primary key's properties in the row objects Drizzle reads, in the key's order */
  primaryKey: string[];
  /** every column's property, in the schema's order: how canonicalRow lists a row's values */
  columns: string[];
  /** the property of an id the database hands out (SQLite AUTOINCREMENT, PostgreSQL identity), if any */
  identity: string | null;
  /** the SQL names of that id column */
  identityColumn: string | null;
};

function propertyOf(table: SQLiteTable, column: Column): string {
  const entry = Object.entries(getTableColumns(table)).find(([, candidate]) => candidate === column);
  if (!entry) throw new Error(`column ${column.name} is not in ${getTableName(table)}`);
  return entry[0];
}

function describe(key: keyof Tables, table: SQLiteTable): CopiedTable {
  const config = getTableConfig(table);
  const columns = Object.keys(getTableColumns(table));
  const single = config.columns.filter((column) => column.primary);
  const primaryColumns = single.length > 0 ? single : (config.primaryKeys[0]?.columns ?? []);
  if (primaryColumns.length === 0) throw new Error(`${config.name} has no primary key: quire copy pages through tables by it`);
  const identityColumn = single.length === 1 && (single[0] as { autoIncrement?: boolean }).autoIncrement ? single[0]! : null;
  return {
    key,
    name: config.name,
    primaryKey: primaryColumns.map((column) => propertyOf(table, column)),
    columns,
    identity: identityColumn ? propertyOf(table, identityColumn) : null,
    identityColumn: identityColumn?.name ?? null,
  };
}

/**
 * The tables `quire copy` copies, each after every table its foreign keys point to, by name
 * otherwise (a module's exports have no order to rely on: Node lists them sorted, Vite as written).
 */
export function copiedTables(): CopiedTable[] {
  const tables = (Object.entries(schema) as Array<[string, unknown]>)
    .filter(([, value]) => is(value, SQLiteTable))
    .map(([key, value]) => [key as keyof Tables, value as SQLiteTable] as const)
    .sort(([, a], [, b]) => (getTableName(a) < getTableName(b) ? -1 : 1));
  const pending = tables.filter(([, table]) => !DERIVED_TABLES.has(getTableName(table)));
  const names = new Set(pending.map(([, table]) => getTableName(table)));
  const done = new Set<string>();
  const ordered: CopiedTable[] = [];
  while (pending.length > 0) {
    const index = pending.findIndex(([, table]) =>
      getTableConfig(table).foreignKeys.every((fk) => {
        const target = getTableName(fk.reference().foreignTable);
        return target === getTableName(table) || done.has(target) || !names.has(target);
      }),
    );
    if (index < 0) throw new Error(`the foreign keys of ${pending.map(([, t]) => getTableName(t)).join(', ')} form a cycle`);
    const [key, table] = pending.splice(index, 1)[0]!;
    done.add(getTableName(table));
    ordered.push(describe(key, table));
  }
  return ordered;
}

/** A value as canonicalRow writes it: the same for what either engine reads. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    // JSON columns: keys sorted, as an engine may keep them in another order
    const object = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(object)
        .sort()
        .map((key) => [key, plain(object[key])]),
    );
  }
  return value;
}

/** One row as text, its values in the schema's column order (see the top of this file). */
export function canonicalRow(table: CopiedTable, row: Record<string, unknown>): string {
  return JSON.stringify(table.columns.map((column) => plain(row[column])));
}

/** Rows counted and hashed in the order they are added. */
export class TableChecksum {
  rows = 0;
  private readonly hash: Hash = createHash('sha256');

  add(text: string): void {
    this.rows++;
    this.hash.update(text);
    this.hash.update('\n');
  }

  /** The sha256 of every row's text, each followed by a newline (hex). */
  digest(): string {
    return this.hash.digest('hex');
  }
}
