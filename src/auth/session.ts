import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, asc, desc, eq, gt, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { preparedQuery, tablesOf } from '../db/engine';
import { idle } from '../db/transaction';
import { NUL } from '../lib/text';
import type { Session, User } from '../db/schema';
import { unreadCountSql } from '../notifications/unread';

/**
 * Sessions after Lucia's published design (lucia-auth.com, "Basic session implementation"): the
 * token handed to the browser is `<id>.<secret>`; the database keeps the id and only the SHA-256
 * of the secret, so a leaked database cannot be turned into live sessions.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
export const SESSION_LIFETIME_MS = 30 * DAY_MS;
/** A session used with less than this left is extended to a full lifetime again. */
export const SESSION_RENEWAL_THRESHOLD_MS = 15 * DAY_MS;
/** Unused for this long, a session ends whatever its expiry says. */
export const SESSION_IDLE_TIMEOUT_MS = 30 * DAY_MS;
/** However much it is used, a session ends this long after sign-in: then sign in again. */
export const SESSION_ABSOLUTE_LIFETIME_MS = 90 * DAY_MS;
/** last_seen_at is written at most this often, so reading pages does not mean writing rows. */
const LAST_SEEN_RESOLUTION_MS = 60 * 1000;
const TOKEN_BYTES = 20; // 160 bits of randomness each for the id and the secret

export type SessionUser = Pick<User, 'id' | 'username' | 'email' | 'image' | 'bio' | 'role'> & {
  /** unread notifications (src/notifications/), up to UNREAD_COUNT_CAP: the navigation shows it */
  unreadNotifications: number;
  /** whether the account has a second factor enrolled (src/two-factor/) */
  twoFactor: boolean;
};
/** What a request keeps of its session: the id (sign out, keep it when ending the others) and the expiry (the cookie's). */
export type ValidatedSession = { id: string; expiresAt: Date };
export type SessionValidation = { session: ValidatedSession; user: SessionUser; renewed: boolean };
/**
 * A session that passed the password but not yet the second factor (Lucia's two-factor guide): it
 * is worth nothing but the two-factor page and signing out.
 */
export type SessionCheck = SessionValidation & { twoFactorPending: boolean };

function generateRandomString(): string {
  const bytes = new Uint8Array(TOKEN_BYTES);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

// @oslojs/crypto's SHA-256, as Lucia's design has it: 4.3 µs a token against Node's 1.6, under 1%
// of a signed-in page or a comment, not worth a second way of hashing next to sessionHandle()'s
function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret));
}

export async function createSession(
  db: Db,
  userId: number,
  options: { now: number; userAgent?: string | null; twoFactorVerified?: boolean },
): Promise<{ token: string; session: Session }> {
  await idle(db);
  const id = generateRandomString();
  const secret = generateRandomString();
  const session: Session = {
    id,
    secretHash: Buffer.from(hashSecret(secret)),
    userId,
    createdAt: new Date(options.now),
    lastSeenAt: new Date(options.now),
    expiresAt: new Date(options.now + SESSION_LIFETIME_MS),
    userAgent: options.userAgent?.slice(0, 500) ?? null,
    twoFactorVerifiedAt: options.twoFactorVerified ? new Date(options.now) : null,
  };
  await db.insert(tablesOf(db).sessions).values(session);
  return { token: `${id}.${secret}`, session };
}

/**
 * Queries prepared once per database: validation runs on every signed-in request. The select
 * reads only what validation compares and what c.get('user') shows (not the user agent).
 */
const sessionById = (db: Db) =>
  preparedQuery(db, 'session-validation', (tables) => {
    const { sessions, users } = tables;
    return db
      .select({
        secretHash: sessions.secretHash,
        createdAt: sessions.createdAt,
        lastSeenAt: sessions.lastSeenAt,
        expiresAt: sessions.expiresAt,
        userId: users.id,
        username: users.username,
        email: users.email,
        image: users.image,
        bio: users.bio,
        role: users.role,
        suspendedAt: users.suspendedAt,
        // the navigation's count, in the same query: a scalar subquery on notifications_unread_idx
        unreadNotifications: unreadCountSql(tables, users.id),
        twoFactorVerifiedAt: sessions.twoFactorVerifiedAt,
        // whether a second factor is enrolled, never the key itself
        twoFactor: sql<number>`case when ${users.totpKey} is null then 0 else 1 end`.mapWith(Number),
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.id, sql.placeholder('id')));
  });

