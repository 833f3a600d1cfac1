/** /api/admin/users on the engine of the run: the same rules as /admin/users, in RealWorld's error shape. */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api, expectErrorShape, newToken, userWithToken } from '../api/test-helpers';
import { tablesOf } from '../db/engine';
import { createTestApp, insertArticle, PASSWORD, testEngine, type TestApp } from '../test-support';
import { PLACEHOLDER_USERNAME } from './queries';

async function withRole(t: TestApp, username: string, role: string) {
  const person = await userWithToken(t, username);
  const { users } = tablesOf(t.db);
  await t.db.update(users).set({ role }).where(eq(users.id, person.user.id));
  return person;
}

async function site() {
  const t = await createTestApp();
  const owner = await withRole(t, 'olive', 'owner');
  const admin = await withRole(t, 'adam', 'admin');
  const moderator = await withRole(t, 'mona', 'moderator');
  const author = await withRole(t, 'alice', 'author');
  return { t, client: api(t), owner, admin, moderator, author };
}

describe(`/api/admin/users on ${testEngine()}`, () => {
  it('lists accounts newest first, searchable, paginated, for admins and the owner only', async () => {
    const { client, owner, moderator } = await site();
    const all = await client.get('/admin/users', owner.token);
    expect(all.status).toBe(200);
    expect(all.body.usersCount).toBe(4);
    expect(all.body.users.map((user: { username: string }) => user.username)).toEqual(['alice', 'mona', 'adam', 'olive']);
    expect(all.body.users[0]).toEqual({ username: 'alice', email: 'alice@example.com', role: 'author', createdAt: expect.any(String), suspension: null });
    const found = await client.get('/admin/users?q=ADA', owner.token);
    expect(found.body.users.map((user: { username: string }) => user.username)).toEqual(['adam']);
    const authors = await client.get('/admin/users?role=moderator', owner.token);
    expect(authors.body.users.map((user: { username: string }) => user.username)).toEqual(['mona']);
    const badPage = await client.get('/admin/users?page=0', owner.token);
    expect(badPage.status).toBe(422);
    expectErrorShape(badPage.body);

    const refused = await client.get('/admin/users', moderator.token);
    expect([refused.status, refused.body]).toEqual([403, { errors: { user: ['forbidden'] } }]);
    expect((await client.get('/admin/users')).status).toBe(401);
  });

  it('PUT role: the same rules as the pages; "owner" hands the site over', async () => {
    const { t, client, owner, admin } = await site();
    const given = await client.put('/admin/users/alice/role', { role: 'moderator' }, admin.token);
    expect([given.status, given.body.user.role]).toEqual([200, 'moderator']);
    expect((await client.put('/admin/users/alice/role', { role: 'admin' }, admin.token)).status).toBe(403);
    expect((await client.put('/admin/users/olive/role', { role: 'author' }, admin.token)).status).toBe(403);
    expect((await client.put('/admin/users/adam/role', { role: 'author' }, admin.token)).status).toBe(403);
    // only the owner hands the site over
    expect((await client.put('/admin/users/alice/role', { role: 'owner' }, admin.token)).status).toBe(403);
    const bad = await client.put('/admin/users/alice/role', { role: 'emperor' }, owner.token);
    expect([bad.status, bad.body]).toEqual([422, { errors: { role: ['must be one of owner, admin, moderator, author'] } }]);
    expect((await client.put('/admin/users/nobody/role', { role: 'author' }, owner.token)).status).toBe(404);

    const handed = await client.put('/admin/users/adam/role', { role: 'owner' }, owner.token);
    expect([handed.status, handed.body.user.role]).toEqual([200, 'owner']);
    const { users } = tablesOf(t.db);
    const owners = await t.db.select({ username: users.username }).from(users).where(eq(users.role, 'owner'));
    expect(owners).toEqual([{ username: 'adam' }]);
  });

  it('suspend ends the API token at once; sign-in says why; unsuspend brings the articles back', async () => {
    const { t, client, admin, author } = await site();
    const other = await newToken(t, author.user.id);
    const article = await insertArticle(t.db, author.user.id, { title: 'Read me' });
    const res = await client.post('/admin/users/alice/suspend', { until: '2999-01-31', reason: 'Spam' }, admin.token);
    expect(res.status).toBe(200);
    expect(res.body.user.suspension).toEqual({ since: expect.any(String), until: '2999-01-31T00:00:00.000Z', reason: 'Spam' });
    for (const token of [author.token, other]) expect((await client.get('/user', token)).status).toBe(401);
    expect((await client.get(`/articles/${article.slug}`)).status).toBe(404);
    const signIn = await client.post('/users/login', { user: { email: 'alice@example.com', password: PASSWORD } });
    expect([signIn.status, signIn.body]).toEqual([403, { errors: { account: ['This account is suspended until 2999-01-31 00:00 UTC: Spam'] } }]);

    const past = await client.post('/admin/users/alice/suspend', { until: '2001-01-01', reason: 'Spam' }, admin.token);
    expect([past.status, past.body]).toEqual([422, { errors: { until: ['must be in the future'] } }]);
    const blank = await client.post('/admin/users/alice/suspend', { reason: '' }, admin.token);
    expect([blank.status, blank.body]).toEqual([422, { errors: { reason: ["can't be blank"] } }]);

    const lifted = await client.post('/admin/users/alice/unsuspend', undefined, admin.token);
    expect([lifted.status, lifted.body.user.suspension]).toEqual([200, null]);
    expect((await client.get(`/articles/${article.slug}`)).status).toBe(200);
    const again = await client.post('/admin/users/alice/unsuspend', undefined, admin.token);
    expect([again.status, again.body]).toEqual([422, { errors: { user: ['is not suspended'] } }]);
  });

  it('DELETE removes the account, keeping its content under the placeholder with ?keepContent=true', async () => {
    const { t, client, owner, admin, author } = await site();
    const article = await insertArticle(t.db, author.user.id, { title: 'Kept' });
    expect((await client.del('/admin/users/olive', admin.token)).status).toBe(403);
    expect((await client.del('/admin/users/alice?keepContent=maybe', admin.token)).status).toBe(422);
    const res = await client.del('/admin/users/alice?keepContent=true', admin.token);
    expect(res.status).toBe(204);
    const read = await client.get(`/articles/${article.slug}`);
    expect(read.body.article.author.username).toBe(PLACEHOLDER_USERNAME);
    expect((await client.get('/user', author.token)).status).toBe(401);
    expect((await client.del('/admin/users/mona', owner.token)).status).toBe(204);
    expect((await client.get('/profiles/mona')).status).toBe(404);
  });
});
