/**
 * The shape every use case shares (docs/decisions/006-use-cases.md). A use case is one async
 * function per thing a person or operator does (`signUp`, `createArticle`, `followUser`), in its
 * feature's `use-cases.ts`. It owns the act's rules: checks beyond field shape, limits and
 * throttles, security events, and the write in one transaction. Doors (HTML routes, the API, the
 * CLI) parse their input's shape, call it, and render or serialise what comes back.
 */
import type { SharedReads } from './articles/queries';
import type { Db } from './db/client';
import type { Env } from './env';
import type { Clock } from './lib/clock';
import type { Log } from './lib/logger';
import type { Limits } from './security/limits';
import type { MediaStore } from './media/store';

/**
 * What use cases and reads are built from: the same for every door. `reads` are the reads every
 * reader sees alike, which the app's cache may keep (src/cache/); elsewhere `sharedReads(db, env)`.
 */
export type Core = { db: Db; env: Env; clock: Clock; log: Log; limits: Limits; reads: SharedReads; media: MediaStore };

/** Who asks, as far as the door knows: for limits, security events and log lines. */
export type Caller = {
  door: 'web' | 'api' | 'cli';
  /** the signed-in user; null for a visitor or the operator at the CLI */
  userId: number | null;
  /** the signed-in user's role as their session read it (src/roles/permissions.ts); the operator has every permission */
  role?: string | null;
  /** null for the CLI */
  requestId: string | null;
  /** the client's address; null for the CLI */
  ip: string | null;
  userAgent?: string | null;
};

export const CLI_CALLER: Caller = { door: 'cli', userId: null, requestId: null, ip: null };

/**
 * What the asker can fix, per field, in RealWorld's words ("has already been taken"); a door adds
 * the field's label ("Username has already been taken") or answers `{"errors": ...}` as it is.
 * `form` is for what belongs to no one field ("email or password is invalid").
 */
export type FieldErrors = Record<string, string[]>;

export type Outcome<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

export const succeed = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = (errors: FieldErrors): Outcome<never> => ({ ok: false, errors });

/**
 * Refusals that no form can fix: each door answers them its own way (a 404 or 403 page, RealWorld's
 * `{"errors":{"article":["not found"]}}`, a CLI message). Rate limits throw TooManyRequests
 * (src/security/limits.ts) the same way.
 */
export class NotFound extends Error {
  override name = 'NotFound';
  /** `thing` is RealWorld's key ("article", "comment", "profile"); `message` is for people */
  constructor(readonly thing: string, message: string) {
    super(message);
  }
}

export class Forbidden extends Error {
  override name = 'Forbidden';
  constructor(readonly thing: string, message: string) {
    super(message);
  }
}

/** What was here has been deleted for good: a 410, so links and search engines let it go. */
export class Gone extends Error {
  override name = 'Gone';
  constructor(readonly thing: string, message: string) {
    super(message);
  }
}
