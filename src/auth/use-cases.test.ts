import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { CLI_CALLER, NotFound } from '../core';
import { sessions, users } from '../db/schema';
import { TooManyRequests } from '../security/limits';
import { createTestCore, insertUser, PASSWORD, testCaller } from '../test-support';
import { verifyPassword } from './password';
import { createSession, sessionHandle } from './session';
import { INVALID_CREDENTIALS, revokeOtherSessions, revokeSession, signIn, signOut, signUp } from './use-cases';

const STRONG = 'lantern orchard velvet';
const alice = { username: 'alice', email: 'alice@example.com', password: STRONG };

describe('signUp', () => {
  it('creates the account and its first session, and logs the sign-up with the caller', async () => {
    const { core, logs } = await createTestCore();
    const result = await signUp(core, testCaller(), alice);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { user, session } = result.value;
    expect(user).toMatchObject({ username: 'alice', email: 'alice@example.com' });
    expect(await verifyPassword(user.passwordHash, STRONG)).toBe(true);
    const rows = await core.db.select().from(sessions);
    expect(rows).toEqual([expect.objectContaining({ userId: user.id, userAgent: 'test-agent' })]);
    expect(session!.token.startsWith(`${rows[0]!.id}.`)).toBe(true);
    expect(logs.filter((line) => line.msg === 'security.signup')).toEqual([
      { level: 'info', msg: 'security.signup', event: 'signup', requestId: 'test-request', ip: '192.0.2.1', userId: user.id, door: 'web' },
    ]);
  });

  it("answers every field's problem at once in RealWorld's words, and writes nothing", async () => {
    const { core, logs } = await createTestCore();
    await insertUser(core.db, 'Alice');

    const result = await signUp(core, testCaller(), { username: 'ALICE', email: 'Alice@Example.com', password: 'password1' });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors)).toEqual(['password', 'username', 'email']);
    expect(result.errors['password']![0]).toMatch(/^is too easy to guess/);
    expect(result.errors['username']).toEqual(['has already been taken']);
    expect(result.errors['email']).toEqual(['has already been taken']);
    expect(await core.db.select().from(users)).toHaveLength(1);
    expect(await core.db.select().from(sessions)).toHaveLength(0);
    expect(logs).toEqual([]);
  });

  it('spends the per-address sign-up limit on every attempt, a refused one included, so names cannot be tested faster', async () => {
    const { core } = await createTestCore({ env: { RATE_LIMIT_SIGNUP: '2/h' } });
    await insertUser(core.db, 'taken');
    const caller = testCaller({ ip: '203.0.113.9' });

    expect((await signUp(core, caller, { ...alice, username: 'taken' })).ok).toBe(false);
    expect((await signUp(core, caller, alice)).ok).toBe(true);
    // spent: the answer is the same whether the name is taken or free
    await expect(signUp(core, caller, { username: 'taken', email: 'bob@example.com', password: STRONG })).rejects.toBeInstanceOf(TooManyRequests);
    await expect(signUp(core, caller, { username: 'bob', email: 'bob@example.com', password: STRONG })).rejects.toBeInstanceOf(TooManyRequests);
    // another address has its own budget
    expect((await signUp(core, testCaller({ ip: '203.0.113.10' }), { username: 'bob', email: 'bob@example.com', password: STRONG })).ok).toBe(true);
  });

  it('as the operator (the CLI): same rules, no sign-up limit, no session, the event logged with door cli', async () => {
    const { core, logs } = await createTestCore({ env: { RATE_LIMIT_SIGNUP: '1/h' } });

    const first = await signUp(core, CLI_CALLER, alice);
    const second = await signUp(core, CLI_CALLER, { username: 'bob', email: 'bob@example.com', password: STRONG });
    const weak = await signUp(core, CLI_CALLER, { username: 'carol', email: 'carol@example.com', password: 'password1' });

    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(first.value.session).toBeNull();
    expect(await core.db.select().from(sessions)).toHaveLength(0);
    expect(weak.ok).toBe(false);
    expect(logs.filter((line) => line.msg === 'security.signup')).toEqual([
      expect.objectContaining({ door: 'cli', userId: first.value.user.id, requestId: null, ip: null }),
      expect.objectContaining({ door: 'cli', userId: second.value.user.id }),
    ]);
  });

  it('refuses a name taken while the password was being hashed, rather than failing on the index', async () => {
    // (no strength check, so both sign-ups pass their checks before either is hashed and written)
    const { core } = await createTestCore({ env: { BLOCK_COMMON_PASSWORDS: 'false' } });
    const results = await Promise.all([
      signUp(core, testCaller({ ip: '192.0.2.1' }), alice),
      signUp(core, testCaller({ ip: '192.0.2.2' }), { ...alice, username: 'Alice', email: 'ALICE@example.com' }),
    ]);

    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.find((result) => !result.ok)).toEqual({
      ok: false,
      errors: { username: ['has already been taken'], email: ['has already been taken'] },
    });
    expect(await core.db.select().from(users)).toHaveLength(1);
    expect(await core.db.select().from(sessions)).toHaveLength(1);
  });
});

