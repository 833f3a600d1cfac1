import { describe, expect, it } from 'vitest';
import { follows } from '../db/schema';
import { createTestApp, insertUser, type TestApp } from '../test-support';
import { api, userWithToken } from './test-helpers';

const followRows = async (t: TestApp) =>
  await t.db.select({ followerId: follows.followerId, followedId: follows.followedId }).from(follows);

describe('GET /api/profiles/:username', () => {
  it('answers a profile with following false for an anonymous reader, bio and image null when unset', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'bob');
    const res = await api(t).get('/profiles/bob');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ profile: { username: 'bob', bio: null, image: null, following: false } });
    expect(Object.keys(res.body.profile)).toEqual(['username', 'bio', 'image', 'following']);
  });

  it('shows bio and image, and following true to a follower only', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'bob', { bio: 'Writes', image: 'https://img.example/bob.png' });
    const alice = await userWithToken(t, 'alice');
    const carol = await userWithToken(t, 'carol');
    const client = api(t);
    expect((await client.post('/profiles/bob/follow', undefined, alice.token)).status).toBe(200);

    const forAlice = await client.get('/profiles/bob', alice.token);
    expect(forAlice.body).toEqual({ profile: { username: 'bob', bio: 'Writes', image: 'https://img.example/bob.png', following: true } });
    expect((await client.get('/profiles/bob', carol.token)).body.profile.following).toBe(false);
    expect((await client.get('/profiles/bob')).body.profile.following).toBe(false);
  });

  it('treats an invalid token as anonymous on this optional-auth route', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'bob');
    const res = await api(t).get('/profiles/bob', 'not.valid');
    expect(res.status).toBe(200);
    expect(res.body.profile.following).toBe(false);
  });

  it('answers 404 profile not found for an unknown username', async () => {
    const t = await createTestApp();
    const res = await api(t).get('/profiles/nobody');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: { profile: ['not found'] } });
  });
});

describe('POST and DELETE /api/profiles/:username/follow', () => {
  it.each([['POST'], ['DELETE']])('%s answers 401 before looking anything up, even for an unknown user', async (method) => {
    const t = await createTestApp();
    await insertUser(t.db, 'bob');
    const client = api(t);
    for (const name of ['bob', 'nobody']) {
      const missing = await client.send(method, `/profiles/${name}/follow`);
      expect(missing.status).toBe(401);
      expect(missing.body).toEqual({ errors: { token: ['is missing'] } });
      const invalid = await client.send(method, `/profiles/${name}/follow`, { token: 'bad.token' });
      expect(invalid.status).toBe(401);
      expect(invalid.body).toEqual({ errors: { token: ['is invalid'] } });
    }
    expect(await followRows(t)).toEqual([]);
  });

  it.each([['POST'], ['DELETE']])('%s answers 404 profile not found for an unknown user', async (method) => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice');
    const res = await api(t).send(method, '/profiles/nobody/follow', { token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: { profile: ['not found'] } });
  });

  it('follows with no body and no content type, idempotently, then unfollows', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    const alice = await userWithToken(t, 'alice');
    const client = api(t);

    for (let i = 0; i < 2; i++) {
      const res = await client.post('/profiles/bob/follow', undefined, alice.token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ profile: { username: 'bob', bio: null, image: null, following: true } });
    }
    expect(await followRows(t)).toEqual([{ followerId: alice.user.id, followedId: bob.id }]);

    for (let i = 0; i < 2; i++) {
      const res = await client.del('/profiles/bob/follow', alice.token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ profile: { username: 'bob', bio: null, image: null, following: false } });
    }
    expect(await followRows(t)).toEqual([]);
    expect((await client.get('/profiles/bob', alice.token)).body.profile.following).toBe(false);
  });

  it('ignores a JSON body sent along with the follow', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'bob');
    const alice = await userWithToken(t, 'alice');
    const res = await api(t).post('/profiles/bob/follow', {}, alice.token);
    expect(res.status).toBe(200);
    expect(res.body.profile.following).toBe(true);
  });

  it('does not let users follow themselves', async () => {
    const t = await createTestApp();
    const alice = await userWithToken(t, 'alice');
    const res = await api(t).post('/profiles/alice/follow', undefined, alice.token);
    expect(res.status).toBe(200);
    expect(res.body.profile.following).toBe(false);
    expect(await followRows(t)).toEqual([]);
  });
});

describe('GET /api/users/:id', () => {
  it('answers the public identity of a user, with no email', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'alice');
    const bob = await insertUser(t.db, 'bob', { bio: 'Hello', image: 'https://img.example/bob.png' });
    const client = api(t);
    const res = await client.get(`/users/${bob.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: bob.id, username: 'bob', bio: 'Hello', image: 'https://img.example/bob.png' });

    const plain = await client.get('/users/1');
    expect(plain.body).toEqual({ id: 1, username: 'alice', bio: null, image: null });
  });

  it.each([['999'], ['abc'], ['0'], ['-1'], ['1.5'], ['01'], ['1e3']])('answers 404 for the id %j', async (id) => {
    const t = await createTestApp();
    await insertUser(t.db, 'alice');
    const res = await api(t).get(`/users/${id}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: { user: ['not found'] } });
  });
});
