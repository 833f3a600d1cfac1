import { HTTPException } from 'hono/http-exception';
import type { Env } from '../env';
import type { Log } from '../lib/logger';
import { MemoryBucketStore, RateLimiter, Throttler, type BucketStore, type Decision } from './rate-limit';
import type { LimitName } from './rates';

/** 429 with Retry-After; rendered as a page or as JSON by the error handlers. */
export class TooManyRequests extends HTTPException {
  constructor(readonly retryAfterSeconds: number) {
    super(429, { message: `Too many requests. Please try again in ${retryAfterSeconds} seconds.` });
  }
}

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

  /** Sign-in: refused while either the address or the email is backing off. */
  checkSignin(ip: string, email: string, now: number, requestId?: string): void {
    if (!this.enabled) return;
    this.refuseUnless(this.signinByIp.check(ip, now), 'signin-ip', requestId);
    this.refuseUnless(this.signinByEmail.check(email.toLowerCase(), now), 'signin-email', requestId);
  }

  recordSignin(ip: string, email: string, success: boolean, now: number): void {
    if (!this.enabled) return;
    const key = email.toLowerCase();
    if (success) {
      this.signinByIp.reset(ip);
      this.signinByEmail.reset(key);
    } else {
      this.signinByIp.recordFailure(ip, now);
      this.signinByEmail.recordFailure(key, now);
    }
  }

  private refuseUnless(decision: Decision, limit: string, requestId?: string): void {
    if (decision.allowed) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    this.log({ level: 'warn', msg: 'security.throttled', event: 'throttled', limit, requestId, retryAfterSeconds });
    throw new TooManyRequests(retryAfterSeconds);
  }
}
