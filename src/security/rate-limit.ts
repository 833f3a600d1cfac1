/**
 * Token buckets and a sign-in throttler in the style of Lucia's example apps, behind small store
 * interfaces: kept in memory here (one process: SQLite), or in PostgreSQL's tables so that every
 * node shares them (src/security/limit-tables.ts). Time is passed in, so tests move a clock
 * instead of sleeping.
 */

export type BucketPolicy = {
  /** the most a key may spend at once */
  capacity: number;
  /** how long the bucket takes to refill completely */
  refillMs: number;
};

export type Decision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface BucketStore {
  /** Takes `cost` tokens from `key`'s bucket if it has them: at once in memory, a statement in a database. */
  consume(key: string, cost: number, policy: BucketPolicy, now: number): Decision | Promise<Decision>;
}

type Bucket = { tokens: number; updatedAt: number };

/** At most this many keys are kept; beyond it, the fullest (least interesting) go first. */
const MAX_KEYS = 100_000;

export class MemoryBucketStore implements BucketStore {
  private readonly buckets = new Map<string, Bucket>();

  consume(key: string, cost: number, policy: BucketPolicy, now: number): Decision {
    const ratePerMs = policy.capacity / policy.refillMs;
    const bucket = this.buckets.get(key);
    // a clock set back neither refills a bucket nor ages it backwards
    const tokens = bucket ? Math.min(policy.capacity, bucket.tokens + Math.max(0, now - bucket.updatedAt) * ratePerMs) : policy.capacity;
    if (tokens < cost) {
      // a refusal changes nothing, as in the shared store (src/security/limits-postgres.ts): both
      // then refill from the same point, with the same rounding
      // multiplied, not divided by the rate: 1 / (1 / 3_600_000) is 3_600_000.0000000005, a second too many
      return { allowed: false, retryAfterMs: Math.ceil(((cost - tokens) * policy.refillMs) / policy.capacity) };
    }
    this.buckets.delete(key); // re-insert: the Map keeps recently used keys last
    this.buckets.set(key, { tokens: tokens - cost, updatedAt: bucket ? Math.max(bucket.updatedAt, now) : now });
    if (this.buckets.size > MAX_KEYS) this.evict();
    return { allowed: true };
  }

