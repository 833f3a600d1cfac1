import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createTestDb, insertUser, testEngine } from '../test-support';
import { createUser } from '../users/queries';
import type { Db } from './client';
import {
  closeDatabase,
  engineOf,
  greatest,
  idListTable,
  idListValue,
  inIdList,
  preparedQuery,
  readRow,
  readRows,
  runSql,
  tablesOf,
  violatesUniqueIndex,
} from './engine';
import * as schema from './schema';
import * as pgSchema from './schema.pg';
import { transaction } from './transaction';

describe('engineOf and tablesOf', () => {
  it("tell the database's engine, and give its own schema", async () => {
    const db = await createTestDb();
    expect(engineOf(db)).toBe(testEngine());
    expect(tablesOf(db).users).toBe(testEngine() === 'postgres' ? pgSchema.users : schema.users);
    await transaction(db, async (tx) => {
      expect(engineOf(tx)).toBe(testEngine());
      expect(tablesOf(tx).users).toBe(tablesOf(db).users);
    });
  });
});

describe('readRows, readRow, runSql', () => {
  it('run a sql template for its rows, its first row, or its effect', async () => {
    const db = await createTestDb();
    await runSql(db, sql`insert into tags (name) values (${'one'}), (${'two'})`);
    expect(await readRows<{ name: string }>(db, sql`select name from tags order by name`)).toEqual([{ name: 'one' }, { name: 'two' }]);
    expect(await readRow<{ n: number }>(db, sql`select count(*) as n from tags`)).toEqual({ n: 2 });
    expect(await readRow(db, sql`select name from tags where name = ${'three'}`)).toBeUndefined();
  });

  // SQLite's one connection: a read made while another caller's transaction is open waits for its end
  it("wait while another caller's transaction is open, and never read its rows", async () => {
    const db = await createTestDb('sqlite');
    let release!: () => void;
    const paused = new Promise<void>((resolve) => (release = resolve));
    const tx = transaction(db, async (handle) => {
      await runSql(handle, sql`insert into tags (name) values ('uncommitted')`);
      await paused;
    });
    await Promise.resolve();
    const read = readRows<{ name: string }>(db, sql`select name from tags`);
    release();
    await tx;
    expect(await read).toEqual([{ name: 'uncommitted' }]);
  });

  // PostgreSQL's pool: a read made while another caller's transaction is open runs on a connection of
  // its own at once, and sees what was committed before (waiting, it would never let the transaction end)
  it("never wait for another caller's transaction, and never read its rows", async () => {
    const db = await createTestDb('postgres');
    let release!: () => void;
    const paused = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const inserted = new Promise<void>((resolve) => (written = resolve));
    const tx = transaction(db, async (handle) => {
      await runSql(handle, sql`insert into tags (name) values ('uncommitted')`);
      written();
      await paused;
    });
    await inserted;
    expect(await readRows<{ name: string }>(db, sql`select name from tags`)).toEqual([]);
    expect(await readRow(db, sql`select name from tags`)).toBeUndefined();
    release();
    await tx;
    expect(await readRows<{ name: string }>(db, sql`select name from tags`)).toEqual([{ name: 'uncommitted' }]);
  });
});

