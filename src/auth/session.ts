import { hash } from 'node:crypto';
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, desc, eq, ne, sql } from 'drizzle-orm';
import { prepared } from '../db/prepared';
import type { Db } from '../db/client';
import { sessions, users, type Session, type User } from '../db/schema';

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

export type SessionUser = Pick<User, 'id' | 'username' | 'email' | 'image' | 'bio'>;
export type SessionValidation = { session: Session; user: SessionUser; renewed: boolean };

function generateRandomString(): string {
  const bytes = new Uint8Array(TOKEN_BYTES);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

// Node's one-shot hash (native, UTF-8 like TextEncoder): every authenticated request pays it
function hashSecret(secret: string): Uint8Array {
  return hash('sha256', secret, 'buffer');
}

export function createSession(
  db: Db,
  userId: number,
  options: { now: number; userAgent?: string | null },
): { token: string; session: Session } {
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
  };
  db.insert(sessions).values(session).run();
  return { token: `${id}.${secret}`, session };
}

export function validateSessionToken(db: Db, token: string, now: number): SessionValidation | null {
  const parts = token.split('.');
  if (parts.length !== 2) return null;
  const [id, secret] = parts as [string, string];
  if (!id || !secret || id.length > 64 || secret.length > 64) return null;

  const query = prepared(db, 'session-by-id', () =>
    db
      .select({
        session: sessions,
        user: { id: users.id, username: users.username, email: users.email, image: users.image, bio: users.bio },
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.id, sql.placeholder('id')))
      .prepare(),
  );
  const row = query.get({ id });
  if (!row) return null;

  // constant-time comparison prevents timing attacks on the secret
  if (!constantTimeEqual(hashSecret(secret), new Uint8Array(row.session.secretHash))) return null;

  const session = row.session;
  const absoluteEnd = session.createdAt.getTime() + SESSION_ABSOLUTE_LIFETIME_MS;
  const idle = now - session.lastSeenAt.getTime() >= SESSION_IDLE_TIMEOUT_MS;
  if (now >= session.expiresAt.getTime() || now >= absoluteEnd || idle) {
    invalidateSession(db, session.id);
    return null;
  }

  const renewedExpiry = Math.min(now + SESSION_LIFETIME_MS, absoluteEnd);
  const renewed =
    session.expiresAt.getTime() - now < SESSION_RENEWAL_THRESHOLD_MS && renewedExpiry > session.expiresAt.getTime();
  const stale = now - session.lastSeenAt.getTime() >= LAST_SEEN_RESOLUTION_MS;
  if (renewed || stale) {
    if (renewed) session.expiresAt = new Date(renewedExpiry);
    session.lastSeenAt = new Date(now);
    db.update(sessions)
      .set({ expiresAt: session.expiresAt, lastSeenAt: session.lastSeenAt })
      .where(eq(sessions.id, session.id))
      .run();
  }
  return { session, user: row.user, renewed };
}

/** A stable, non-secret handle for a session, for forms that name one (never the id itself). */
export function sessionHandle(sessionId: string): string {
  return Buffer.from(sha256(new TextEncoder().encode(sessionId))).toString('hex').slice(0, 16);
}

export type SessionSummary = { handle: string; createdAt: Date; lastSeenAt: Date; userAgent: string | null; current: boolean };

/** A user's live sessions, most recently used first. */
export function listUserSessions(db: Db, userId: number, currentSessionId: string | null, now: number): SessionSummary[] {
  return db
    .select()
    .from(sessions)
    .where(eq(sessions.userId, userId))
    .orderBy(desc(sessions.lastSeenAt))
    .all()
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
export function invalidateSessionByHandle(db: Db, userId: number, handle: string): boolean {
  const mine = db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId)).all();
  const target = mine.find((session) => sessionHandle(session.id) === handle);
  if (!target) return false;
  invalidateSession(db, target.id);
  return true;
}

export function invalidateSession(db: Db, sessionId: string): void {
  db.delete(sessions).where(eq(sessions.id, sessionId)).run();
}

/** Ends every session of a user, or every one but `exceptSessionId` (the one in use). */
export function invalidateUserSessions(db: Db, userId: number, exceptSessionId?: string): void {
  const condition = exceptSessionId
    ? and(eq(sessions.userId, userId), ne(sessions.id, exceptSessionId))
    : eq(sessions.userId, userId);
  db.delete(sessions).where(condition).run();
}
