/**
 * The bench's datasets on PostgreSQL: seeded into SQLite by ./seed.ts (the same rows, the same
 * sessions and tokens), then copied table by table into a database on a PostgreSQL server, with
 * the search index built as the app builds it (src/search/engine-postgres.ts) from the text FTS5
 * holds, and the statistics PostgreSQL plans by gathered (`vacuum analyze`).
 *
 * The server: BENCH_POSTGRES_URL (a server of your own: the harness makes its databases there
 * and drops them at the end), or a throwaway cluster (src/test-support/postgres-cluster.ts) pinned
 * to the server's CPU, whose processes' CPU time the harness reads, since on PostgreSQL a part of
 * each request's work is done there.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { getTableName, is, sql, type DrizzleEntityClass, type Table } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import pgDriver from 'pg';
import { openDatabase, type Db } from '../../src/db/client';
import { closeDatabase } from '../../src/db/engine';
import { openPostgres, type PgDb } from '../../src/db/postgres';
import * as sqliteSchema from '../../src/db/schema';
import * as pgSchema from '../../src/db/schema.pg';
import { postgresSearch } from '../../src/search/engine-postgres';
import { databaseUrl, startPostgresCluster, type PostgresCluster } from '../../src/test-support/postgres-cluster';
import { canPin, CLOCK_TICKS, HarnessError, SERVER_CPU } from './servers';

const BATCH_ROWS = 500;
/** The migration made its one row; a copied one would collide with it. */
const NOT_COPIED = new Set(['cache_versions']);

export type BenchPostgres = {
  /** a new, empty database on the server: its URL */
  createDatabase(name: string): Promise<string>;
  /** CPU time (user + system) of every process of the cluster so far, in ms; null when the server is not ours */
  cpuMs: (() => number) | null;
  /** what the run records about the server */
  describe: string;
  /** moves the cluster's processes to `cpus` (taskset's list); nothing when the server is not ours */
  pin(cpus: string): void;
  stop(): Promise<void>;
};

/** BENCH_POSTGRES_URL's server, or a throwaway cluster pinned to the server's CPU. */
export async function startBenchPostgres(url = process.env.BENCH_POSTGRES_URL): Promise<BenchPostgres> {
  const cluster: PostgresCluster | null = url ? null : await startPostgresCluster({ maxConnections: 100 });
  const serverUrl = url ?? cluster!.url;
  const suffix = randomBytes(3).toString('hex');
  const made: string[] = [];
  const admin = async (statement: string) => {
    const client = new pgDriver.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(statement).finally(() => client.end());
  };
  const postmaster = cluster ? postmasterPid(cluster) : null;
  // the database shares the server's core, as SQLite does in the server's process; backends
  // started later are forked by the postmaster and inherit its CPU
  if (postmaster !== null && canPin) pinTree(postmaster, String(SERVER_CPU));
  return {
    async createDatabase(name) {
      const database = url ? `${name}_${suffix}` : name;
      await admin(`create database ${pgDriver.escapeIdentifier(database)}`);
      made.push(database);
      return databaseUrl(serverUrl, database);
    },
    cpuMs: postmaster === null ? null : () => clusterCpuMs(postmaster),
    pin(cpus) {
      if (postmaster !== null && canPin) pinTree(postmaster, cpus);
    },
    describe: cluster
      ? `throwaway PostgreSQL ${cluster.version} cluster (fsync off), ${canPin ? `pinned to CPU ${SERVER_CPU} with the server` : 'not pinned'}`
      : `BENCH_POSTGRES_URL's server (its CPU not measured)`,
    async stop() {
      if (cluster) return cluster.stop();
      for (const database of made) await admin(`drop database if exists ${pgDriver.escapeIdentifier(database)} with (force)`);
    },
  };
}