describe('preparedQuery', () => {
  const usernames = (db: Db, builds: { n: number }) =>
    preparedQuery(db, 'test-usernames', ({ users }) => {
      builds.n++;
      return db.select({ username: users.username }).from(users).where(eq(users.id, sql.placeholder('id')));
    });

  it('builds a query once per connection and key, and each database reads its own rows', async () => {
    const [one, two] = [await createTestDb(), await createTestDb()];
    const alice = await insertUser(one, 'alice');
    const builds = { n: 0 };
    expect(usernames(one, builds)).toBe(usernames(one, builds));
    expect(builds.n).toBe(1);
    expect(await usernames(one, builds).rows({ id: alice.id })).toEqual([{ username: 'alice' }]);
    expect(await usernames(one, builds).row({ id: alice.id })).toEqual({ username: 'alice' });
    expect(await usernames(two, builds).row({ id: alice.id })).toBeUndefined();
    expect(builds.n).toBe(2);
    expect(usernames(one, builds).getQuery().sql).toMatch(/^select "username" from "users"/);
  });

  it("shares the connection's query with a transaction's handle, which reads its own writes at once", async () => {
    const db = await createTestDb();
    const builds = { n: 0 };
    await transaction(db, async (tx) => {
      const bob = await insertUser(tx, 'bob');
      expect(await usernames(tx, builds).row({ id: bob.id })).toEqual({ username: 'bob' });
    });
    expect(await usernames(db, builds).rows({ id: 1 })).toEqual([{ username: 'bob' }]);
    // SQLite's statements belong to the one connection; PostgreSQL prepares per Drizzle session, the
    // transaction's connection and the pool's (one prepared on the pool would run outside the transaction)
    expect(builds.n).toBe(testEngine() === 'postgres' ? 2 : 1);
  });

  it('runs outside a transaction only once it has ended: a read awaited between writes sees them all or none', async () => {
    const db = await createTestDb('sqlite');
    const builds = { n: 0 };
    let release!: () => void;
    const paused = new Promise<void>((resolve) => (release = resolve));
    const tx = transaction(db, async (handle) => {
      await insertUser(handle, 'carol');
      await paused;
      await runSql(handle, sql`update users set username = 'carol2'`);
    });
    await Promise.resolve();
    const read = usernames(db, builds).rows({ id: 1 });
    release();
    await tx;
    expect(await read).toEqual([{ username: 'carol2' }]);
  });

  // on PostgreSQL the read does not wait (see readRows above): made between the writes, it sees none of them
  it('runs beside an open transaction: a read made between its writes sees none of them', async () => {
    const db = await createTestDb('postgres');
    const builds = { n: 0 };
    let release!: () => void;
    const paused = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const inserted = new Promise<void>((resolve) => (written = resolve));
    const tx = transaction(db, async (handle) => {
      await insertUser(handle, 'carol');
      written();
      await paused;
      await runSql(handle, sql`update users set username = 'carol2'`);
    });
    await inserted;
    expect(await usernames(db, builds).rows({ id: 1 })).toEqual([]);
    release();
    await tx;
    expect(await usernames(db, builds).rows({ id: 1 })).toEqual([{ username: 'carol2' }]);
  });

  it('runs writes, with and without returning', async () => {
    const db = await createTestDb();
    const insert = preparedQuery(db, 'test-insert-tag', ({ tags }) =>
      db.insert(tags).values({ name: sql.placeholder('name') }).returning({ id: tags.id }),
    );
    const remove = preparedQuery(db, 'test-delete-tag', ({ tags }) => db.delete(tags).where(eq(tags.name, sql.placeholder('name'))));
    expect(await insert.row({ name: 'x' })).toEqual({ id: 1 });
    expect(await insert.rows({ name: 'y' })).toEqual([{ id: 2 }]);
    await remove.execute({ name: 'x' });
    expect(await readRows(db, sql`select name from tags`)).toEqual([{ name: 'y' }]);
  });
});

describe('inIdList', () => {
  it('binds a list of ids as one parameter, inline or through a placeholder', async () => {
    const db = await createTestDb();
    await runSql(db, sql`insert into tags (name) values ('a'), ('b'), ('c')`);
    const { tags } = tablesOf(db);
    const names = async (ids: number[]) => (await db.select({ name: tags.name }).from(tags).where(inIdList(db, tags.id, ids)).orderBy(tags.id)).map((row) => row.name);
    expect(await names([1, 3])).toEqual(['a', 'c']);
    expect(await names([])).toEqual([]);
    const query = preparedQuery(db, 'test-tags-in', (t) => db.select({ name: t.tags.name }).from(t.tags).where(inIdList(db, t.tags.id, sql.placeholder('ids'))));
    expect(await query.rows({ ids: idListValue(db, [2]) })).toEqual([{ name: 'b' }]);
  });
});

describe('idListTable', () => {
  it('is the ids as a table with one column, value', async () => {
    const db = await createTestDb();
    await runSql(db, sql`insert into tags (name) values ('a'), ('b'), ('c')`);
    const { tags } = tablesOf(db);
    const rows = await db
      .select({ id: sql<number>`ids.value` })
      .from(idListTable(db, [3, 1, 7], 'ids'))
      .where(sql`exists(select 1 from ${tags} where ${tags.id} = ids.value)`);
    expect(rows.map((row) => row.id).sort()).toEqual([1, 3]);
  });
});

describe('greatest', () => {
  it('is the larger of two values', async () => {
    const db = await createTestDb();
    expect(await readRow(db, sql`select ${greatest(db, sql`2`, sql`5`)} as n`)).toEqual({ n: 5 });
  });
});

describe('violatesUniqueIndex', () => {
  it('names the unique index that refused a write, through the errors that wrap it', async () => {
    const db = await createTestDb();
    await insertUser(db, 'dora');
    const error = await createUser(db, { username: 'DORA', email: 'other@example.com', passwordHash: 'x' }, 0).catch((e: unknown) => e);
    expect(violatesUniqueIndex(error, 'users_username_lower_unique')).toBe(true);
    expect(violatesUniqueIndex(error, 'users_email_lower_unique')).toBe(false);
    expect(violatesUniqueIndex(new Error('other'), 'users_username_lower_unique')).toBe(false);
    // PostgreSQL's unique_violation, as node-postgres reports it
    const pg = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505', constraint: 'users_email_lower_unique' });
    expect(violatesUniqueIndex(new Error('Failed query', { cause: pg }), 'users_email_lower_unique')).toBe(true);
  });
});

describe('closeDatabase', () => {
  it('closes the connection', async () => {
    const db = await createTestDb();
    await closeDatabase(db);
    // better-sqlite3's connection, or node-postgres' pool
    if (testEngine() === 'postgres') expect((db.$client as unknown as { ended: boolean }).ended).toBe(true);
    else expect(db.$client.open).toBe(false);
    await expect(readRow(db, sql`select 1`)).rejects.toThrow();
  });
});
