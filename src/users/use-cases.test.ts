import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../auth/password';
import { createSession } from '../auth/session';
import { CLI_CALLER, Forbidden, NotFound } from '../core';
import { sessions, users } from '../db/schema';
import { createTestCore, insertUser, PASSWORD, testCaller } from '../test-support';
import { changeSettings, resetPassword } from './use-cases';
import { lastMailTo } from '../account-links/test-helpers';

const STRONG = 'lantern orchard velvet';

/** A user with three sessions (one is the caller's), and another user with one. */
async function setUp(env: Record<string, string> = {}) {
  const t = await createTestCore({ env });
  const user = await insertUser(t.core.db, 'alice');
  const bob = await insertUser(t.core.db, 'bob');
  const start = async (userId: number) => (await createSession(t.core.db, userId, { now: t.core.clock() })).session.id;
  const current = await start(user.id);
  await start(user.id);
  await start(user.id);
  await start(bob.id);
  const row = async () => (await t.core.db.select().from(users).where(eq(users.id, user.id)).limit(1))[0]!;
  const sessionsOf = async (userId: number) =>
    (await t.core.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId))).map((s) => s.id);
  return { ...t, user, bob, current, row, sessionsOf, caller: testCaller({ userId: user.id }) };
}

describe('changeSettings', () => {
  it('changes only what is given; null clears the bio and image', async () => {
    const t = await setUp();
    const result = await changeSettings(t.core, t.caller, {
      changes: { username: 'alicia', bio: 'Hello', image: null },
      requireCurrentPassword: true,
      currentSessionId: t.current,
    });

    expect(result).toMatchObject({ ok: true, value: { passwordChanged: false, user: { username: 'alicia', bio: 'Hello', image: null } } });
    expect(await t.row()).toMatchObject({ username: 'alicia', email: 'alice@example.com', passwordHash: t.user.passwordHash });
    expect(await t.sessionsOf(t.user.id)).toHaveLength(3);
    expect(t.logs).toEqual([]);
  });

  it("refuses a name someone else has, whatever its case, but not the user's own in another case", async () => {
    const t = await setUp();
    const taken = await changeSettings(t.core, t.caller, {
      changes: { username: 'BOB', email: 'Bob@Example.com' },
      requireCurrentPassword: false,
      currentSessionId: t.current,
    });
    expect(taken).toEqual({ ok: false, errors: { username: ['has already been taken'], email: ['has already been taken'] } });
    expect((await t.row()).username).toBe('alice');

    const own = await changeSettings(t.core, t.caller, { changes: { username: 'Alice' }, requireCurrentPassword: false, currentSessionId: t.current });
    expect(own.ok).toBe(true);
    expect((await t.row()).username).toBe('Alice');
  });

  it('asks for the current password to change the email or password when the door says so (the web form)', async () => {
    const t = await setUp();
    const change = (currentPassword?: string) =>
      changeSettings(t.core, t.caller, {
        changes: { email: 'new@example.com' },
        requireCurrentPassword: true,
        currentPassword,
        currentSessionId: t.current,
      });

    expect(await change()).toEqual({ ok: false, errors: { currentPassword: ['is needed to change your email or password'] } });
    expect(await change('not my password')).toEqual({ ok: false, errors: { currentPassword: ['is not correct'] } });
    expect((await t.row()).email).toBe('alice@example.com');
    expect(await change(PASSWORD)).toMatchObject({ ok: true, value: { emailPending: 'new@example.com' } });
    // applied once the new address is confirmed (src/account-links/email-confirmation.ts)
    expect((await t.row()).email).toBe('alice@example.com');
    expect((await lastMailTo(t.core.db, 'new@example.com', 'email-confirm')).subject).toMatch(/Confirm your e-mail address/);
  });

  it('does not ask when the door does not (PUT /api/user, as RealWorld specifies)', async () => {
    const t = await setUp();
    const result = await changeSettings(t.core, testCaller({ door: 'api', userId: t.user.id }), {
      changes: { email: 'new@example.com', password: STRONG },
      requireCurrentPassword: false,
      currentSessionId: t.current,
    });

    expect(result).toMatchObject({ ok: true, value: { emailPending: 'new@example.com', passwordChanged: true } });
    expect((await t.row()).email).toBe('alice@example.com');
    expect(await verifyPassword((await t.row()).passwordHash, STRONG)).toBe(true);
  });

  it("a new password ends the user's other sessions, keeps the one in use and other users', and is logged", async () => {
    const t = await setUp();
    const result = await changeSettings(t.core, t.caller, {
      changes: { password: STRONG },
      requireCurrentPassword: true,
      currentPassword: PASSWORD,
      currentSessionId: t.current,
    });

    expect(result).toMatchObject({ ok: true, value: { passwordChanged: true } });
    expect(await verifyPassword((await t.row()).passwordHash, STRONG)).toBe(true);
    expect(await t.sessionsOf(t.user.id)).toEqual([t.current]);
    expect(await t.sessionsOf(t.bob.id)).toHaveLength(1);
    expect(t.logs).toEqual([
      expect.objectContaining({ level: 'info', msg: 'security.password.changed', userId: t.user.id, door: 'web', requestId: 'test-request' }),
    ]);
  });

  it('refuses a password too easy to guess before looking at the current one', async () => {
    const t = await setUp();
    const result = await changeSettings(t.core, t.caller, {
      changes: { password: 'password1' },
      requireCurrentPassword: true,
      currentSessionId: t.current,
    });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors)).toEqual(['password']);
    expect(result.errors['password']![0]).toMatch(/^is too easy to guess/);
    expect((await t.row()).passwordHash).toBe(t.user.passwordHash);
  });

  it('refuses a caller who is not signed in', async () => {
    const t = await setUp();
    await expect(
      changeSettings(t.core, testCaller(), { changes: { bio: 'x' }, requireCurrentPassword: false, currentSessionId: null }),
    ).rejects.toBeInstanceOf(Forbidden);
  });
});

