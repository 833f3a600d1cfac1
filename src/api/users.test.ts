import { describe, expect, it } from 'vitest';
import { users } from '../db/schema';
import { Browser, createTestApp, insertUser, PASSWORD } from '../test-support';
import { api, sessionCount, userWithToken } from './test-helpers';

const alice = { username: 'alice', email: 'alice@example.com', password: PASSWORD };

describe('POST /api/users (registration)', () => {
  it('creates the user and answers 201 with a User whose token works on GET /user', async () => {
    const t = await createTestApp();
    const client = api(t);
    const res = await client.post('/users', { user: alice });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      user: { email: 'alice@example.com', token: expect.any(String), username: 'alice', bio: null, image: null },
    });
    expect(Object.keys(res.body.user)).toEqual(['email', 'token', 'username', 'bio', 'image']);
    expect(await t.db.select().from(users)).toHaveLength(1);
    expect(await sessionCount(t)).toBe(1);

    const me = await client.get('/user', res.body.user.token);
    expect(me.status).toBe(200);
    expect(me.body).toEqual(res.body);
  });

  it.each([
    ['username missing', { email: alice.email, password: PASSWORD }, { username: ["can't be blank"] }],
    ['email missing', { username: 'alice', password: PASSWORD }, { email: ["can't be blank"] }],
    ['password missing', { username: 'alice', email: alice.email }, { password: ["can't be blank"] }],
    ['username blank', { ...alice, username: '   ' }, { username: ["can't be blank"] }],
    ['username empty', { ...alice, username: '' }, { username: ["can't be blank"] }],
    ['email blank', { ...alice, email: '' }, { email: ["can't be blank"] }],
    ['username null', { ...alice, username: null }, { username: ["can't be blank"] }],
    ['email invalid', { ...alice, email: 'not-an-email' }, { email: ['is not a valid email address'] }],
    ['password blank', { ...alice, password: '' }, { password: ["can't be blank"] }],
    ['password null', { ...alice, password: null }, { password: ["can't be blank"] }],
    ['password short', { ...alice, password: 'short' }, { password: ['is too short (minimum is 8 characters)'] }],
    ['username too long', { ...alice, username: 'a'.repeat(41) }, { username: ['is too long (maximum is 40 characters)'] }],
    ['username with spaces', { ...alice, username: 'has space' }, { username: ['can only contain letters, digits, _ and -'] }],
  ])('refuses %s with 422 and the message under the field name', async (_case, user, errors) => {
    const t = await createTestApp();
    const res = await api(t).post('/users', { user });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ errors });
    expect(await t.db.select().from(users)).toHaveLength(0);
  });

  it('names every invalid field at once', async () => {
    const t = await createTestApp();
    const res = await api(t).post('/users', { user: { username: '', email: 'nope', password: 'short' } });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['email', 'password', 'username']);
  });

  it.each([
    [{}, "can't be blank"],
    [{ username: 'alice', email: alice.email, password: PASSWORD }, "can't be blank"],
    [{ user: null }, "can't be blank"],
    [{ user: 'alice' }, 'must be an object'],
    [{ user: [alice] }, 'must be an object'],
  ])('answers 422 under "user" when the wrapper is missing or not an object: %j', async (body, message) => {
    const t = await createTestApp();
    const res = await api(t).post('/users', body);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ errors: { user: [message] } });
    expect(await t.db.select().from(users)).toHaveLength(0);
  });

  it.each([
    ['username', { ...alice, username: 'ALICE', email: 'other@example.com' }, { username: ['has already been taken'] }],
    ['email', { ...alice, username: 'other', email: 'Alice@Example.com' }, { email: ['has already been taken'] }],
    ['both', { ...alice, username: 'Alice', email: 'ALICE@example.com' }, { username: ['has already been taken'], email: ['has already been taken'] }],
  ])('answers 409 for a taken %s, whatever its case', async (_case, user, errors) => {
    const t = await createTestApp();
    await insertUser(t.db, 'alice');
    const res = await api(t).post('/users', { user });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ errors });
    expect(await t.db.select().from(users)).toHaveLength(1);
  });
});

