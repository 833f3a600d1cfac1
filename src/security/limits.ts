import { HTTPException } from 'hono/http-exception';
import type { Env } from '../env';
import type { Log } from '../lib/logger';
import { MemoryBucketStore, RateLimiter, Throttler, type BucketStore, type Decision } from './rate-limit';
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
export type SigninAttempt = { succeeded(): void };

const UNTHROTTLED: SigninAttempt = { succeeded() {} };

/** Every limiter of the app, built from the environment; RATE_LIMITS=off turns them all off. */
export class Limits {
  readonly enabled: boolean;
  private readonly limiters: Record<LimitName, RateLimiter>;
  readonly signinByIp: Throttler;
  readonly signinByEmail: Throttler;

  constructor(
    env: Pick<Env, 'RATE_LIMITS' | 'RATE_LIMIT' | 'SIGNIN_BACKOFF'>,
    private readonly log: Log,
    store: BucketStore = new MemoryBucketStore(),
  ) {
    this.enabled = env.RATE_LIMITS;
    const make = (name: LimitName) => new RateLimiter(name, env.RATE_LIMIT[name], store);
    this.limiters = {
      global: make('global'),
      signup: make('signup'),
      passwordStrength: make('passwordStrength'),
      articles: make('articles'),
      articleUpdates: make('articleUpdates'),
      comments: make('comments'),
      favorites: make('favorites'),
      follows: make('follows'),
    };
    this.signinByIp = new Throttler('signin-ip', env.SIGNIN_BACKOFF);
    this.signinByEmail = new Throttler('signin-email', env.SIGNIN_BACKOFF);
  }

  /** Spends one from `name`'s bucket for `key`, or throws 429 (nothing has been written yet). */
  enforce(name: LimitName, key: string | number, now: number, requestId?: string): void {
    if (!this.enabled) return;
    this.refuseUnless(this.limiters[name].consume(key, now), name, requestId);
  }

  /**
   * Sign-in: refused while the address or the email is backing off; otherwise the attempt counts
   * as a failure of both at once, before any password work, so concurrent guesses meet each
   * other's failures. A success takes back this attempt's own count from both, nothing more:
   * signing in to one's own account must not wipe the back-off an address earned guessing at
   * others. Old failures are forgotten after an hour of quiet (FORGET_FAILURES_AFTER_MS).
   */
  reserveSignin(ip: string, email: string, now: number, requestId?: string): SigninAttempt {
    if (!this.enabled) return UNTHROTTLED;
    const key = email.toLowerCase();
    this.refuseUnless(this.signinByIp.check(ip, now), 'signin-ip', requestId);
    this.refuseUnless(this.signinByEmail.check(key, now), 'signin-email', requestId);
    const byIp = this.signinByIp.reserve(ip, now);
    const byEmail = this.signinByEmail.reserve(key, now);
    return {
      succeeded: () => {
        this.signinByIp.release(byIp);
        this.signinByEmail.release(byEmail);
      },
    };
  }

  private refuseUnless(decision: Decision, limit: string, requestId?: string): void {
    if (decision.allowed) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    this.log({ level: 'warn', msg: 'security.throttled', event: 'throttled', limit, requestId, retryAfterSeconds });
    throw new TooManyRequests(retryAfterSeconds);
  }
}