describe('resetPassword (the operator, at the CLI)', () => {
  it("sets the new password, ends every session of that user and no one else's, and logs password.changed", async () => {
    const t = await setUp();

    const result = await resetPassword(t.core, CLI_CALLER, { username: 'ALICE', password: STRONG });

    expect(result).toMatchObject({ ok: true, value: { user: { id: t.user.id, username: 'alice' } } });
    expect(await verifyPassword((await t.row()).passwordHash, STRONG)).toBe(true);
    expect(await t.sessionsOf(t.user.id)).toEqual([]);
    expect(await t.sessionsOf(t.bob.id)).toHaveLength(1);
    expect(t.logs).toEqual([
      {
        level: 'info',
        msg: 'security.password.changed',
        event: 'password.changed',
        requestId: null,
        ip: null,
        userId: t.user.id,
        door: 'cli',
      },
    ]);
  });

  it('refuses a password too easy to guess, and changes nothing', async () => {
    const t = await setUp();
    const result = await resetPassword(t.core, CLI_CALLER, { username: 'alice', password: 'alice1234' });

    expect(result.ok).toBe(false);
    expect((await t.row()).passwordHash).toBe(t.user.passwordHash);
    expect(await t.sessionsOf(t.user.id)).toHaveLength(3);
    expect(t.logs).toEqual([]);
  });

  it('answers NotFound for a name nobody has', async () => {
    const t = await setUp();
    await expect(resetPassword(t.core, CLI_CALLER, { username: 'nobody', password: STRONG })).rejects.toThrow(
      new NotFound('user', 'There is no user named nobody'),
    );
  });

  it('is for the operator only: a signed-in person changes their password in settings', async () => {
    const t = await setUp();
    await expect(resetPassword(t.core, t.caller, { username: 'alice', password: STRONG })).rejects.toBeInstanceOf(Forbidden);
    expect(await t.sessionsOf(t.user.id)).toHaveLength(3);
  });
});