  private evict(): void {
    // the oldest entries are the least recently used; their buckets have refilled the longest
    let excess = this.buckets.size - MAX_KEYS * 0.9;
    for (const key of this.buckets.keys()) {
      if (excess-- <= 0) break;
      this.buckets.delete(key);
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}

export class RateLimiter<S extends BucketStore = BucketStore> {
  constructor(
    readonly name: string,
    private readonly policy: BucketPolicy,
    private readonly store: S,
  ) {}

  consume(key: string | number, now: number, cost = 1): ReturnType<S['consume']> {
    return this.store.consume(`${this.name}:${key}`, cost, this.policy, now) as ReturnType<S['consume']>;
  }
}

/** A throttler's count for one key: failures (settled or pending), and when the next attempt may come. */
type Counter = { failures: number; blockedUntil: number; lastFailureAt: number };

/**
 * One attempt counted as a failure before its outcome is known. Releasing it (the attempt
 * succeeded) takes back this attempt's count only, never anyone else's.
 */
export type Reservation = {
  readonly key: string;
  /** the counter it was taken from: a counter reset since then is not touched again */
  readonly counter: Counter;
  /** what blockedUntil was before, and what this reservation made it */
  readonly previousBlockedUntil: number;
  readonly blockedUntil: number;
};

/** A key quiet this long after its last failure starts over, so old typos do not add up for ever. */
export const FORGET_FAILURES_AFTER_MS = 60 * 60_000;

/**
 * Growing back-off after failures (Lucia's Throttler): after the n-th failure, the key must wait
 * timeouts[n-1] before the next attempt.
 *
 * An attempt is reserved before its password is checked and counts as a failure until then: an
 * attempt that checked and recorded afterwards let every concurrent guess past the check (20 of 20
 * at once). Checking and reserving are synchronous, so no other request runs between them.
 */
export class Throttler {
  private readonly counters = new Map<string, Counter>();

  constructor(
    readonly name: string,
    private readonly timeoutsMs: readonly number[],
  ) {}

  private current(key: string, now: number): Counter | undefined {
    const counter = this.counters.get(key);
    if (counter && now - counter.lastFailureAt >= FORGET_FAILURES_AFTER_MS && now >= counter.blockedUntil) {
      this.counters.delete(key);
      return undefined;
    }
    return counter;
  }

  check(key: string, now: number): Decision {
    const counter = this.current(key, now);
    if (!counter || now >= counter.blockedUntil) return { allowed: true };
    return { allowed: false, retryAfterMs: counter.blockedUntil - now };
  }

  /** Counts one attempt as a failure now (call check() first); release() it if it succeeds. */
  reserve(key: string, now: number): Reservation {
    const counter = this.current(key, now) ?? { failures: 0, blockedUntil: 0, lastFailureAt: now };
    const previousBlockedUntil = counter.blockedUntil;
    counter.failures++;
    counter.lastFailureAt = now;
    const timeout = this.timeoutsMs[Math.min(counter.failures, this.timeoutsMs.length) - 1] ?? 0;
    counter.blockedUntil = Math.max(counter.blockedUntil, now + timeout);
    // re-insert: the Map keeps recently failing keys last, and evicts from the front
    this.counters.delete(key);
    this.counters.set(key, counter);
    if (this.counters.size > MAX_KEYS) {
      const oldest = this.counters.keys().next().value;
      if (oldest !== undefined) this.counters.delete(oldest);
    }
    return { key, counter, previousBlockedUntil, blockedUntil: counter.blockedUntil };
  }

  /**
   * The reserved attempt succeeded: its count is taken back. The wait it set is undone only if no
   * later attempt has lengthened it since (that attempt's failure stands).
   */
  release(reservation: Reservation): void {
    const { key, counter } = reservation;
    if (this.counters.get(key) !== counter) return;
    counter.failures = Math.max(0, counter.failures - 1);
    if (counter.blockedUntil === reservation.blockedUntil) counter.blockedUntil = reservation.previousBlockedUntil;
    if (counter.failures === 0) this.counters.delete(key);
  }

  /** Forgets every failure of `key`. */
  reset(key: string): void {
    this.counters.delete(key);
  }
}

/** A key of a throttle: `{ throttle: 'signin-ip', key: '203.0.113.7' }`. */
export type ThrottledKey = { throttle: string; key: string };

/**
 * An attempt reserved on every key at once (release() takes its count back when it succeeds), or
 * refused because one of the keys is backing off: the first such key in the order given.
 */
export type ThrottleOutcome =
  | { allowed: true; release(): void | Promise<void> }
  | { allowed: false; throttle: string; retryAfterMs: number };

export interface ThrottleStore {
  /**
   * Refused while any of `keys` is backing off; otherwise counts the attempt as a failure of every
   * key at once (Throttler.reserve, with `timeoutsMs` as its back-off), before its outcome is known.
   */
  reserve(keys: readonly ThrottledKey[], timeoutsMs: readonly number[], now: number): ThrottleOutcome | Promise<ThrottleOutcome>;
}

/**
 * Throttlers in this process's memory, one per throttle name. Checking every key and reserving
 * them is synchronous: no other request runs in between.
 */
export class MemoryThrottleStore implements ThrottleStore {
  private readonly throttlers = new Map<string, Throttler>();

  private throttler(name: string, timeoutsMs: readonly number[]): Throttler {
    let throttler = this.throttlers.get(name);
    if (!throttler) {
      throttler = new Throttler(name, timeoutsMs);
      this.throttlers.set(name, throttler);
    }
    return throttler;
  }

  reserve(keys: readonly ThrottledKey[], timeoutsMs: readonly number[], now: number): ThrottleOutcome {
    const throttlers = keys.map(({ throttle }) => this.throttler(throttle, timeoutsMs));
    for (const [i, { throttle, key }] of keys.entries()) {
      const decision = throttlers[i]!.check(key, now);
      if (!decision.allowed) return { allowed: false, throttle, retryAfterMs: decision.retryAfterMs };
    }
    const reservations = keys.map(({ key }, i) => throttlers[i]!.reserve(key, now));
    return {
      allowed: true,
      release: () => {
        for (const [i, reservation] of reservations.entries()) throttlers[i]!.release(reservation);
      },
    };
  }
}
