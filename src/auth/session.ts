import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, desc, eq, ne } from 'drizzle-orm';
import { prepared } from '../db/statements';
import type { Db } from '../db/client';
import { idle } from '../db/transaction';
import { sessions, type Session, type User } from '../db/schema';

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
/** What a request keeps of its session: the id (sign out, keep it when ending the others) and the expiry (the cookie's). */
export type ValidatedSession = { id: string; expiresAt: Date };
export type SessionValidation = { session: ValidatedSession; user: SessionUser; renewed: boolean };

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
  options: { now: number; userAgent?: string | null },
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
  };
  db.insert(sessions).values(session).run();
  return { token: `${id}.${secret}`, session };
}

/** The row validation reads: the session's secret hash and times (ms), then what c.get('user') shows. */
type SessionRow = [
  secretHash: Buffer,
  createdAt: number,
  lastSeenAt: number,
  expiresAt: number,
  userId: number,
  username: string,
  email: string,
  image: string | null,
  bio: string | null,
];

/**
 * Plain statements, prepared once per database: validation runs on every signed-in request, and a
 * Drizzle select would read every session column (the user agent too) and map three timestamps
 * into Dates only to compare them. Rows come back as arrays (raw mode), so no keys are built.
 */
function sessionStatements(db: Db) {
  return prepared(db, 'session-validation', () => ({
    byId: db.$client
      .prepare<[string], SessionRow>(
        `select s.secret_hash, s.created_at, s.last_seen_at, s.expires_at, u.id, u.username, u.email, u.image, u.bio
         from sessions s join users u on u.id = s.user_id
         where s.id = ?`,
      )
      .raw(true),
    touch: db.$client.prepare<[expiresAt: number, lastSeenAt: number, id: string]>(
      'update sessions set expires_at = ?, last_seen_at = ? where id = ?',
    ),
    remove: db.$client.prepare<[id: string]>('delete from sessions where id = ?'),
  }));
}

const MAX_TOKEN_PART_LENGTH = 64;

export async function validateSessionToken(db: Db, token: string, now: number): Promise<SessionValidation | null> {
  await idle(db);
  // exactly one '.', with a non-empty id and secret of at most 64 characters each
  const dot = token.indexOf('.');
  if (dot <= 0 || dot > MAX_TOKEN_PART_LENGTH) return null;
  const secretLength = token.length - dot - 1;
  if (secretLength <= 0 || secretLength > MAX_TOKEN_PART_LENGTH || token.indexOf('.', dot + 1) !== -1) return null;
  const id = token.slice(0, dot);

  const statements = sessionStatements(db);
  const row = statements.byId.get(id);
  if (!row) return null;
  const [secretHash, createdAt, lastSeenAt, expiresAt] = row;

  // constant-time comparison prevents timing attacks on the secret
  if (!constantTimeEqual(hashSecret(token.slice(dot + 1)), secretHash)) return null;

  const absoluteEnd = createdAt + SESSION_ABSOLUTE_LIFETIME_MS;
  if (now >= expiresAt || now >= absoluteEnd || now - lastSeenAt >= SESSION_IDLE_TIMEOUT_MS) {
    statements.remove.run(id);
    return null;
  }

  const renewedExpiry = Math.min(now + SESSION_LIFETIME_MS, absoluteEnd);
  const renewed = expiresAt - now < SESSION_RENEWAL_THRESHOLD_MS && renewedExpiry > expiresAt;
  const newExpiry = renewed ? renewedExpiry : expiresAt;
  if (renewed || now - lastSeenAt >= LAST_SEEN_RESOLUTION_MS) statements.touch.run(newExpiry, now, id);
  return {
    session: { id, expiresAt: new Date(newExpiry) },
    user: { id: row[4], username: row[5], email: row[6], image: row[7], bio: row[8] },
    renewed,
  };
}

/** A stable, non-secret handle for a session, for forms that name one (never the id itself). */
export function sessionHandle(sessionId: string): string {
  return Buffer.from(sha256(new TextEncoder().encode(sessionId))).toString('hex').slice(0, 16);
}

export type SessionSummary = { handle: string; createdAt: Date; lastSeenAt: Date; userAgent: string | null; current: boolean };

/** A user's live sessions, most recently used first. */
export async function listUserSessions(db: Db, userId: number, currentSessionId: string | null, now: number): Promise<SessionSummary[]> {
  await idle(db);
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
export async function invalidateSessionByHandle(db: Db, userId: number, handle: string): Promise<boolean> {
  await idle(db);
  const mine = db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId)).all();
  const target = mine.find((session) => sessionHandle(session.id) === handle);
  if (!target) return false;
  await invalidateSession(db, target.id);
  return true;
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await idle(db);
  sessionStatements(db).remove.run(sessionId);
}

/** Ends every session of a user, or every one but `exceptSessionId` (the one in use). */
export async function invalidateUserSessions(db: Db, userId: number, exceptSessionId?: string): Promise<void> {
  await idle(db);
  const condition = exceptSessionId
    ? and(eq(sessions.userId, userId), ne(sessions.id, exceptSessionId))
    : eq(sessions.userId, userId);
  db.delete(sessions).where(condition).run();
}
