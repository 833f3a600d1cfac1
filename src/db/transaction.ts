/*
 * Transactions on one connection, with asynchronous work inside them.
 *
 * Every query function is async (so another engine can stand behind the same functions), and a
 * use case's transaction may await between its statements. better-sqlite3 has one connection per
 * database and no isolation between the callers of that connection: a statement run by another
 * request while a transaction is open would join it (and be rolled back with it) or read its
 * uncommitted rows. So on this connection:
 *
 * - `transaction(db, work)` opens one transaction at a time (`BEGIN IMMEDIATE`, so it holds the
 *   write lock from the start: no "database is locked" halfway), hands `work` a handle of its own,
 *   and commits when `work` resolves or rolls back when it throws;
 * - every query function starts with `await idle(db)`, which returns at once on a transaction's own
 *   handle or when none is open, and otherwise waits until the open one has ended. Requests that
 *   only read never wait on each other.
 *
 * A transaction inside another (a query function that writes atomically, called by a use case's
 * transaction) simply joins it.
 *
 * On PostgreSQL a pool has no shared connection to guard: `idle()` resolves at once and `isBusy()`
 * is false. Its `transaction()` (SERIALIZABLE, retried on serialization failures, so use cases keep
 * SQLite's one-writer-at-a-time meaning, with an advisory lock) is src/db/postgres.ts's.
 */
import { sql } from 'drizzle-orm';
import type { Db } from './client';
import { engineOf, readRow } from './engine';
import type { PgDb, PgTx } from './postgres';

type Gate = { ended: Promise<void> | null };

const gates = new WeakMap<object, Gate>();
const handles = new WeakSet<object>();

function gateOf(db: Db): Gate {
  let gate = gates.get(db.$client);
  if (!gate) {
    gate = { ended: null };
    gates.set(db.$client, gate);
  }
  return gate;
}

const inside = (db: Db) => handles.has(db);

/** Whether another caller's transaction is open on this connection now (the early cache check asks). */
export function isBusy(db: Db): boolean {
  return !inside(db) && engineOf(db) === 'sqlite' && gateOf(db).ended !== null;
}

/** Resolves when `db` may run statements: at once on a transaction's handle or when none is open. */
export async function idle(db: Db): Promise<void> {
  if (inside(db) || engineOf(db) === 'postgres') return;
  const gate = gateOf(db);
  while (gate.ended) await gate.ended;
}

/** Runs `work` in one transaction on `db`'s connection; see the top of this file. */
export async function transaction<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  if (inside(db)) return work(db);
  if (engineOf(db) === 'postgres') {
    // loaded with the engine: a SQLite site never loads node-postgres
    const { pgTransaction } = await import('./postgres');
    return pgTransaction(db as unknown as PgDb, work as unknown as (tx: PgTx) => Promise<T>);
  }
  const gate = gateOf(db);
  while (gate.ended) await gate.ended;
  let end!: () => void;
  gate.ended = new Promise((resolve) => (end = resolve));
  // the same database and schema, marked as this transaction's: its queries need not wait
  const tx = Object.create(db) as Db;
  handles.add(tx);
  const sqlite = db.$client;
  try {
    sqlite.prepare('BEGIN IMMEDIATE').run();
    const result = await work(tx);
    sqlite.prepare('COMMIT').run();
    return result;
  } catch (error) {
    if (sqlite.inTransaction) sqlite.prepare('ROLLBACK').run();
    throw error;
  } finally {
    handles.delete(tx);
    gate.ended = null;
    end();
  }
}

/** Whether the database answers a real query: what /healthz reports. */
export async function answers(db: Db): Promise<boolean> {
  if (engineOf(db) === 'postgres') {
    const { pgAnswers } = await import('./postgres');
    return pgAnswers(db as unknown as PgDb);
  }
  try {
    await idle(db);
    await readRow(db, sql`select 1`);
    return true;
  } catch {
    return false;
  }
}

/** Advisory lock keys of the jobs only one node runs at a time (PostgreSQL's int8 keys; "QUJ" and a number). */
export const ONE_NODE_JOBS = { backups: 0x5155_4a01, cleanups: 0x5155_4a02, mail: 0x5155_4a03 } as const;
export type OneNodeJob = keyof typeof ONE_NODE_JOBS;

/**
 * Runs scheduled work (`job`) on one node at a time: on PostgreSQL under a session advisory lock,
 * skipped (`{ ran: false }`) while another node holds it; on SQLite at once, as one server serves
 * one file (the start-up lock).
 */
export async function onOneNode<T>(db: Db, job: OneNodeJob, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  if (engineOf(db) === 'postgres') {
    const { pgOnOneNode } = await import('./postgres');
    return pgOnOneNode(db as unknown as PgDb, ONE_NODE_JOBS[job], work);
  }
  return { ran: true, value: await work() };
}