function postmasterPid(cluster: PostgresCluster): number {
  const pid = Number(fs.readFileSync(path.join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new HarnessError(`no postmaster pid in ${cluster.dir}`);
  return pid;
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function pinTree(pid: number, cpus: string): void {
  for (const each of [pid, ...childrenOf(pid)]) {
    try {
      execFileSync('taskset', ['-a', '-cp', cpus, String(each)], { stdio: 'ignore' });
    } catch {
      // a backend that just ended
    }
  }
}

/** /proc/<pid>/stat: utime, stime, cutime, cstime in ticks. */
function times(pid: number): number[] {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 15).map(Number);
  } catch {
    return [0, 0, 0, 0];
  }
}

/**
 * The cluster's CPU time: the postmaster's own and that of the backends it has reaped (cutime,
 * cstime), plus each live child's (connections of the pool, the checkpointer, the WAL writer...).
 */
export function clusterCpuMs(postmaster: number): number {
  const [utime = 0, stime = 0, cutime = 0, cstime = 0] = times(postmaster);
  let ticks = utime + stime + cutime + cstime;
  for (const child of childrenOf(postmaster)) {
    const [childUtime = 0, childStime = 0] = times(child);
    ticks += childUtime + childStime;
  }
  return (ticks * 1000) / CLOCK_TICKS;
}

const tablesByName = <T extends Table>(schema: Record<string, unknown>, kind: DrizzleEntityClass<T>) =>
  new Map(
    Object.values(schema)
      .filter((value): value is T => is(value, kind))
      .map((table) => [getTableName(table), table]),
  );

/**
 * Copies every table of the SQLite database at `file` into the freshly migrated PostgreSQL
 * database at `url` (rows as Drizzle maps them: timestamps as dates), with triggers and foreign
 * keys off while it does (session_replication_role), the identity columns' next values moved past
 * the copied ids, the search index built, and statistics gathered. Returns the rows copied per table.
 */
export async function copyToPostgres(file: string, url: string): Promise<Record<string, number>> {
  const sqlite = openDatabase(file);
  const pg = await openPostgres(url);
  const copied: Record<string, number> = {};
  try {
    const pgTables = tablesByName(pgSchema, PgTable);
    await pg.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      for (const [name, from] of tablesByName(sqliteSchema, SQLiteTable)) {
        if (NOT_COPIED.has(name)) continue;
        const to = pgTables.get(name);
        if (!to) throw new HarnessError(`table ${name} has no PostgreSQL twin in src/db/schema.pg.ts`);
        const rows = (await sqlite.select().from(from as typeof sqliteSchema.users)) as Array<Record<string, unknown>>;
        for (let i = 0; i < rows.length; i += BATCH_ROWS) await tx.insert(to).values(rows.slice(i, i + BATCH_ROWS));
        copied[name] = rows.length;
      }
      // ids were given: the identities' next values go past them
      const identities = await tx.execute<{ table_name: string; column_name: string }>(
        sql`select table_name, column_name from information_schema.columns where table_schema = current_schema() and is_identity = 'YES'`,
      );
      for (const { table_name: table, column_name: column } of identities.rows) {
        await tx.execute(
          sql`select setval(pg_get_serial_sequence(${`"${table}"`}, ${column}), (select coalesce(max(${sql.identifier(column)}), 0) + 1 from ${sql.identifier(table)}), false)`,
        );
      }
    });
    await indexForSearch(sqlite, pg);
    await pg.$client.query('vacuum analyze');
    return copied;
  } finally {
    await closeDatabase(sqlite);
    await closeDatabase(pg as unknown as Db);
  }
}

/** Articles indexed at once: the pool's connections work while this process makes the next vectors. */
const INDEXING_AT_ONCE = 8;

/** Each article indexed with the text FTS5 holds for it, as the app indexes a saved article. */
async function indexForSearch(sqlite: Db, pg: PgDb): Promise<void> {
  const indexed = sqlite.$client
    .prepare('select rowid as id, title, description, body, tags from articles_fts')
    .all() as Array<{ id: number; title: string; description: string; body: string; tags: string }>;
  let next = 0;
  const worker = async () => {
    while (next < indexed.length) {
      const row = indexed[next++]!;
      const fields = { title: row.title, description: row.description, tagList: row.tags.split(' ').filter(Boolean) };
      await postgresSearch.index(pg as unknown as Db, row.id, fields, row.body);
    }
  };
  await Promise.all(Array.from({ length: INDEXING_AT_ONCE }, worker));
}
