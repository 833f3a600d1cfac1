/**
 * Rate limits and throttles in PostgreSQL's tables (rate_limit_buckets, throttle_counters), so that
 * every node behind a load balancer spends from the same buckets and counts the same failures,
 * with no server but the database. What the memory stores of src/security/rate-limit.ts do, with
 * the same arithmetic, each step one statement:
 *
 * - a bucket is spent by one `insert ... on conflict do update ... where <enough tokens>`: the row
 *   is locked while it is refilled, checked and spent, so concurrent requests on any node queue on
 *   it and each sees the tokens the one before left; no row back means refused;
 * - a sign-in attempt is reserved on all its keys (address and email) by one statement: nothing
 *   when one of them is backing off, else one failure more on each, each row checked again once
 *   locked (an attempt that slipped in between is met there, and the keys it did take are given back).
 *
 * These statements run on the pool, each its own transaction: never inside a use case's
 * transaction (a limit is spent even when the write then fails, and must not wait for
 * pgTransaction's writer lock), and they take no lock but their own rows'. Rows are locked in key
 * order (every email key sorts before every address key), so two attempts never wait on each other
 * in a cycle. Times are the injected clock's, as in memory; a node whose clock is behind the
 * others' neither refills nor ages a row backwards.
 */
import { eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../db/client';
import { preparedQuery, readRows, runSql } from '../db/engine';
import {
  FORGET_FAILURES_AFTER_MS,
  type BucketPolicy,
  type BucketStore,
  type Decision,
  type ThrottledKey,
  type ThrottleOutcome,
  type ThrottleStore,
} from './rate-limit';

/** A timestamptz column or expression as milliseconds since the epoch (float8, exact for whole ms). */
const ms = (value: SQLWrapper) => sql`(extract(epoch from ${value}) * 1000)::float8`;
/** Milliseconds since the epoch as a timestamptz. */
const at = (millis: SQLWrapper | number) => sql`(timestamptz 'epoch' + (${millis})::float8 * interval '1 millisecond')`;

/**
 * The spending statement, prepared once per connection. Placeholders: key, cost, capacity, rate
 * (tokens per ms) and now (ms). A bucket refills linearly up to its capacity since it was last
 * spent; what is left after spending `cost`, and when it will be full again, are written back.
 */
const spendStatement = (db: Db) =>
  preparedQuery(db, 'rate-limit-spend', ({ rateLimitBuckets: buckets }) => {
    const float = (name: string) => sql`${sql.placeholder(name)}::float8`;
    const [cost, capacity, rate, now] = [float('cost'), float('capacity'), float('rate'), float('now')];
    const refilled = sql`least(${capacity}, ${buckets.tokens} + greatest(0, ${now} - ${ms(buckets.updatedAt)}) * ${rate})`;
    const left = sql`(${refilled} - ${cost})`;
    const since = sql`greatest(${ms(buckets.updatedAt)}, ${now})`;
    return db
      .insert(buckets)
      .values({
        key: sql.placeholder('key') as unknown as string,
        tokens: sql`${capacity} - ${cost}`,
        updatedAt: at(now),
        fullAt: at(sql`${now} + ${cost} / ${rate}`),
      })
      .onConflictDoUpdate({
        target: buckets.key,
        set: {
          tokens: left,
          updatedAt: at(since),
          fullAt: at(sql`${since} + (${capacity} - ${left}) / ${rate}`),
        },
        setWhere: sql`${refilled} >= ${cost}`,
      })
      .returning({ tokens: buckets.tokens });
  });

/** A refused key's bucket as it stands, to say how long until it holds enough. */
const bucketStatement = (db: Db) =>
  preparedQuery(db, 'rate-limit-bucket', ({ rateLimitBuckets: buckets }) =>
    db
      .select({ tokens: buckets.tokens, updatedAtMs: sql<number>`${ms(buckets.updatedAt)}` })
      .from(buckets)
      .where(eq(buckets.key, sql.placeholder('key'))),
  );

/** Token buckets in rate_limit_buckets: MemoryBucketStore's, shared by every node. */
export class PostgresBucketStore implements BucketStore {
  constructor(private readonly db: Db) {}

  async consume(key: string, cost: number, policy: BucketPolicy, now: number): Promise<Decision> {
    const rate = policy.capacity / policy.refillMs;
    // multiplied, not divided by the rate, as MemoryBucketStore does (a second too many otherwise)
    const wait = (tokens: number) => Math.ceil(((cost - tokens) * policy.refillMs) / policy.capacity);
    if (cost > policy.capacity) return { allowed: false, retryAfterMs: wait(policy.capacity) };
    const spent = await spendStatement(this.db).rows({ key, cost, capacity: policy.capacity, rate, now });
    if (spent.length > 0) return { allowed: true };
    const bucket = await bucketStatement(this.db).row({ key });
    // gone since (forgotten as full): the refusal stands, for the shortest wait
    if (!bucket) return { allowed: false, retryAfterMs: 0 };
    const tokens = Math.min(policy.capacity, bucket.tokens + Math.max(0, now - bucket.updatedAtMs) * rate);
    return { allowed: false, retryAfterMs: wait(tokens) };
  }
}

type ReserveRow = { outcome: 'blocked' | 'reserved'; key: string; until: number; started: number | null };

const rowKey = ({ throttle, key }: ThrottledKey) => `${throttle}:${key}`;

/** Throttle counters in throttle_counters: MemoryThrottleStore's, shared by every node. */
export class PostgresThrottleStore implements ThrottleStore {
  constructor(private readonly db: Db) {}

  async reserve(keys: readonly ThrottledKey[], timeoutsMs: readonly number[], now: number): Promise<ThrottleOutcome> {
    // each key once; the statement takes their rows in order (`order by k`), as every attempt does
    const sorted = [...new Set(keys.map(rowKey))].sort();
    // a counter whose last failure is this old, or whose failures were all taken back, starts over
    const fresh = sql`(c.failures = 0 or c.last_failure_at <= ${at(now - FORGET_FAILURES_AFTER_MS)})`;
    const failures = sql`(case when ${fresh} then 1 else c.failures + 1 end)`;
    // after the n-th failure, the n-th timeout (the last one for every failure after it; PostgreSQL's
    // arrays count from 1). An array is bound as one parameter: a bare one in a template is a list.
    const timeouts = sql`(${sql.param([...timeoutsMs])}::float8[])`;
    const rows = await readRows<ReserveRow>(
      this.db,
      sql`
        with blocked as (
          select key, ${ms(sql`blocked_until`)} as until from throttle_counters
          where key = any(${sql.param(sorted)}::text[]) and blocked_until > ${at(now)}
        ),
        reserved as (
          insert into throttle_counters as c (key, failures, blocked_until, last_failure_at, started_at)
          select k, 1, ${at(now + (timeoutsMs[0] ?? 0))}, ${at(now)}, ${at(now)}
          from unnest(${sql.param(sorted)}::text[]) as k
          where not exists (select 1 from blocked)
          order by k
          on conflict (key) do update set
            failures = ${failures},
            blocked_until = ${at(now)} + ${timeouts}[least(${failures}, ${timeoutsMs.length})] * interval '1 millisecond',
            last_failure_at = excluded.last_failure_at,
            started_at = case when ${fresh} then excluded.started_at else c.started_at end
          where c.blocked_until <= ${at(now)}
          returning c.key, ${ms(sql`c.blocked_until`)} as until, ${ms(sql`c.started_at`)} as started
        )
        select 'blocked' as outcome, key, until, null::float8 as started from blocked
        union all
        select 'reserved', key, until, started from reserved`,
    );
    const reserved = rows.filter((row) => row.outcome === 'reserved');
    if (reserved.length === sorted.length) return { allowed: true, release: () => this.release(reserved, now) };

    // refused: a key was backing off, or became so while this statement waited for its row (the
    // keys it did take are given back, as if it had been refused before taking any)
    if (reserved.length > 0) await this.release(reserved, now);
    const until = new Map(rows.filter((row) => row.outcome === 'blocked').map((row) => [row.key, row.until]));
    if (until.size === 0) {
      const current = await readRows<{ key: string; until: number }>(
        this.db,
        sql`select key, ${ms(sql`blocked_until`)} as until from throttle_counters where key = any(${sql.param(sorted)}::text[])`,
      );
      for (const row of current) until.set(row.key, row.until);
    }
    // the first key backing off, in the order given (the address before the email), as in memory
    const first = keys.find((key) => (until.get(rowKey(key)) ?? 0) > now) ?? keys.find((key) => !reserved.some((row) => row.key === rowKey(key)))!;
    return { allowed: false, throttle: first.throttle, retryAfterMs: Math.max(0, (until.get(rowKey(first)) ?? now) - now) };
  }

  /**
   * The reserved attempt succeeded: each key's count is taken back, and the wait it set undone
   * if no later attempt has lengthened it since (restored to the reservation's time: the key was
   * not backing off then). A counter forgotten and started over since is left alone.
   */
  private async release(reserved: readonly ReserveRow[], reservedAt: number): Promise<void> {
    // one statement per row, each its own transaction: no lock is held while waiting for another
    await Promise.all(
      reserved.map((row) =>
        runSql(
          this.db,
          sql`
            update throttle_counters set
              failures = greatest(0, failures - 1),
              blocked_until = case when ${ms(sql`blocked_until`)} = ${row.until}::float8 then ${at(reservedAt)} else blocked_until end
            where key = ${row.key} and ${ms(sql`started_at`)} = ${row.started}::float8`,
        ),
      ),
    );
  }
}

/** How many rows forgetSpentLimits() deletes per statement: no long lock, no huge transaction. */
const FORGET_BATCH = 5_000;

/**
 * Deletes buckets that are full again and counters past FORGET_FAILURES_AFTER_MS (or all taken
 * back), in batches. Rows another statement holds are skipped (a spend or reservation in flight
 * keeps its row; the next run gets it), so this never waits on, or deadlocks with, a request.
 */
export async function forgetSpentLimitsOnPostgres(db: Db, now: number): Promise<{ buckets: number; throttles: number }> {
  const forget = async (table: SQL, spent: SQL) => {
    let total = 0;
    for (;;) {
      const rows = await readRows<{ key: string }>(
        db,
        sql`delete from ${table} where key in (select key from ${table} where ${spent} limit ${FORGET_BATCH} for update skip locked) returning key`,
      );
      total += rows.length;
      if (rows.length < FORGET_BATCH) return total;
    }
  };
  return {
    buckets: await forget(sql`rate_limit_buckets`, sql`full_at <= ${at(now)}`),
    throttles: await forget(
      sql`throttle_counters`,
      sql`blocked_until <= ${at(now)} and (failures = 0 or last_failure_at <= ${at(now - FORGET_FAILURES_AFTER_MS)})`,
    ),
  };
}
