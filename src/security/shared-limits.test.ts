/**
 * The limits' stores in PostgreSQL (src/security/limits-postgres.ts) against the memory ones they
 * stand for: the same decisions, step by step; shared by two nodes (two pools on one database);
 * exact under concurrency; and forgotten once spent (forgetSpentLimits). These name their engine:
 * they run in every run of the suite.
 */
import { sql, type SQL } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../db/client';
import { readRows, tablesOf } from '../db/engine';
import { closePostgres, openPostgres, WRITER_LOCK_KEY, type PgDb } from '../db/postgres';
import { addComment } from '../comments/use-cases';
import { createTestCore, insertArticle, insertUser, testCaller, testEnv } from '../test-support';
import { createTestDb, type TestEngine } from '../test-support/db';
import { postgresTestDbUrl } from '../test-support/postgres';
import { forgetSpentLimits, limitStoresFor, Limits, TooManyRequests } from './limits';
import { PostgresBucketStore, PostgresThrottleStore } from './limits-postgres';
import {
  FORGET_FAILURES_AFTER_MS,
  MemoryBucketStore,
  MemoryThrottleStore,
  type BucketPolicy,
  type ThrottledKey,
  type ThrottleOutcome,
  type ThrottleStore,
} from './rate-limit';

const T0 = Date.UTC(2026, 0, 1);
const BACKOFF = [0, 1000, 2000, 4000, 8000];
const silent = () => {};

/** A small deterministic generator (mulberry32): the same steps every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pools opened by a test, standing for other nodes; closed after it, before its database is dropped. */
const otherNodes: PgDb[] = [];
afterEach(async () => {
  await Promise.all(otherNodes.splice(0).map(closePostgres));
});

/** Another node on the same PostgreSQL database as `db`: a pool of its own. */
async function otherNode(db: Db, max = 10): Promise<Db> {
  const node = await openPostgres(postgresTestDbUrl(db), { migrate: false, max });
  otherNodes.push(node);
  return node as unknown as Db;
}

describe('PostgreSQL buckets decide as the memory ones do', () => {
  it.each<[string, BucketPolicy]>([
    ['3 a minute', { capacity: 3, refillMs: 60_000 }],
    ['7 an hour', { capacity: 7, refillMs: 3_600_000 }],
    ['1 a second', { capacity: 1, refillMs: 1000 }],
  ])('step by step, refusals and waits alike (%s)', async (_, policy) => {
    const db = await createTestDb('postgres');
    const shared = new PostgresBucketStore(db);
    const memory = new MemoryBucketStore();
    const next = random(policy.capacity);
    let now = T0;
    for (let step = 0; step < 150; step++) {
      const key = `k${Math.floor(next() * 3)}`;
      now += Math.floor(next() * next() * policy.refillMs);
      const expected = memory.consume(key, 1, policy, now);
      expect(await shared.consume(key, 1, policy, now), `step ${step}, ${key} at +${now - T0} ms`).toEqual(expected);
    }
  });

  it('refuses a cost larger than the capacity without a statement', async () => {
    const db = await createTestDb('postgres');
    const policy = { capacity: 2, refillMs: 60_000 };
    expect(await new PostgresBucketStore(db).consume('k', 3, policy, T0)).toEqual(new MemoryBucketStore().consume('k', 3, policy, T0));
  });
});

describe('PostgreSQL throttle counters decide as the memory ones do', () => {
  it('step by step: reservations, refusals, releases and forgetting', async () => {
    const db = await createTestDb('postgres');
    const shared = new PostgresThrottleStore(db);
    const memory = new MemoryThrottleStore();
    const next = random(42);
    const pending: Array<{ memory: ThrottleOutcome; shared: ThrottleOutcome }> = [];
    let now = T0;
    for (let step = 0; step < 200; step++) {
      now += next() < 0.05 ? FORGET_FAILURES_AFTER_MS : Math.floor(next() * 2500);
      if (pending.length > 0 && next() < 0.3) {
        // an attempt in flight succeeds: both take its count back
        const [attempt] = pending.splice(Math.floor(next() * pending.length), 1);
        if (attempt!.memory.allowed && attempt!.shared.allowed) {
          await attempt!.memory.release();
          await attempt!.shared.release();
        }
        continue;
      }
      const keys: ThrottledKey[] = [
        { throttle: 'signin-ip', key: `203.0.113.${Math.floor(next() * 2)}` },
        { throttle: 'signin-email', key: `user${Math.floor(next() * 3)}@example.com` },
      ];
      const attempt = { memory: memory.reserve(keys, BACKOFF, now), shared: await shared.reserve(keys, BACKOFF, now) };
      expect(withoutRelease(attempt.shared), `step ${step} at +${now - T0} ms`).toEqual(withoutRelease(attempt.memory));
      if (attempt.memory.allowed) pending.push(attempt);
    }
  });
});