describe('POST /api/users/login', () => {
  it('answers 200 with the User and a fresh token that works', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'alice', { bio: 'Hi', image: 'https://img.example/a.png' });
    const client = api(t);
    const res = await client.post('/users/login', { user: { email: 'ALICE@example.com', password: PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: { email: 'alice@example.com', token: expect.any(String), username: 'alice', bio: 'Hi', image: 'https://img.example/a.png' },
    });
    expect(await sessionCount(t)).toBe(1);
    const me = await client.get('/user', res.body.user.token);
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe('alice');
  });

  it.each([
    ['a wrong password', { email: 'alice@example.com', password: 'wrong password' }],
    ['an unknown email', { email: 'nobody@example.com', password: PASSWORD }],
  ])('answers 401 credentials invalid for %s, opening no session', async (_case, user) => {
    const t = await createTestApp();
    await insertUser(t.db, 'alice');
    const res = await api(t).post('/users/login', { user });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: { credentials: ['invalid'] } });
    expect(await sessionCount(t)).toBe(0);
  });

  it.each([
    [{ email: '', password: PASSWORD }, { email: ["can't be blank"] }],
    [{ email: 'alice@example.com', password: '' }, { password: ["can't be blank"] }],
    [{ email: 'alice@example.com' }, { password: ["can't be blank"] }],
    [{ password: PASSWORD }, { email: ["can't be blank"] }],
    [{ email: null, password: null }, { email: ["can't be blank"], password: ["can't be blank"] }],
  ])('answers 422 for blank or missing fields: %j', async (user, errors) => {
    const t = await createTestApp();
    await insertUser(t.db, 'alice');
    const res = await api(t).post('/users/login', { user });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ errors });
    expect(await sessionCount(t)).toBe(0);
  });

  it('answers 422 without the user wrapper', async () => {
    const t = await createTestApp();
    const res = await api(t).post('/users/login', { email: 'alice@example.com', password: PASSWORD });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ errors: { user: ["can't be blank"] } });
  });
});

describe('GET /api/user', () => {
  it('answers 401 "is missing" without an Authorization header', async () => {
    const t = await createTestApp();
    const res = await api(t).get('/user');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: { token: ['is missing'] } });
  });

  it.each([['Token garbage'], ['Token abc.def'], ['Basic YWxpY2U6cHc='], ['Token ']])(
    'answers 401 "is invalid" for the header %j',
    async (authorization) => {
      const t = await createTestApp();
      await userWithToken(t, 'alice');
      const res = await api(t).send('GET', '/user', { headers: { authorization } });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ errors: { token: ['is invalid'] } });
    },
  );

  it('answers with the same token that was presented, without opening new sessions', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice');
    const client = api(t);
    for (let i = 0; i < 3; i++) {
      const res = await client.get('/user', token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ user: { email: 'alice@example.com', token, username: 'alice', bio: null, image: null } });
    }
    expect(await sessionCount(t)).toBe(1);
  });

  it('refuses a token whose session has expired', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice');
    t.clock.advance(31 * 24 * 60 * 60 * 1000);
    const res = await api(t).get('/user', token);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: { token: ['is invalid'] } });
  });

  it('never authenticates by the session cookie of the web pages', async () => {
    const t = await createTestApp();
    const user = await insertUser(t.db, 'alice');
    const browser = new Browser(t.app);
    const signIn = await browser.post('/login', { email: user.email, password: PASSWORD });
    expect(signIn.status).toBe(303);
    expect(browser.cookies.get('session')).toEqual(expect.any(String));

    const res = await browser.get('/api/user');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ errors: { token: ['is missing'] } });
    // the same session token does work as a header
    const viaHeader = await api(t).get('/user', browser.cookies.get('session'));
    expect(viaHeader.status).toBe(200);
  });
});

describe('common passwords (Quire refuses them by default; BLOCK_COMMON_PASSWORDS=false is plain RealWorld)', () => {
  it.each([['password123'], ['12345678'], ['alice12345']])('POST /users refuses %j with 422 under password', async (password) => {
    const t = await createTestApp();
    const res = await api(t).post('/users', { user: { ...alice, password } });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors)).toEqual(['password']);
    expect(res.body.errors.password).toEqual([expect.stringMatching(/^is too easy to guess/)]);
    expect(await t.db.select().from(users)).toHaveLength(0);
  });

  it('POST /users with a common password and a taken name answers 422 for the password alone: it comes first', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'alice');
    const res = await api(t).post('/users', { user: { ...alice, password: 'password123' } });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors)).toEqual(['password']);
    expect(await t.db.select().from(users)).toHaveLength(1);
  });

  it('PUT /user refuses a common password with 422 and keeps the old one', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice');
    const before = (await t.db.select().from(users).limit(1))[0]!.passwordHash;
    const res = await api(t).put('/user', { user: { password: 'password123' } }, token);
    expect(res.status).toBe(422);
    expect(res.body.errors.password).toEqual([expect.stringMatching(/^is too easy to guess/)]);
    expect((await t.db.select().from(users).limit(1))[0]!.passwordHash).toBe(before);
  });

  it('accepts any password of 8 or more characters with BLOCK_COMMON_PASSWORDS=false', async () => {
    const t = await createTestApp({ env: { BLOCK_COMMON_PASSWORDS: 'false' } });
    const client = api(t);
    const res = await client.post('/users', { user: { ...alice, password: '12345678' } });
    expect(res.status).toBe(201);
    const update = await client.put('/user', { user: { password: 'password123' } }, res.body.user.token);
    expect(update.status).toBe(200);
  });
});
