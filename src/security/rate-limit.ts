/**
 * Token buckets and a sign-in throttler in the style of Lucia's example apps, behind a small store
 * interface so a shared store (Redis, SQLite) can replace the in-memory one. Time is passed in, so
 * tests move a clock instead of sleeping.
 */

export type BucketPolicy = {
  /** the most a key may spend at once */
  capacity: number;
  /** how long the bucket takes to refill completely */
  refillMs: number;
};

export type Decision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface BucketStore {
  /** Takes `cost` tokens from `key`'s bucket if it has them. */
  consume(key: string, cost: number, policy: BucketPolicy, now: number): Decision;
}

type Bucket = { tokens: number; updatedAt: number };

/** At most this many keys are kept; beyond it, the fullest (least interesting) go first. */
const MAX_KEYS = 100_000;

export class MemoryBucketStore implements BucketStore {
  private readonly buckets = new Map<string, Bucket>();

  consume(key: string, cost: number, policy: BucketPolicy, now: number): Decision {
    const ratePerMs = policy.capacity / policy.refillMs;
    const bucket = this.buckets.get(key) ?? { tokens: policy.capacity, updatedAt: now };
    bucket.tokens = Math.min(policy.capacity, bucket.tokens + (now - bucket.updatedAt) * ratePerMs);
    bucket.updatedAt = now;
    if (bucket.tokens < cost) {
      this.buckets.set(key, bucket);
      return { allowed: false, retryAfterMs: Math.ceil((cost - bucket.tokens) / ratePerMs) };
    }
    bucket.tokens -= cost;
    this.buckets.delete(key); // re-insert: the Map keeps recently used keys last
    this.buckets.set(key, bucket);
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

export class RateLimiter {
  constructor(
    readonly name: string,
    private readonly policy: BucketPolicy,
    private readonly store: BucketStore,
  ) {}

  consume(key: string | number, now: number, cost = 1): Decision {
    return this.store.consume(`${this.name}:${key}`, cost, this.policy, now);
  }
}

/**
 * Growing back-off after failures (Lucia's Throttler): after the n-th consecutive failure, the
 * key must wait timeouts[n-1] before the next attempt. A success resets it.
 */
export class Throttler {
  private readonly counters = new Map<string, { failures: number; blockedUntil: number }>();

  constructor(
    readonly name: string,
    private readonly timeoutsMs: readonly number[],
  ) {}

  check(key: string, now: number): Decision {
    const counter = this.counters.get(key);
    if (!counter || now >= counter.blockedUntil) return { allowed: true };
    return { allowed: false, retryAfterMs: counter.blockedUntil - now };
  }

  recordFailure(key: string, now: number): void {
    const counter = this.counters.get(key) ?? { failures: 0, blockedUntil: 0 };
    counter.failures++;
    const timeout = this.timeoutsMs[Math.min(counter.failures, this.timeoutsMs.length) - 1] ?? 0;
    counter.blockedUntil = now + timeout;
    this.counters.delete(key);
    this.counters.set(key, counter);
    if (this.counters.size > MAX_KEYS) {
      const oldest = this.counters.keys().next().value;
      if (oldest !== undefined) this.counters.delete(oldest);
    }
  }

  reset(key: string): void {
    this.counters.delete(key);
  }
}