const withoutRelease = (outcome: ThrottleOutcome) => (outcome.allowed ? { allowed: true } : outcome);

describe('limits shared by two nodes (two pools on one PostgreSQL database)', () => {
  const env = testEnv({ RATE_LIMIT_COMMENTS: '3/h' });

  it('spend from one bucket: what one node spent, the other refuses', async () => {
    const db = await createTestDb('postgres');
    const [a, b] = [new Limits(env, silent, limitStoresFor(db)), new Limits(env, silent, limitStoresFor(await otherNode(db)))];
    await a.enforce('comments', 7, T0);
    await b.enforce('comments', 7, T0);
    await a.enforce('comments', 7, T0);
    const refused = b.enforce('comments', 7, T0 + 1000);
    await expect(refused).rejects.toBeInstanceOf(TooManyRequests);
    // one token back after a third of the hour, less the second already waited
    await expect(refused).rejects.toMatchObject({ retryAfterSeconds: 20 * 60 - 1 });
    // another user's bucket is their own
    await b.enforce('comments', 8, T0);
    await a.enforce('comments', 7, T0 + 20 * 60_000);
  });

  it('count sign-in failures together: a back-off earned on one node holds on the other, and a success on either takes back its own', async () => {
    const db = await createTestDb('postgres');
    const [a, b] = [new Limits(testEnv(), silent, limitStoresFor(db)), new Limits(testEnv(), silent, limitStoresFor(await otherNode(db)))];
    await a.reserveSignin('203.0.113.1', 'alice@example.com', T0);
    const second = await b.reserveSignin('203.0.113.2', 'Alice@Example.com', T0);
    // the default back-off: the second failure of an email makes it wait a second, on every node
    await expect(a.reserveSignin('203.0.113.3', 'alice@example.com', T0)).rejects.toMatchObject({ retryAfterSeconds: 1 });
    await second.succeeded();
    const third = await a.reserveSignin('203.0.113.3', 'alice@example.com', T0);
    await expect(b.reserveSignin('203.0.113.4', 'alice@example.com', T0 + 999)).rejects.toBeInstanceOf(TooManyRequests);
    await third.succeeded();
    await (await b.reserveSignin('203.0.113.4', 'alice@example.com', T0 + 999)).succeeded();
  });

  it('count 20 concurrent sign-in attempts exactly, spread over both nodes', async () => {
    const db = await createTestDb('postgres');
    const stores = [new PostgresThrottleStore(db), new PostgresThrottleStore(await otherNode(db))];
    const keys = (i: number): ThrottledKey[] => [
      { throttle: 'signin-ip', key: `198.51.100.${i}` },
      { throttle: 'signin-email', key: 'alice@example.com' },
    ];
    const outcomes = await queuedBehind(
      db,
      sql`insert into throttle_counters values ('signin-email:alice@example.com', 0, 'epoch', 'epoch', 'epoch')`,
      () => Array.from({ length: 20 }, (_, i) => stores[i % 2]!.reserve(keys(i), BACKOFF, T0)),
    );
    // as one by one at one instant: the first failure waits 0 s, the second makes the next wait 1 s
    expect(outcomes.filter((outcome) => outcome.allowed)).toHaveLength(sequentialAllowance(new MemoryThrottleStore(), keys, 20));
    expect(outcomes.filter((outcome) => outcome.allowed)).toHaveLength(2);
    expect(outcomes.filter((outcome) => !outcome.allowed)).toEqual(Array(18).fill({ allowed: false, throttle: 'signin-email', retryAfterMs: 1000 }));
    const counters = await readRows<{ key: string; failures: number }>(db, sql`select key, failures from throttle_counters order by key`);
    // two failures on the email; one on each address let through, none left on those refused
    expect(counters.find((row) => row.key === 'signin-email:alice@example.com')?.failures).toBe(2);
    expect(counters.filter((row) => row.key.startsWith('signin-ip:')).reduce((sum, row) => sum + row.failures, 0)).toBe(2);
  });

  it('spend a bucket exactly under 20 concurrent requests on both nodes', async () => {
    const db = await createTestDb('postgres');
    const stores = [new PostgresBucketStore(db), new PostgresBucketStore(await otherNode(db))];
    const policy = { capacity: 5, refillMs: 3_600_000 };
    const decisions = await queuedBehind(
      db,
      sql`insert into rate_limit_buckets values ('comments:1', 5, ${new Date(T0)}, ${new Date(T0)})`,
      () => Array.from({ length: 20 }, (_, i) => stores[i % 2]!.consume('comments:1', 1, policy, T0)),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(5);
    expect(decisions.filter((decision) => !decision.allowed)).toEqual(Array(15).fill({ allowed: false, retryAfterMs: 720_000 }));
    const [row] = await readRows<{ tokens: number }>(db, sql`select tokens from rate_limit_buckets`);
    expect(row!.tokens).toBe(0);
  });

  it('are spent outside every transaction: a limit does not wait for the writer lock', async () => {
    const db = await createTestDb('postgres');
    const limits = new Limits(env, silent, limitStoresFor(db));
    // another node is writing (it holds the writer lock of pgTransaction) for as long as this test runs
    const writer = (await otherNode(db, 1)) as unknown as PgDb;
    await writer.execute(sql`select pg_advisory_lock(${WRITER_LOCK_KEY})`);
    await limits.enforce('comments', 1, T0);
    await (await limits.reserveSignin('203.0.113.9', 'bob@example.com', T0)).succeeded();
  });
});

describe('the limits\' tables on PostgreSQL', () => {
  it('are unlogged: rewritten on every limited request, and worth no write-ahead log (drizzle/pg/0006)', async () => {
    const db = await createTestDb('postgres');
    const tables = await readRows<{ relname: string; relpersistence: string }>(
      db,
      sql`select relname, relpersistence from pg_class where relname in ('rate_limit_buckets', 'throttle_counters') order by relname`,
    );
    expect(tables).toEqual([
      { relname: 'rate_limit_buckets', relpersistence: 'u' },
      { relname: 'throttle_counters', relpersistence: 'u' },
    ]);
  });
});

describe('a limited write on PostgreSQL', () => {
  it('spends its limit before its transaction: 12 comments at once on a pool of 4 connections all go through', async () => {
    // Were the limit spent inside the transaction, its statement would need a connection of its
    // own while every connection of the pool waits for the writer lock the transaction holds.
    const { core } = await createTestCore({ engine: 'postgres', env: { RATE_LIMIT_COMMENTS: '12/h' } });
    const author = await insertUser(core.db, 'author');
    const { slug } = await insertArticle(core.db, author.id, { title: 'Busy' });
    const caller = testCaller({ userId: author.id });
    const comments = await Promise.all(Array.from({ length: 12 }, (_, i) => addComment(core, caller, { slug, body: `Comment ${i}` })));
    expect(new Set(comments.map((comment) => comment.id)).size).toBe(12);
    await expect(addComment(core, caller, { slug, body: 'One too many' })).rejects.toBeInstanceOf(TooManyRequests);
  });
});

/**
 * Runs `attempts` while another transaction has inserted their row (`insert`) and not committed,
 * and commits it once every connection of both nodes' pools waits for it: each of those attempts
 * then took its snapshot before the row was there, and only what it checks on the locked row
 * itself keeps the count exact.
 */
async function queuedBehind<T>(db: Db, insert: SQL, attempts: () => Array<Promise<T>>): Promise<T[]> {
  // pools of one connection: each statement of the locker runs on the same connection, in its transaction
  const [locker, watcher] = [(await otherNode(db, 1)) as unknown as PgDb, (await otherNode(db, 1)) as unknown as PgDb];
  await locker.execute(sql`begin`);
  await locker.execute(insert);
  const running = Promise.all(attempts());
  // the 14 connections of both nodes' pools (4 and 10) all waiting for the row: asking, not sleeping
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await watcher.execute(
      sql`select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    const waiting = (rows[0] as { waiting: number }).waiting;
    if (waiting >= 14) break;
    if (Date.now() > deadline) throw new Error(`only ${waiting} attempts waited for the row`);
  }
  await locker.execute(sql`commit`);
  return running;
}

/** How many of `attempts` reservations of `keys(i)` at one instant, one after another, a store lets through. */
function sequentialAllowance(store: ThrottleStore, keys: (i: number) => ThrottledKey[], attempts: number): number {
  let allowed = 0;
  for (let i = 0; i < attempts; i++) {
    const outcome = store.reserve(keys(i), BACKOFF, T0) as ThrottleOutcome;
    if (outcome.allowed) allowed++;
  }
  return allowed;
}

describe.each<TestEngine>(['sqlite', 'postgres'])('forgetSpentLimits (%s)', (engine) => {
  it('deletes buckets full again and counters past the hour or all taken back, and keeps the rest', async () => {
    const db = await createTestDb(engine);
    const { rateLimitBuckets, throttleCounters } = tablesOf(db);
    const at = (ms: number) => new Date(T0 + ms);
    await db.insert(rateLimitBuckets).values([
      { key: 'comments:1', tokens: 3, updatedAt: at(-60_000), fullAt: at(-1) },
      { key: 'comments:2', tokens: 0.5, updatedAt: at(-60_000), fullAt: at(0) },
      { key: 'comments:3', tokens: 0.5, updatedAt: at(0), fullAt: at(1) },
    ]);
    const hour = FORGET_FAILURES_AFTER_MS;
    await db.insert(throttleCounters).values([
      // quiet for an hour: forgotten
      { key: 'signin-ip:old', failures: 5, blockedUntil: at(-hour + 8000), lastFailureAt: at(-hour), startedAt: at(-2 * hour) },
      // every failure taken back: nothing to remember
      { key: 'signin-ip:released', failures: 0, blockedUntil: at(-5), lastFailureAt: at(-5), startedAt: at(-5) },
      // recent: kept
      { key: 'signin-ip:recent', failures: 1, blockedUntil: at(-1), lastFailureAt: at(-hour + 1), startedAt: at(-hour + 1) },
      // all taken back but still waiting out a later one's wait: kept until it ends
      { key: 'signin-email:waiting', failures: 0, blockedUntil: at(1), lastFailureAt: at(-hour), startedAt: at(-hour) },
    ]);
    expect(await forgetSpentLimits(db, T0)).toEqual({ buckets: 2, throttles: 2 });
    expect((await db.select({ key: rateLimitBuckets.key }).from(rateLimitBuckets)).map((row) => row.key)).toEqual(['comments:3']);
    const kept = await db.select({ key: throttleCounters.key }).from(throttleCounters);
    expect(kept.map((row) => row.key).sort()).toEqual(['signin-email:waiting', 'signin-ip:recent']);
    expect(await forgetSpentLimits(db, T0)).toEqual({ buckets: 0, throttles: 0 });
  });
});

describe('forgetSpentLimits on what the PostgreSQL stores wrote', () => {
  it('forgets a bucket once it has refilled, and a counter an hour after its last failure, not before', async () => {
    const db = await createTestDb('postgres');
    const buckets = new PostgresBucketStore(db);
    const throttles = new PostgresThrottleStore(db);
    const policy = { capacity: 2, refillMs: 3_600_000 };
    await buckets.consume('comments:1', 1, policy, T0);
    await buckets.consume('comments:1', 1, policy, T0);
    const released = await throttles.reserve([{ throttle: 'signin-ip', key: 'a' }], BACKOFF, T0);
    if (released.allowed) await released.release();
    await throttles.reserve([{ throttle: 'signin-ip', key: 'b' }], BACKOFF, T0);

    // the released counter at once; the bucket, empty, needs the whole hour; the failure, an hour of quiet
    expect(await forgetSpentLimits(db, T0)).toEqual({ buckets: 0, throttles: 1 });
    expect(await forgetSpentLimits(db, T0 + 3_600_000 - 1)).toEqual({ buckets: 0, throttles: 0 });
    expect(await forgetSpentLimits(db, T0 + 3_600_000)).toEqual({ buckets: 1, throttles: 1 });
    // and what was forgotten starts over as new: a full bucket, a first failure
    expect(await buckets.consume('comments:1', 1, policy, T0 + 3_600_000)).toEqual({ allowed: true });
  });
});
