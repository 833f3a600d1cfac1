import { and, eq, lte, or } from 'drizzle-orm';
import { HTTPException } from 'hono/http-exception';
import type { Db } from '../db/client';
import { engineOf, tablesOf } from '../db/engine';
import { idle } from '../db/transaction';
import type { Env } from '../env';
import type { Log } from '../lib/logger';
import { forgetSpentLimitsOnPostgres, PostgresBucketStore, PostgresThrottleStore } from './limits-postgres';
import {
  FORGET_FAILURES_AFTER_MS,
  MemoryBucketStore,
  MemoryThrottleStore,
  RateLimiter,
  type BucketStore,
  type Decision,
  type ThrottleStore,
} from './rate-limit';
import type { LimitName } from './rates';

/** "Try again in 1 second." / "in 40 seconds." / "in 5 minutes.": the wait in words, rounded up. */
export function tryAgainIn(seconds: number): string {
  const [count, unit] = seconds < 120 ? [seconds, 'second'] : [Math.ceil(seconds / 60), 'minute'];
  return `Try again in ${count} ${unit}${count === 1 ? '' : 's'}.`;
}

/** 429 with Retry-After; rendered as a page or as JSON by the error handlers. */
export class TooManyRequests extends HTTPException {
  constructor(readonly retryAfterSeconds: number) {
    super(429, { message: `Too many requests. ${tryAgainIn(retryAfterSeconds)}` });
  }
}

/** A sign-in attempt that passed the throttle and counts as a failure until it is known to succeed. */
export type SigninAttempt = { succeeded(): Promise<void> };

const UNTHROTTLED: SigninAttempt = { succeeded: async () => {} };

/** The limits spent from shared stores; `global` is each node's own (Limits.enforceGlobal). */
export type SharedLimitName = Exclude<LimitName, 'global'>;

/** Where buckets and throttle counters are kept. */
export type LimitStores = { buckets: BucketStore; throttles: ThrottleStore };

/** This process's memory: one node (SQLite), and tests of the limits themselves. */
export function memoryLimitStores(): LimitStores {
  return { buckets: new MemoryBucketStore(), throttles: new MemoryThrottleStore() };
}

/**
 * The stores for a site on `db`: on PostgreSQL its tables, shared by every node behind the load
 * balancer; on SQLite (one process serves one file) memory, which costs no statement at all.
 */
export function limitStoresFor(db: Db): LimitStores {
  if (engineOf(db) === 'postgres') return { buckets: new PostgresBucketStore(db), throttles: new PostgresThrottleStore(db) };
  return memoryLimitStores();
}

/**
 * Deletes the limits' rows that no longer limit anyone (buckets full again, throttle counters past
 * FORGET_FAILURES_AFTER_MS or all taken back), so the tables do not grow with every address that
 * ever came: the scheduled clean-ups' `limits` task (src/ops/cleanups.ts). Safe while requests
 * spend limits. On SQLite the limits are in memory and the tables empty: nothing to delete.
 */
export async function forgetSpentLimits(db: Db, now: number): Promise<{ buckets: number; throttles: number }> {
  if (engineOf(db) === 'postgres') return forgetSpentLimitsOnPostgres(db, now);
  await idle(db);
  const { rateLimitBuckets, throttleCounters } = tablesOf(db);
  const buckets = await db.delete(rateLimitBuckets).where(lte(rateLimitBuckets.fullAt, new Date(now))).returning({ key: rateLimitBuckets.key });
  // again: a transaction may have opened on the connection meanwhile (src/db/transaction.ts)
  await idle(db);
  const throttles = await db
    .delete(throttleCounters)
    .where(
      and(
        lte(throttleCounters.blockedUntil, new Date(now)),
        or(eq(throttleCounters.failures, 0), lte(throttleCounters.lastFailureAt, new Date(now - FORGET_FAILURES_AFTER_MS))),
      ),
    )
    .returning({ key: throttleCounters.key });
  return { buckets: buckets.length, throttles: throttles.length };
}

/** Every limiter of the app, built from the environment; RATE_LIMITS=off turns them all off. */
export class Limits {
  readonly enabled: boolean;
  private readonly global: RateLimiter<MemoryBucketStore>;
  private readonly limiters: Record<SharedLimitName, RateLimiter>;
  private readonly throttles: ThrottleStore;
  private readonly signinBackoffMs: readonly number[];