/**
 * A placeholder in set() is bound through its column (Drizzle wraps it with the column's encoder),
 * so it takes a Date on either engine, as a value would; set()'s types only know values.
 */
const dateBoundLater = (name: string) => sql.placeholder(name) as unknown as Date;

const touchSession = (db: Db) =>
  preparedQuery(db, 'session-touch', ({ sessions }) =>
    db
      .update(sessions)
      .set({ expiresAt: dateBoundLater('expiresAt'), lastSeenAt: dateBoundLater('lastSeenAt') })
      .where(eq(sessions.id, sql.placeholder('id'))),
  );

const removeSession = (db: Db) =>
  preparedQuery(db, 'session-remove', ({ sessions }) => db.delete(sessions).where(eq(sessions.id, sql.placeholder('id'))));

const MAX_TOKEN_PART_LENGTH = 64;

type SessionTimes = Pick<Session, 'createdAt' | 'lastSeenAt' | 'expiresAt'>;

/** Whether a session has ended at `now`: expired, unused too long, or past its absolute lifetime. */
function sessionEnded(session: SessionTimes, now: number): boolean {
  return (
    now >= session.expiresAt.getTime() ||
    now >= session.createdAt.getTime() + SESSION_ABSOLUTE_LIFETIME_MS ||
    now - session.lastSeenAt.getTime() >= SESSION_IDLE_TIMEOUT_MS
  );
}

/**
 * The session a token names, if it is alive and fully signed in: a session still waiting for its
 * second factor is null here, as if signed out. Every door uses this one; only the two-factor step
 * and signing out use checkSessionToken, which also answers the pending ones.
 */
export async function validateSessionToken(db: Db, token: string, now: number): Promise<SessionValidation | null> {
  const checked = await checkSessionToken(db, token, now);
  if (!checked || checked.twoFactorPending) return null;
  const { twoFactorPending: _pending, ...validation } = checked;
  return validation;
}

/** How long a sign-in may wait between the password and the second factor. */
export const PENDING_SECOND_FACTOR_MS = 15 * 60 * 1000;

/** validateSessionToken, pending sessions included (`twoFactorPending`): for the two-factor step. */
export async function checkSessionToken(db: Db, token: string, now: number): Promise<SessionCheck | null> {
  // exactly one '.', with a non-empty id and secret of at most 64 characters each
  const dot = token.indexOf('.');
  if (dot <= 0 || dot > MAX_TOKEN_PART_LENGTH) return null;
  const secretLength = token.length - dot - 1;
  if (secretLength <= 0 || secretLength > MAX_TOKEN_PART_LENGTH || token.indexOf('.', dot + 1) !== -1) return null;
  const id = token.slice(0, dot);
  // no session id holds U+0000 (a cookie can carry %00): PostgreSQL could not even look it up
  if (id.includes(NUL)) return null;

  const row = await sessionById(db).row({ id });
  if (!row) return null;

  // constant-time comparison prevents timing attacks on the secret
  if (!constantTimeEqual(hashSecret(token.slice(dot + 1)), row.secretHash)) return null;

  // a suspended account's sessions are deleted when it is suspended; one that slipped past (made
  // by a sign-in racing the suspension) ends here
  // a session that passed the password but not yet the second factor has PENDING_SECOND_FACTOR_MS
  // to do so: a half-finished sign-in does not stay open for the session's whole life
  const pendingTooLong = row.twoFactor === 1 && row.twoFactorVerifiedAt === null && now - row.createdAt.getTime() > PENDING_SECOND_FACTOR_MS;
  if (sessionEnded(row, now) || row.suspendedAt !== null || pendingTooLong) {
    await removeSession(db).execute({ id });
    return null;
  }
  const [createdAt, lastSeenAt, expiresAt] = [row.createdAt.getTime(), row.lastSeenAt.getTime(), row.expiresAt.getTime()];
  const absoluteEnd = createdAt + SESSION_ABSOLUTE_LIFETIME_MS;

  const renewedExpiry = Math.min(now + SESSION_LIFETIME_MS, absoluteEnd);
  const renewed = expiresAt - now < SESSION_RENEWAL_THRESHOLD_MS && renewedExpiry > expiresAt;
  const newExpiry = renewed ? renewedExpiry : expiresAt;
  if (renewed || now - lastSeenAt >= LAST_SEEN_RESOLUTION_MS) {
    await touchSession(db).execute({ expiresAt: new Date(newExpiry), lastSeenAt: new Date(now), id });
  }
  return {
    session: { id, expiresAt: new Date(newExpiry) },
    user: {
      id: row.userId,
      username: row.username,
      email: row.email,
      image: row.image,
      bio: row.bio,
      role: row.role,
      unreadNotifications: Number(row.unreadNotifications),
      twoFactor: row.twoFactor === 1,
    },
    renewed,
    // an account with a second factor is signed in once this session has passed it
    twoFactorPending: row.twoFactor === 1 && row.twoFactorVerifiedAt === null,
  };
}

