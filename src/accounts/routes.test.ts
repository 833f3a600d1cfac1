/**
 * /admin/users and sign-in through the front door, on the engine of the run: who may change whose
 * role, suspension (sessions and tokens end, content goes and comes back, sign-in refused with why),
 * expiry, deletion with and without content, the owner's handover.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api, newToken } from '../api/test-helpers';
import { addComment } from '../comments/queries';
import { tablesOf } from '../db/engine';
import { runCleanups } from '../ops/cleanups';
import { Browser, createTestApp, dom, insertArticle, insertUser, PASSWORD, signedInBrowser, testEngine, type TestApp } from '../test-support';
import { PLACEHOLDER_BIO, PLACEHOLDER_USERNAME } from './queries';

const DAY = 24 * 60 * 60 * 1000;

async function setRole(t: TestApp, userId: number, role: string) {
  const { users } = tablesOf(t.db);
  await t.db.update(users).set({ role }).where(eq(users.id, userId));
}

/** A browser signed in as a new account of `role`. */
async function signedInAs(t: TestApp, username: string, role: string) {
  const person = await signedInBrowser(t, username);
  await setRole(t, person.user.id, role);
  return person;
}

async function roleOf(t: TestApp, username: string) {
  const { users } = tablesOf(t.db);
  return (await t.db.select({ role: users.role }).from(users).where(eq(users.username, username)))[0]?.role;
}

async function auditActions(t: TestApp) {
  const { auditLog } = tablesOf(t.db);
  return (await t.db.select().from(auditLog).orderBy(auditLog.id)).map((row) => ({
    action: row.action,
    actor: row.actorName,
    door: row.door,
    target: row.targetLabel,
    reason: row.reason,
    details: row.details ? (JSON.parse(row.details) as unknown) : null,
  }));
}

/** The owner, an admin, a moderator and an author, each signed in. */
async function site() {
  const t = await createTestApp();
  const owner = await signedInAs(t, 'olive', 'owner');
  const admin = await signedInAs(t, 'adam', 'admin');
  const moderator = await signedInAs(t, 'mona', 'moderator');
  const author = await signedInAs(t, 'alice', 'author');
  return { t, owner, admin, moderator, author };
}