  constructor(
    env: Pick<Env, 'RATE_LIMITS' | 'RATE_LIMIT' | 'SIGNIN_BACKOFF'>,
    private readonly log: Log,
    stores: LimitStores = memoryLimitStores(),
  ) {
    this.enabled = env.RATE_LIMITS;
    const make = (name: SharedLimitName) => new RateLimiter(name, env.RATE_LIMIT[name], stores.buckets);
    this.global = new RateLimiter('global', env.RATE_LIMIT.global, new MemoryBucketStore());
    this.limiters = {
      signup: make('signup'),
      passwordStrength: make('passwordStrength'),
      articles: make('articles'),
      articleUpdates: make('articleUpdates'),
      comments: make('comments'),
      favorites: make('favorites'),
      follows: make('follows'),
      exports: make('exports'),
      passwordReset: make('passwordReset'),
      emailConfirm: make('emailConfirm'),
      uploads: make('uploads'),
    };
    this.throttles = stores.throttles;
    this.signinBackoffMs = env.SIGNIN_BACKOFF;
  }

  /**
   * Spends one from the global budget of `ip` (every request but a static file's), or throws 429.
   * Kept by each node in its memory, whatever the engine, and synchronous: it runs before every
   * request, cached pages answered before Hono included, where a statement would cost more than
   * the page (docs/decisions/010-postgresql.md, "Limits and throttles across nodes").
   */
  enforceGlobal(ip: string, now: number, requestId?: string): void {
    if (!this.enabled) return;
    this.refuseUnless(this.global.consume(ip, now), 'global', requestId);
  }

  /**
   * Spends one from `name`'s bucket for `key`, or throws 429. Call it outside any transaction: the
   * limit is spent whatever happens to the write after it, and on PostgreSQL its statement must not
   * wait inside a transaction holding the writer lock.
   */
  async enforce(name: SharedLimitName, key: string | number, now: number, requestId?: string): Promise<void> {
    if (!this.enabled) return;
    this.refuseUnless(await this.limiters[name].consume(key, now), name, requestId);
  }

  /**
   * Sign-in: refused while the address or the email is backing off; otherwise the attempt counts
   * as a failure of both at once, before any password work, so concurrent guesses meet each
   * other's failures (on every node, on PostgreSQL). A success takes back this attempt's own count
   * from both, nothing more: signing in to one's own account must not wipe the back-off an address
   * earned guessing at others. Old failures are forgotten after an hour of quiet
   * (FORGET_FAILURES_AFTER_MS).
   */
  async reserveSignin(ip: string, email: string, now: number, requestId?: string): Promise<SigninAttempt> {
    if (!this.enabled) return UNTHROTTLED;
    const keys = [
      { throttle: 'signin-ip', key: ip },
      { throttle: 'signin-email', key: email.toLowerCase() },
    ];
    const outcome = await this.throttles.reserve(keys, this.signinBackoffMs, now);
    if (!outcome.allowed) this.refuse(outcome.retryAfterMs, outcome.throttle, requestId);
    return { succeeded: async () => outcome.release() };
  }

  /**
   * A second-factor code, or a password confirming an act on one's own account (turning the second
   * factor off, deleting the account): the sign-in back-off, per account, so guesses at six digits
   * slow down however many addresses they come from. Reserved as a failure before the check, as
   * reserveSignin; `succeeded()` takes back this attempt's own count.
   */
  async reserveAccountCheck(userId: number, now: number, requestId?: string): Promise<SigninAttempt> {
    if (!this.enabled) return UNTHROTTLED;
    const outcome = await this.throttles.reserve([{ throttle: 'account-check', key: String(userId) }], this.signinBackoffMs, now);
    if (!outcome.allowed) this.refuse(outcome.retryAfterMs, outcome.throttle, requestId);
    return { succeeded: async () => outcome.release() };
  }

  private refuseUnless(decision: Decision, limit: string, requestId?: string): void {
    if (!decision.allowed) this.refuse(decision.retryAfterMs, limit, requestId);
  }

  private refuse(retryAfterMs: number, limit: string, requestId?: string): never {
    const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    this.log({ level: 'warn', msg: 'security.throttled', event: 'throttled', limit, requestId, retryAfterSeconds });
    throw new TooManyRequests(retryAfterSeconds);
  }
}