/** The session passed its second factor (Lucia's `setSessionAs2FAVerified`): from now on it is signed in. */
export async function markSessionTwoFactorVerified(db: Db, sessionId: string, now: number): Promise<void> {
  await idle(db);
  const { sessions } = tablesOf(db);
  await db.update(sessions).set({ twoFactorVerifiedAt: new Date(now) }).where(eq(sessions.id, sessionId));
}

/** A stable, non-secret handle for a session, for forms that name one (never the id itself). */
export function sessionHandle(sessionId: string): string {
  return Buffer.from(sha256(new TextEncoder().encode(sessionId))).toString('hex').slice(0, 16);
}

export type SessionSummary = { handle: string; createdAt: Date; lastSeenAt: Date; userAgent: string | null; current: boolean };

/** A user's live sessions, most recently used first. */
export async function listUserSessions(db: Db, userId: number, currentSessionId: string | null, now: number): Promise<SessionSummary[]> {
  await idle(db);
  const { sessions } = tablesOf(db);
  const rows = await db.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(desc(sessions.lastSeenAt));
  return rows
    .filter((session) => session.expiresAt.getTime() > now)
    .map((session) => ({
      handle: sessionHandle(session.id),
      createdAt: session.createdAt,
      lastSeenAt: session.lastSeenAt,
      userAgent: session.userAgent,
      current: session.id === currentSessionId,
    }));
}

/** Ends one of the user's own sessions by its handle; false when the user has no such session. */
export async function invalidateSessionByHandle(db: Db, userId: number, handle: string): Promise<boolean> {
  await idle(db);
  const { sessions } = tablesOf(db);
  const mine = await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId));
  const target = mine.find((session) => sessionHandle(session.id) === handle);
  if (!target) return false;
  await invalidateSession(db, target.id);
  return true;
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await removeSession(db).execute({ id: sessionId });
}

/** Ends every session of a user, or every one but `exceptSessionId` (the one in use). */
export async function invalidateUserSessions(db: Db, userId: number, exceptSessionId?: string): Promise<void> {
  await idle(db);
  const { sessions } = tablesOf(db);
  const condition = exceptSessionId
    ? and(eq(sessions.userId, userId), ne(sessions.id, exceptSessionId))
    : eq(sessions.userId, userId);
  await db.delete(sessions).where(condition);
}

/** Sessions one step of the clean-up reads (and at most deletes): on SQLite a few ms of the connection. */
export const SESSION_CLEANUP_STEP = 100;

/**
 * One step of the scheduled clean-up (src/ops/cleanups.ts): reads the next SESSION_CLEANUP_STEP
 * sessions in id order after `after` (null: from the first) and deletes those that have ended at
 * `now`; answers how many it deleted and where the next step starts (null: the table is done).
 * Such a session is refused when it is used anyway; this keeps the table to the live ones.
 *
 * It walks the primary key rather than deleting `where expires_at <= now`: with no index on the
 * times, that statement scanned the table for each batch (20-80 ms of SQLite's one connection per
 * 100 rows in a table of 100 000); a step here costs the same whatever the table's size.
 */
export async function deleteEndedSessions(db: Db, now: number, after: string | null): Promise<{ deleted: number; next: string | null }> {
  await idle(db);
  const { sessions } = tablesOf(db);
  const rows = await db
    .select({ id: sessions.id, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(after === null ? undefined : gt(sessions.id, after))
    .orderBy(asc(sessions.id))
    .limit(SESSION_CLEANUP_STEP);
  const ended = rows.filter((row) => sessionEnded(row, now)).map((row) => row.id);
  if (ended.length > 0) await db.delete(sessions).where(inArray(sessions.id, ended));
  return { deleted: ended.length, next: rows.length < SESSION_CLEANUP_STEP ? null : rows[rows.length - 1]!.id };
}
