import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { sessions } from '../db/schema';
import { createTestDb, insertUser } from '../test-support';
import type { Db } from '../db/client';
import {
  createSession,
  invalidateSession,
  invalidateUserSessions,
  SESSION_LIFETIME_MS,
  SESSION_RENEWAL_THRESHOLD_MS,
  validateSessionToken,
} from './session';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 0, 1);

describe('sessions', () => {
  let db: Db;
  let userId: number;
  beforeEach(async () => {
    db = await createTestDb();
    userId = (await insertUser(db, 'alice')).id;
  });

  it('gives a token with at least 120 bits of randomness and stores only the secret hash', async () => {
    const { token, session } = await createSession(db, userId, { now: T0 });
    const [id, secret] = token.split('.');
    expect(id!.length * 5).toBeGreaterThanOrEqual(120);
    expect(secret!.length * 5).toBeGreaterThanOrEqual(120);
    const row = (await db.select().from(sessions).where(eq(sessions.id, session.id)).limit(1))[0]!;
    expect(row.secretHash).toHaveLength(32);
    const stored = JSON.stringify(await db.select().from(sessions));
    expect(stored).not.toContain(secret);
  });

  it('validates the token it gave and refuses a wrong secret or a malformed token', async () => {
    const { token } = await createSession(db, userId, { now: T0 });
    expect((await validateSessionToken(db, token, T0))?.user.username).toBe('alice');
    const [id] = token.split('.');
    expect(await validateSessionToken(db, `${id}.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`, T0)).toBeNull();
    expect(await validateSessionToken(db, id!, T0)).toBeNull();
    expect(await validateSessionToken(db, 'a.b.c', T0)).toBeNull();
    expect(await validateSessionToken(db, '', T0)).toBeNull();
  });

  it('gives a different session at every sign-in', async () => {
    const a = await createSession(db, userId, { now: T0 });
    const b = await createSession(db, userId, { now: T0 });
    expect(a.token).not.toBe(b.token);
  });

  it('expires after 30 days and deletes the expired row', async () => {
    const { token, session } = await createSession(db, userId, { now: T0 });
    expect(session.expiresAt.getTime()).toBe(T0 + SESSION_LIFETIME_MS);
    expect(await validateSessionToken(db, token, T0 + 30 * DAY - 1)).not.toBeNull();
    // that use renewed it, so start again for a clean expiry check
    const fresh = await createSession(db, userId, { now: T0 });
    expect(await validateSessionToken(db, fresh.token, T0 + 30 * DAY)).toBeNull();
    expect((await db.select().from(sessions).where(eq(sessions.id, fresh.session.id)).limit(1))[0]).toBeUndefined();
  });

  it('extends a session used with less than 15 days left, and not one used earlier', async () => {
    const { token } = await createSession(db, userId, { now: T0 });
    const early = (await validateSessionToken(db, token, T0 + 10 * DAY))!;
    expect(early.renewed).toBe(false);
    expect(early.session.expiresAt.getTime()).toBe(T0 + SESSION_LIFETIME_MS);

    const late = T0 + SESSION_LIFETIME_MS - SESSION_RENEWAL_THRESHOLD_MS + 1;
    const renewed = (await validateSessionToken(db, token, late))!;
    expect(renewed.renewed).toBe(true);
    expect(renewed.session.expiresAt.getTime()).toBe(late + SESSION_LIFETIME_MS);
    // still valid well past the original expiry
    expect(await validateSessionToken(db, token, T0 + 40 * DAY)).not.toBeNull();
  });

  it('writes last_seen_at at most once a minute, and only the session that was used', async () => {
    const { token, session } = await createSession(db, userId, { now: T0 });
    const other = await createSession(db, userId, { now: T0 });
    const lastSeen = async (id: string) => (await db.select().from(sessions).where(eq(sessions.id, id)).limit(1))[0]!.lastSeenAt.getTime();
    await validateSessionToken(db, token, T0 + 59_999);
    expect(await lastSeen(session.id)).toBe(T0);
    await validateSessionToken(db, token, T0 + 60_000);
    expect(await lastSeen(session.id)).toBe(T0 + 60_000);
    expect(await lastSeen(other.session.id)).toBe(T0);
    const row = (await db.select().from(sessions).where(eq(sessions.id, session.id)).limit(1))[0]!;
    expect(row.expiresAt.getTime()).toBe(T0 + SESSION_LIFETIME_MS);
    expect(row.createdAt.getTime()).toBe(T0);
  });

  it('gives the session id and expiry, and only the public fields of its user', async () => {
    const { token, session } = await createSession(db, userId, { now: T0 });
    const result = (await validateSessionToken(db, token, T0))!;
    expect(result.session).toEqual({ id: session.id, expiresAt: new Date(T0 + SESSION_LIFETIME_MS) });
    expect(result.user).toEqual({ id: userId, username: 'alice', email: 'alice@example.com', image: null, bio: null, role: 'author', unreadNotifications: 0, twoFactor: false });
    const bob = await insertUser(db, 'bob', { bio: 'Hi', image: 'https://example.com/b.png' });
    const bobs = await createSession(db, bob.id, { now: T0 });
    expect((await validateSessionToken(db, bobs.token, T0))!.user).toEqual({
      id: bob.id,
      username: 'bob',
      email: 'bob@example.com',
      image: 'https://example.com/b.png',
      bio: 'Hi',
      role: 'author',
      unreadNotifications: 0,
      twoFactor: false,
    });
    // another user's id with this secret, or this id with another's secret: refused
    const [id, secret] = token.split('.');
    const [bobId, bobSecret] = bobs.token.split('.');
    expect(await validateSessionToken(db, `${bobId}.${secret}`, T0)).toBeNull();
    expect(await validateSessionToken(db, `${id}.${bobSecret}`, T0)).toBeNull();
    // too long a part, or an empty one
    expect(await validateSessionToken(db, `${id}.${secret}${'a'.repeat(65)}`, T0)).toBeNull();
    expect(await validateSessionToken(db, `.${secret}`, T0)).toBeNull();
    expect(await validateSessionToken(db, `${id}.`, T0)).toBeNull();
    expect(await validateSessionToken(db, `${id}.${secret}.`, T0)).toBeNull();
  });

  it('invalidates one session, or all of a user but the current one', async () => {
    const a = await createSession(db, userId, { now: T0 });
    const b = await createSession(db, userId, { now: T0 });
    const c = await createSession(db, userId, { now: T0 });
    await invalidateSession(db, a.session.id);
    expect(await validateSessionToken(db, a.token, T0)).toBeNull();
    await invalidateUserSessions(db, userId, b.session.id);
    expect(await validateSessionToken(db, b.token, T0)).not.toBeNull();
    expect(await validateSessionToken(db, c.token, T0)).toBeNull();
    await invalidateUserSessions(db, userId);
    expect(await validateSessionToken(db, b.token, T0)).toBeNull();
  });
});
