import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { users } from '../db/schema';
import { lastMailTo, linkIn } from '../account-links/test-helpers';
import { createTestApp, insertUser, ORIGIN, PASSWORD, type TestApp } from '../test-support';
import { api, newToken, sessionCount, userWithToken } from './test-helpers';

const row = async (t: TestApp, id: number) => (await t.db.select().from(users).where(eq(users.id, id)).limit(1))[0]!;

describe('PUT /api/user', () => {
  it('answers 401 without a token, and with an invalid one', async () => {
    const t = await createTestApp();
    const client = api(t);
    const missing = await client.put('/user', { user: { bio: 'x' } });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ errors: { token: ['is missing'] } });
    const invalid = await client.put('/user', { user: { bio: 'x' } }, 'nope.nope');
    expect(invalid.status).toBe(401);
    expect(invalid.body).toEqual({ errors: { token: ['is invalid'] } });
  });

  it.each([
    [{ username: 'alicia' }, { username: 'alicia' }],
    [{ bio: 'I write things.' }, { bio: 'I write things.' }],
    [{ image: 'https://img.example/me.png' }, { image: 'https://img.example/me.png' }],
    [{ image: 'http://img.example/me.png' }, { image: 'http://img.example/me.png' }],
  ])('changes only what is given: %j', async (change, expected) => {
    const t = await createTestApp();
    const { user, token } = await userWithToken(t, 'alice', { bio: 'Old bio', image: 'https://img.example/old.png' });
    const client = api(t);
    const before = { email: 'alice@example.com', token, username: 'alice', bio: 'Old bio', image: 'https://img.example/old.png' };
    const res = await client.put('/user', { user: change }, token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: { ...before, ...expected } });
    const { token: _token, ...stored } = { ...before, ...expected };
    expect(await row(t, user.id)).toMatchObject(stored);
    const me = await client.get('/user', token);
    expect(me.body).toEqual(res.body);
  });

  it('keeps the email until the new address is confirmed: the answer and GET /user show the current one', async () => {
    const t = await createTestApp();
    const { user, token } = await userWithToken(t, 'alice');
    const client = api(t);
    const res = await client.put('/user', { user: { email: 'new@example.com', bio: 'Moved' } }, token);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ email: 'alice@example.com', bio: 'Moved' });
    expect((await client.get('/user', token)).body.user.email).toBe('alice@example.com');
    expect((await row(t, user.id)).email).toBe('alice@example.com');

    const mail = await lastMailTo(t.db, 'new@example.com', 'email-confirm');
    const link = linkIn(mail, '/confirm-email/');
    // opening the link confirms nothing (mail scanners open links); its button does
    expect((await t.app.request(`${ORIGIN}${link}`)).status).toBe(200);
    expect((await row(t, user.id)).email).toBe('alice@example.com');
    const confirmed = await t.app.request(`${ORIGIN}${link}`, { method: 'POST', headers: { origin: ORIGIN } });
    expect(confirmed.status).toBe(303);
    expect((await client.get('/user', token)).body.user.email).toBe('new@example.com');
    // the old address is told
    expect((await lastMailTo(t.db, 'alice@example.com', 'security-notice')).subject).toBe('Your e-mail address was changed');
  });

  it.each([
    ['bio', ''],
    ['bio', null],
    ['image', ''],
    ['image', null],
  ])('stores null for %s %j and answers null', async (field, value) => {
    const t = await createTestApp();
    const { user, token } = await userWithToken(t, 'alice', { bio: 'Old bio', image: 'https://img.example/old.png' });
    const res = await api(t).put('/user', { user: { [field]: value } }, token);
    expect(res.status).toBe(200);
    expect(res.body.user[field]).toBeNull();
    expect((await row(t, user.id))[field as 'bio' | 'image']).toBeNull();
    // the other one is untouched
    const other = field === 'bio' ? 'image' : 'bio';
    expect(res.body.user[other]).not.toBeNull();
  });

  it.each([
    [{ email: '' }, { email: ["can't be blank"] }],
    [{ email: null }, { email: ["can't be blank"] }],
    [{ email: 'not-an-email' }, { email: ['is not a valid email address'] }],
    [{ username: '' }, { username: ["can't be blank"] }],
    [{ username: null }, { username: ["can't be blank"] }],
    [{ username: 'a'.repeat(41) }, { username: ['is too long (maximum is 40 characters)'] }],
    [{ password: null }, { password: ["can't be blank"] }],
    [{ password: 'short' }, { password: ['is too short (minimum is 8 characters)'] }],
    [{ password: '1234567' }, { password: ['is too short (minimum is 8 characters)'] }],
    [{ bio: 'b'.repeat(1001) }, { bio: ['is too long (maximum is 1000 characters)'] }],
    [{ image: 'javascript:alert(1)' }, { image: ['must be an http:// or https:// URL'] }],
    [{ image: 'ftp://img.example/me.png' }, { image: ['must be an http:// or https:// URL'] }],
  ])('refuses %j with 422 and changes nothing', async (change, errors) => {
    const t = await createTestApp();
    const { user, token } = await userWithToken(t, 'alice', { bio: 'Old bio' });
    const before = await row(t, user.id);
    const res = await api(t).put('/user', { user: change }, token);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ errors });
    expect(await row(t, user.id)).toEqual(before);
  });

  it('refuses an empty password with 422 "can\'t be blank", keeping the old one', async () => {
    const t = await createTestApp();
    const { user, token } = await userWithToken(t, 'alice');
    const before = (await row(t, user.id)).passwordHash;
    const res = await api(t).put('/user', { user: { password: '' } }, token);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ errors: { password: ["can't be blank"] } });
    expect((await row(t, user.id)).passwordHash).toBe(before);
  });

  it('accepts a bio of exactly 1000 characters and a username of exactly 40', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice');
    const res = await api(t).put('/user', { user: { bio: 'b'.repeat(1000), username: 'u'.repeat(40) } }, token);
    expect(res.status).toBe(200);
    expect(res.body.user.bio).toHaveLength(1000);
    expect(res.body.user.username).toBe('u'.repeat(40));
  });

  it.each([
    [{ username: 'BOB' }, { username: ['has already been taken'] }],
    [{ email: 'Bob@Example.com' }, { email: ['has already been taken'] }],
  ])('answers 409 for %j taken by someone else', async (change, errors) => {
    const t = await createTestApp();
    await insertUser(t.db, 'bob');
    const { user, token } = await userWithToken(t, 'alice');
    const res = await api(t).put('/user', { user: change }, token);
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ errors });
    expect((await row(t, user.id)).username).toBe('alice');
    expect((await row(t, user.id)).email).toBe('alice@example.com');
  });

  it('lets users keep their own username and email, or change their case', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice');
    const res = await api(t).put('/user', { user: { username: 'Alice', email: 'alice@example.com' } }, token);
    expect(res.status).toBe(200);
    expect(res.body.user.username).toBe('Alice');
  });

  it('answers 422 without the user wrapper', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice');
    const res = await api(t).put('/user', { bio: 'unwrapped' }, token);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ errors: { user: ["can't be blank"] } });
  });

  it('after a password change: the same token still works, other sessions end, the new password signs in', async () => {
    const t = await createTestApp();
    const { user, token } = await userWithToken(t, 'alice');
    const otherDevice = await newToken(t, user.id);
    const bob = await userWithToken(t, 'bob');
    expect(await sessionCount(t)).toBe(3);
    const client = api(t);

    const res = await client.put('/user', { user: { password: 'a brand new passphrase' } }, token);
    expect(res.status).toBe(200);
    expect(res.body.user.token).toBe(token);

    expect((await client.get('/user', token)).status).toBe(200);
    const ended = await client.get('/user', otherDevice);
    expect(ended.status).toBe(401);
    expect(ended.body).toEqual({ errors: { token: ['is invalid'] } });
    expect((await client.get('/user', bob.token)).status).toBe(200);
    expect(await sessionCount(t)).toBe(2);

    const oldLogin = await client.post('/users/login', { user: { email: 'alice@example.com', password: PASSWORD } });
    expect(oldLogin.status).toBe(401);
    const newLogin = await client.post('/users/login', { user: { email: 'alice@example.com', password: 'a brand new passphrase' } });
    expect(newLogin.status).toBe(200);
    expect(newLogin.body.user.token).not.toBe(token);
  });

  it('keeps other sessions when the password is not changed', async () => {
    const t = await createTestApp();
    const { user, token } = await userWithToken(t, 'alice');
    const otherDevice = await newToken(t, user.id);
    const res = await api(t).put('/user', { user: { email: 'alice@new.example', bio: 'x' } }, token);
    expect(res.status).toBe(200);
    expect((await api(t).get('/user', otherDevice)).status).toBe(200);
  });
});