describe(`/admin/users on ${testEngine()}`, () => {
  it('lists accounts newest first with role, state and joined date, searchable by name or email, for admins and the owner only', async () => {
    const { t, owner, moderator, author } = await site();
    const page = dom(await owner.browser.html('/admin/users'));
    const rows = page.querySelectorAll('tbody tr').map((row) => row.querySelector('th a')!.text);
    expect(rows).toEqual(['alice', 'mona', 'adam', 'olive']);
    expect(page.querySelector('tbody tr')!.text).toContain('Author');
    expect(page.querySelector('tbody tr')!.text).toContain('Active');

    const found = dom(await owner.browser.html('/admin/users?q=MON'));
    expect(found.querySelectorAll('tbody tr th a').map((a) => a.text)).toEqual(['mona']);
    const byEmail = dom(await owner.browser.html('/admin/users?q=adam%40example'));
    expect(byEmail.querySelectorAll('tbody tr th a').map((a) => a.text)).toEqual(['adam']);
    // a wildcard typed is a letter
    expect(dom(await owner.browser.html('/admin/users?q=%25')).querySelectorAll('tbody tr')).toHaveLength(0);

    expect((await moderator.browser.get('/admin/users')).status).toBe(403);
    expect((await author.browser.get('/admin/users')).status).toBe(403);
    const anonymous = await new Browser(t.app).get('/admin/users');
    expect([anonymous.status, anonymous.headers.get('location')]).toEqual([303, '/login']);
  });

  it('pages the list 25 at a time, keeping the search in the pager', async () => {
    const { t, owner } = await site();
    for (let i = 0; i < 30; i++) await insertUser(t.db, `reader-${String(i).padStart(2, '0')}`);
    const first = dom(await owner.browser.html('/admin/users'));
    expect(first.querySelectorAll('tbody tr')).toHaveLength(25);
    expect(first.querySelector('.admin-pager')!.text).toContain('Page 1 of 2');
    const second = dom(await owner.browser.html('/admin/users?page=2'));
    expect(second.querySelectorAll('tbody tr')).toHaveLength(9);
    expect(second.querySelectorAll('tbody tr th a').at(-1)!.text).toBe('olive');
    expect((await owner.browser.get('/admin/users?page=3')).status).toBe(404);
    expect((await owner.browser.get('/admin/users?page=two')).status).toBe(400);
    const searched = dom(await owner.browser.html('/admin/users?q=reader'));
    expect(searched.querySelector('a[rel=next]')!.getAttribute('href')).toBe('/admin/users?q=reader&page=2');
  });

  it('offers only the roles the viewer may give, and forms only on accounts they outrank', async () => {
    const { owner, admin } = await site();
    const asOwner = dom(await owner.browser.html('/admin/users'));
    expect(asOwner.querySelectorAll('#role-2 option').map((o) => o.getAttribute('value'))).toEqual(['admin', 'moderator', 'author']);
    // the owner's own row has no forms
    expect(asOwner.querySelector('#role-1')).toBeNull();
    const asAdmin = dom(await admin.browser.html('/admin/users'));
    expect(asAdmin.querySelectorAll('#role-3 option').map((o) => o.getAttribute('value'))).toEqual(['moderator', 'author']);
    // an admin has no form for another admin, themselves or the owner
    expect(asAdmin.querySelector('#role-2')).toBeNull();
    expect(asAdmin.querySelector('#role-1')).toBeNull();
    // only the owner may hand the site over
    expect(asOwner.text).toContain('Hand over ownership to adam');
    expect(asAdmin.text).not.toContain('Hand over ownership');
  });

  it('the owner makes admins; an admin makes moderators but not admins, and changes no admin’s role; nobody their own', async () => {
    const { t, owner, admin, moderator } = await site();
    const res = await owner.browser.post('/admin/users/alice/role', { role: 'admin', redirectTo: '/admin/users?page=1' });
    expect([res.status, res.headers.get('location')]).toEqual([303, '/admin/users?page=1']);
    expect(await roleOf(t, 'alice')).toBe('admin');

    await setRole(t, (await insertUser(t.db, 'bob')).id, 'author');
    expect((await admin.browser.post('/admin/users/bob/role', { role: 'moderator' })).status).toBe(303);
    expect(await roleOf(t, 'bob')).toBe('moderator');
    expect((await admin.browser.post('/admin/users/bob/role', { role: 'admin' })).status).toBe(403);
    expect((await admin.browser.post('/admin/users/alice/role', { role: 'author' })).status).toBe(403);
    expect((await admin.browser.post('/admin/users/adam/role', { role: 'moderator' })).status).toBe(403);
    expect((await admin.browser.post('/admin/users/olive/role', { role: 'author' })).status).toBe(403);
    expect((await owner.browser.post('/admin/users/olive/role', { role: 'admin' })).status).toBe(403);
    // the owner role is handed over, never given
    expect((await owner.browser.post('/admin/users/bob/role', { role: 'owner' })).status).toBe(403);
    // a moderator cannot even reach the form
    expect((await moderator.browser.post('/admin/users/bob/role', { role: 'author' })).status).toBe(403);
    expect([await roleOf(t, 'bob'), await roleOf(t, 'adam'), await roleOf(t, 'olive')]).toEqual(['moderator', 'admin', 'owner']);

    const bad = await owner.browser.post('/admin/users/bob/role', { role: 'emperor' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Role must be one of owner, admin, moderator, author');

    expect(await auditActions(t)).toEqual([
      { action: 'user.role', actor: 'olive', door: 'web', target: 'alice', reason: null, details: { from: 'author', to: 'admin' } },
      { action: 'user.role', actor: 'adam', door: 'web', target: 'bob', reason: null, details: { from: 'author', to: 'moderator' } },
    ]);
  });

  it('a role change holds at once: the new admin opens /admin/users on their next request', async () => {
    const { t, owner, author } = await site();
    expect((await author.browser.get('/admin/users')).status).toBe(403);
    await owner.browser.post('/admin/users/alice/role', { role: 'admin' });
    expect((await author.browser.get('/admin/users')).status).toBe(200);
    expect(await roleOf(t, 'alice')).toBe('admin');
  });

  it('suspending ends every session and API token at once, hides the articles and comments, and sign-in says why', async () => {
    const { t, admin, author, moderator } = await site();
    const token = await newToken(t, author.user.id);
    const client = api(t);
    const article = await insertArticle(t.db, author.user.id, { title: 'Spam galore', tagList: ['spam'] });
    const other = await insertArticle(t.db, admin.user.id, { title: 'Fine words' });
    await addComment(t.db, other.id, author.user.id, 'Buy my spam', t.clock());
    expect((await client.get('/user', token)).status).toBe(200);

    // every list an anonymous reader sees, asked once so that the cache holds it
    const anonymous = new Browser(t.app);
    const LISTS = ['/', '/tag/spam', '/feed.atom', '/feed.json', '/tag/spam/feed.atom', '/sitemap.xml', '/search?q=spam', '/profile/alice'];
    const API_LISTS = ['/articles', '/articles?tag=spam', '/articles?author=alice'];
    for (const path of LISTS) expect(await anonymous.html(path), path).toContain(`/article/${article.slug}`);
    for (const path of API_LISTS) expect(JSON.stringify((await client.get(path)).body), path).toContain('Spam galore');
    expect(await anonymous.html(`/article/${other.slug}`)).toContain('Buy my spam');
    expect(JSON.stringify((await client.get(`/articles/${other.slug}/comments`)).body)).toContain('Buy my spam');

    const res = await admin.browser.post('/admin/users/alice/suspend', { until: '', reason: 'Spam' });
    expect(res.status).toBe(303);

    // sessions and tokens: gone
    expect((await client.get('/user', token)).status).toBe(401);
    const editor = await author.browser.get('/editor');
    expect([editor.status, editor.headers.get('location')]).toEqual([303, '/login']);
    // the content: gone for everyone but moderators, from the cache too
    for (const path of LISTS) expect(await anonymous.html(path), path).not.toContain(`/article/${article.slug}`);
    for (const path of API_LISTS) expect(JSON.stringify((await client.get(path)).body), path).not.toContain('Spam galore');
    expect((await anonymous.get(`/article/${article.slug}`)).status).toBe(404);
    expect((await client.get(`/articles/${article.slug}`)).status).toBe(404);
    expect(await moderator.browser.html(`/article/${article.slug}`)).toContain('Spam galore');
    expect(await anonymous.html('/sitemap.xml')).not.toContain('/profile/alice');
    expect((await client.get(`/users/${author.user.id}`)).status).toBe(404);
    // the comment: gone for everyone but moderators, hidden for the suspension
    expect(await anonymous.html(`/article/${other.slug}`)).not.toContain('Buy my spam');
    expect(await admin.browser.html(`/article/${other.slug}`)).toContain('Buy my spam');
    expect(JSON.stringify((await client.get(`/articles/${other.slug}/comments`)).body)).not.toContain('Buy my spam');
    const { comments } = tablesOf(t.db);
    expect(await t.db.select({ cause: comments.hiddenCause, reason: comments.hiddenReason }).from(comments)).toEqual([
      { cause: 'suspension', reason: 'Spam' },
    ]);
    // the profile: 404 but for moderators, who see why
    expect((await anonymous.get('/profile/alice')).status).toBe(404);
    expect((await client.get('/profiles/alice')).status).toBe(404);
    expect((await anonymous.get('/profile/alice/feed.atom')).status).toBe(404);
    const seen = await moderator.browser.html('/profile/alice');
    expect(seen).toContain('Suspended for good');
    expect(seen).toContain('Spam');

    // sign-in: refused with why, after the password is right only
    const signIn = await new Browser(t.app).post('/login', { email: 'alice@example.com', password: PASSWORD });
    expect(signIn.status).toBe(422);
    expect(await signIn.text()).toContain('This account is suspended for good: Spam');
    const wrong = await new Browser(t.app).post('/login', { email: 'alice@example.com', password: 'not the password' });
    expect(await wrong.text()).not.toContain('suspended');
    const apiSignIn = await client.post('/users/login', { user: { email: 'alice@example.com', password: PASSWORD } });
    expect([apiSignIn.status, apiSignIn.body]).toEqual([403, { errors: { account: ['This account is suspended for good: Spam'] } }]);
    const apiWrong = await client.post('/users/login', { user: { email: 'alice@example.com', password: 'not the password' } });
    expect(apiWrong.status).toBe(401);
    const { sessions } = tablesOf(t.db);
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, author.user.id))).toEqual([]);

    expect((await auditActions(t)).at(-1)).toEqual({
      action: 'user.suspend',
      actor: 'adam',
      door: 'web',
      target: 'alice',
      reason: 'Spam',
      details: { until: null },
    });

    // and everything comes back, from the cache too, when the suspension is lifted
    expect((await admin.browser.post('/admin/users/alice/unsuspend')).status).toBe(303);
    for (const path of LISTS) expect(await anonymous.html(path), path).toContain(`/article/${article.slug}`);
    for (const path of API_LISTS) expect(JSON.stringify((await client.get(path)).body), path).toContain('Spam galore');
    expect(await t.db.select({ at: comments.hiddenAt }).from(comments)).toEqual([{ at: null }]);
    expect(await anonymous.html(`/article/${other.slug}`)).toContain('Buy my spam');
    expect(JSON.stringify((await client.get(`/articles/${other.slug}/comments`)).body)).toContain('Buy my spam');
  });

  it('unsuspending brings back what the suspension hid, but not what a moderator hid', async () => {
    const { t, admin } = await site();
    const alice = (await t.db.select().from(tablesOf(t.db).users).where(eq(tablesOf(t.db).users.username, 'alice')))[0]!;
    await insertArticle(t.db, alice.id, { title: 'Comes back' });
    const moderated = await insertArticle(t.db, alice.id, { title: 'Stays hidden' });
    const { articles } = tablesOf(t.db);
    await t.db
      .update(articles)
      .set({ hiddenAt: new Date(t.clock()), hiddenCause: 'moderation', hiddenReason: 'Off topic' })
      .where(eq(articles.id, moderated.id));

    await admin.browser.post('/admin/users/alice/suspend', { until: '', reason: 'Cooling off' });
    const anonymous = new Browser(t.app);
    expect(await anonymous.html('/')).not.toContain('Comes back');
    const res = await admin.browser.post('/admin/users/alice/unsuspend', {});
    expect(res.status).toBe(303);
    const home = await anonymous.html('/');
    expect(home).toContain('Comes back');
    expect(home).not.toContain('Stays hidden');
    expect((await anonymous.get('/profile/alice')).status).toBe(200);
    const signIn = await new Browser(t.app).post('/login', { email: 'alice@example.com', password: PASSWORD });
    expect(signIn.status).toBe(303);

    // unsuspending someone who is not suspended: the list again, with why
    const again = await admin.browser.post('/admin/users/alice/unsuspend', {});
    expect(again.status).toBe(422);
    expect(await again.text()).toContain('alice is not suspended');
    expect((await auditActions(t)).map((entry) => entry.action)).toEqual(['user.suspend', 'user.unsuspend']);
  });

  it('a suspension form that does not fit comes back with what was typed and the errors beside the fields', async () => {
    const { t, admin, author } = await site();
    const res = await admin.browser.post('/admin/users/alice/suspend', { until: '2020-01-01', reason: 'Too late' });
    expect(res.status).toBe(422);
    const page = dom(await res.text());
    expect(page.querySelector(`#until-${author.user.id}`)!.getAttribute('value')).toBe('2020-01-01');
    expect(page.querySelector(`#reason-${author.user.id}`)!.getAttribute('value')).toBe('Too late');
    expect(page.querySelector(`#until-${author.user.id}-error`)!.text).toBe('Until must be in the future');

    const blank = await admin.browser.post('/admin/users/alice/suspend', { until: 'next week', reason: ' ' });
    expect(blank.status).toBe(422);
    const text = await blank.text();
    expect(text).toContain('Until is not a date');
    expect(text).toContain('Reason can&#39;t be blank');
    expect(await auditActions(t)).toEqual([]);
  });

  it('nobody suspends or deletes the owner, someone of their rank or above, or themselves', async () => {
    const { t, owner, admin } = await site();
    for (const [who, target] of [
      [admin, 'olive'],
      [admin, 'adam'],
      [owner, 'olive'],
    ] as const) {
      expect((await who.browser.post(`/admin/users/${target}/suspend`, { until: '', reason: 'x' })).status).toBe(403);
      expect((await who.browser.post(`/admin/users/${target}/delete`, { keepContent: 'no' })).status).toBe(403);
      expect((await who.browser.get(`/admin/users/${target}/delete`)).status).toBe(403);
    }
    expect(await auditActions(t)).toEqual([]);
    expect((await owner.browser.post('/admin/users/nobody/suspend', { until: '', reason: 'x' })).status).toBe(404);
  });

  it('a suspension with an end is lifted by the clean-ups, and at sign-in once its end has come', async () => {
    const { t, admin } = await site();
    const alice = (await t.db.select().from(tablesOf(t.db).users).where(eq(tablesOf(t.db).users.username, 'alice')))[0]!;
    await insertArticle(t.db, alice.id, { title: 'Back after a week' });
    await insertUser(t.db, 'bob');
    const until = new Date(t.clock() + 7 * DAY).toISOString().slice(0, 10);
    expect((await admin.browser.post('/admin/users/alice/suspend', { until, reason: 'A week off' })).status).toBe(303);
    expect((await admin.browser.post('/admin/users/bob/suspend', { until, reason: 'A week off' })).status).toBe(303);
    const signIn = await new Browser(t.app).post('/login', { email: 'alice@example.com', password: PASSWORD });
    expect(await signIn.text()).toContain(`This account is suspended until ${until} 00:00 UTC: A week off`);

    t.clock.advance(8 * DAY);
    // alice signs in: hers ends now
    expect((await new Browser(t.app).post('/login', { email: 'alice@example.com', password: PASSWORD })).status).toBe(303);
    expect(await new Browser(t.app).html('/')).toContain('Back after a week');
    // bob's ends with the next clean-up
    expect((await new Browser(t.app).get('/profile/bob')).status).toBe(404);
    expect(await runCleanups(t.db, { clock: t.clock, log: () => {} })).toMatchObject({ outcome: 'done', deleted: { suspensions: 1 } });
    expect((await new Browser(t.app).get('/profile/bob')).status).toBe(200);
    const lifted = (await auditActions(t)).filter((entry) => entry.action === 'user.unsuspend');
    expect(lifted.map(({ actor, door, target }) => ({ actor, door, target }))).toEqual([
      { actor: 'Quire', door: 'system', target: 'alice' },
      { actor: 'Quire', door: 'system', target: 'bob' },
    ]);
  });

  it('deleting asks first, saying what goes; without its content everything of the account goes', async () => {
    const { t, admin, author } = await site();
    const article = await insertArticle(t.db, author.user.id, { title: 'Gone with her' });
    await addComment(t.db, article.id, author.user.id, 'Her comment', t.clock());
    const confirm = await admin.browser.get('/admin/users/alice/delete');
    expect(confirm.status).toBe(200);
    const text = await confirm.text();
    expect(text).toContain('It has written 1 article and 1 comment.');
    expect(text).toContain('Keep its articles and comments');

    const unchosen = await admin.browser.post('/admin/users/alice/delete', {});
    expect(unchosen.status).toBe(422);
    const res = await admin.browser.post('/admin/users/alice/delete', { keepContent: 'no' });
    expect([res.status, res.headers.get('location')]).toEqual([303, '/admin/users']);
    const { users, articles, comments } = tablesOf(t.db);
    expect(await t.db.select().from(users).where(eq(users.username, 'alice'))).toEqual([]);
    expect(await t.db.select().from(articles)).toEqual([]);
    expect(await t.db.select().from(comments)).toEqual([]);
    // its address stays taken, answering 410 Gone, as a deleted article's does
    expect((await new Browser(t.app).get(`/article/${article.slug}`)).status).toBe(410);
    expect(await new Browser(t.app).html('/search?q=gone')).not.toContain('Gone with her');
    expect((await auditActions(t)).at(-1)).toMatchObject({ action: 'user.delete', target: 'alice', details: { keptContent: false } });
  });

  it('deleting while keeping the content moves it to the one placeholder account, which nobody can sign in as', async () => {
    const { t, admin, author } = await site();
    const bob = await insertUser(t.db, 'bob');
    const article = await insertArticle(t.db, author.user.id, { title: 'Kept words' });
    await insertArticle(t.db, bob.id, { title: 'Kept too' });
    await addComment(t.db, article.id, author.user.id, 'Kept comment', t.clock());
    expect((await admin.browser.post('/admin/users/alice/delete', { keepContent: 'yes' })).status).toBe(303);
    expect((await admin.browser.post('/admin/users/bob/delete', { keepContent: 'yes' })).status).toBe(303);

    const page = await new Browser(t.app).html(`/article/${article.slug}`);
    expect(page).toContain('Kept words');
    expect(page).toContain('Kept comment');
    expect(page).toContain(PLACEHOLDER_USERNAME);
    const profile = await new Browser(t.app).html(`/profile/${PLACEHOLDER_USERNAME}`);
    expect(profile).toContain(PLACEHOLDER_BIO);
    expect(profile).toContain('Kept too');
    const { users } = tablesOf(t.db);
    expect((await t.db.select().from(users).where(eq(users.username, PLACEHOLDER_USERNAME))).length).toBe(1);
    // nobody can sign in as it, nor act on it
    const signIn = await api(t).post('/users/login', { user: { email: 'deleted.author@invalid', password: '!unusable' } });
    expect(signIn.status).toBe(401);
    expect((await admin.browser.post(`/admin/users/${PLACEHOLDER_USERNAME}/suspend`, { until: '', reason: 'x' })).status).toBe(403);
    expect((await auditActions(t)).at(-1)).toMatchObject({ action: 'user.delete', target: 'bob', details: { keptContent: true } });
  });

  it('the owner hands the site over after a confirmation: exactly one owner, the old one an admin', async () => {
    const { t, owner, admin } = await site();
    const confirm = await owner.browser.get('/admin/users/adam/ownership');
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('Hand over ownership to adam');
    expect((await admin.browser.get('/admin/users/alice/ownership')).status).toBe(403);
    expect((await admin.browser.post('/admin/users/alice/ownership')).status).toBe(403);

    const res = await owner.browser.post('/admin/users/adam/ownership');
    expect(res.status).toBe(303);
    expect([await roleOf(t, 'adam'), await roleOf(t, 'olive')]).toEqual(['owner', 'admin']);
    // the old owner is now an admin: the new owner outranks them
    expect((await owner.browser.post('/admin/users/adam/ownership')).status).toBe(403);
    expect((await admin.browser.post('/admin/users/olive/role', { role: 'moderator' })).status).toBe(303);
    expect((await auditActions(t)).find((entry) => entry.action === 'owner.transfer')).toEqual({
      action: 'owner.transfer',
      actor: 'olive',
      door: 'web',
      target: 'adam',
      reason: null,
      details: { from: 'admin', to: 'owner', previousOwner: 'olive', previousOwnerBecomes: 'admin' },
    });
  });

  it('two handovers racing leave exactly one owner', async () => {
    const { t, owner } = await site();
    const results = await Promise.all([
      owner.browser.post('/admin/users/adam/ownership'),
      owner.browser.post('/admin/users/mona/ownership'),
    ]);
    expect(results.map((res) => res.status).sort()).toEqual([303, 403]);
    const { users } = tablesOf(t.db);
    const owners = await t.db.select({ username: users.username }).from(users).where(eq(users.role, 'owner'));
    expect(owners).toHaveLength(1);
    expect(['adam', 'mona']).toContain(owners[0]!.username);
    expect(await roleOf(t, 'olive')).toBe('admin');
  });
});
