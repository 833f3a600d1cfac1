import { describe, expect, it } from 'vitest';
import { createTestDb } from '../test-support';
import type { Db } from './client';
import { idle, isBusy, transaction } from './transaction';

const count = (db: Db) =>
  (db.$client.prepare('select count(*) as n from tags').get() as { n: number }).n;

/** A query function as the data layer writes them: it waits for other callers' transactions. */
async function countTags(db: Db): Promise<number> {
  await idle(db);
  return count(db);
}

describe('transaction()', () => {
  it("keeps other callers' queries out while it awaits, and lets them in with its rows committed", async () => {
    const db = await createTestDb();
    let release!: () => void;
    const paused = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const open = new Promise<void>((resolve) => (entered = resolve));
    const seen: string[] = [];
    const tx = transaction(db, async (handle) => {
      handle.$client.prepare("insert into tags (name) values ('one')").run();
      seen.push(`inside: ${await countTags(handle)}`);
      entered();
      await paused; // another request's turn comes while this transaction is open
      handle.$client.prepare("insert into tags (name) values ('two')").run();
    });
    await open;
    const outside = countTags(db).then((n) => seen.push(`outside: ${n}`));
    for (let turn = 0; turn < 10; turn++) await Promise.resolve(); // the outside query has every chance to run
    expect(isBusy(db)).toBe(true);
    expect(seen).toEqual(['inside: 1']);
    release();
    await Promise.all([tx, outside]);
    // the other caller ran after the commit and saw both rows, never one of them
    expect(seen).toEqual(['inside: 1', 'outside: 2']);
    expect(isBusy(db)).toBe(false);
  });

  it('rolls back when its work throws, and lets the next caller in', async () => {
    const db = await createTestDb();
    await expect(
      transaction(db, async (handle) => {
        handle.$client.prepare("insert into tags (name) values ('lost')").run();
        await Promise.resolve();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await countTags(db)).toBe(0);
    expect(db.$client.inTransaction).toBe(false);
  });

  it('runs one transaction at a time, in the order they were asked for', async () => {
    const db = await createTestDb();
    const order: string[] = [];
    const write = (name: string) =>
      transaction(db, async (handle) => {
        order.push(`begin ${name}`);
        await Promise.resolve();
        handle.$client.prepare('insert into tags (name) values (?)').run(name);
        order.push(`end ${name}`);
      });
    await Promise.all([write('a'), write('b')]);
    expect(order).toEqual(['begin a', 'end a', 'begin b', 'end b']);
    expect(await countTags(db)).toBe(2);
  });

  it('joins the transaction it is called in', async () => {
    const db = await createTestDb();
    await expect(
      transaction(db, async (outer) => {
        await transaction(outer, async (inner) => {
          inner.$client.prepare("insert into tags (name) values ('nested')").run();
        });
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    expect(await countTags(db)).toBe(0);
  });
});