describe('signIn', () => {
  it('starts a session for the right password, whatever the case of the email', async () => {
    const { core, logs } = await createTestCore();
    const user = await insertUser(core.db, 'erin');

    const result = await signIn(core, testCaller({ door: 'api' }), { email: 'ERIN@example.com', password: PASSWORD });

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.user.id).toBe(user.id);
    expect(result.value.session.expiresAt.getTime()).toBeGreaterThan(core.clock());
    expect(await core.db.select().from(sessions)).toEqual([expect.objectContaining({ userId: user.id })]);
    expect(logs.filter((line) => line.msg.startsWith('security.'))).toEqual([
      expect.objectContaining({ msg: 'security.signin.success', userId: user.id, door: 'api' }),
    ]);
  });

  it.each([
    ['a wrong password', 'erin@example.com', 'not the password', true],
    ['an unknown email', 'nobody@example.com', PASSWORD, false],
  ])('answers %s with the same form error, and logs the failure', async (_case, email, password, knownEmail) => {
    const { core, logs } = await createTestCore();
    await insertUser(core.db, 'erin');

    const result = await signIn(core, testCaller(), { email, password });

    expect(result).toEqual({ ok: false, errors: { form: [INVALID_CREDENTIALS] } });
    expect(await core.db.select().from(sessions)).toHaveLength(0);
    expect(logs).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'security.signin.failure', email, knownEmail, door: 'web', userId: null }),
    ]);
  });

  it('backs off after failures before any password work, and lets the right password in once the wait is over', async () => {
    const { core, clock } = await createTestCore();
    await insertUser(core.db, 'erin');
    const caller = testCaller();
    const wrong = { email: 'erin@example.com', password: 'not the password' };

    await signIn(core, caller, wrong);
    await signIn(core, caller, wrong);
    await expect(signIn(core, caller, { email: 'erin@example.com', password: PASSWORD })).rejects.toBeInstanceOf(TooManyRequests);

    clock.advance(2_000);
    expect((await signIn(core, caller, { email: 'erin@example.com', password: PASSWORD })).ok).toBe(true);
  });
});

describe('signOut', () => {
  it('ends the session the caller came with and logs it; without one it does nothing', async () => {
    const { core, logs } = await createTestCore();
    const user = await insertUser(core.db, 'frank');
    const { session } = await createSession(core.db, user.id, { now: core.clock() });
    const other = await createSession(core.db, user.id, { now: core.clock() });

    await signOut(core, testCaller({ userId: user.id }), { sessionId: session.id });
    await signOut(core, testCaller(), { sessionId: null });

    expect(await core.db.select({ id: sessions.id }).from(sessions)).toEqual([{ id: other.session.id }]);
    expect(logs).toEqual([expect.objectContaining({ msg: 'security.signout', userId: user.id })]);
  });
});

describe('revokeSession and revokeOtherSessions', () => {
  async function twoUsersWithSessions() {
    const t = await createTestCore();
    const alice = await insertUser(t.core.db, 'alice');
    const mallory = await insertUser(t.core.db, 'mallory');
    const start = async (userId: number) => (await createSession(t.core.db, userId, { now: t.core.clock() })).session.id;
    return { ...t, alice, here: await start(alice.id), there: await start(alice.id), spare: await start(alice.id), mallorys: await start(mallory.id) };
  }
  const remaining = async (t: Awaited<ReturnType<typeof twoUsersWithSessions>>) =>
    (await t.core.db.select({ id: sessions.id }).from(sessions)).map((row) => row.id).sort();

  it("ends exactly the named one of the user's own sessions, and logs it", async () => {
    const t = await twoUsersWithSessions();

    await revokeSession(t.core, testCaller({ userId: t.alice.id }), { handle: sessionHandle(t.there) });

    expect(await remaining(t)).toEqual([t.here, t.spare, t.mallorys].sort());
    expect(t.logs).toEqual([expect.objectContaining({ msg: 'security.session.revoked', scope: 'one', userId: t.alice.id })]);
  });

  it("answers NotFound for someone else's session or one already ended, and ends nothing", async () => {
    const t = await twoUsersWithSessions();
    const caller = testCaller({ userId: t.alice.id });

    await expect(revokeSession(t.core, caller, { handle: sessionHandle(t.mallorys) })).rejects.toBeInstanceOf(NotFound);
    await expect(revokeSession(t.core, caller, { handle: 'no-such-handle' })).rejects.toThrow('That session does not exist');

    expect(await remaining(t)).toHaveLength(4);
    expect(t.logs).toEqual([]);
  });

  it('ends every other session of the user, keeps the one in use and everyone else’s', async () => {
    const t = await twoUsersWithSessions();

    await revokeOtherSessions(t.core, testCaller({ userId: t.alice.id }), { currentSessionId: t.here });

    expect(await remaining(t)).toEqual([t.here, t.mallorys].sort());
    expect(await t.core.db.select().from(sessions).where(eq(sessions.userId, t.alice.id))).toHaveLength(1);
    expect(t.logs).toEqual([expect.objectContaining({ msg: 'security.session.revoked', scope: 'others' })]);
  });
});
