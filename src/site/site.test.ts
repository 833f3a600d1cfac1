import { desc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api } from '../api/test-helpers';
import { createSession } from '../auth/session';
import { auditLog, siteSettings, users } from '../db/schema';
import { tablesOf } from '../db/engine';
import { Browser, countQueries, createTestApp, dom, insertArticle, insertUser, PASSWORD, rowCount, type TestApp } from '../test-support';

/** A signed-in browser and an API token for a new account with `role`. */
async function member(t: TestApp, username: string, role = 'author') {
  const user = await insertUser(t.db, username);
  await t.db.update(users).set({ role }).where(eq(users.id, user.id));
  const browser = new Browser(t.app);
  const res = await browser.post('/login', { email: user.email, password: PASSWORD });
  expect(res.status).toBe(303);
  browser.cookies.delete('flash');
  const { token } = await createSession(t.db, user.id, { now: t.clock() });
  return { user, browser, token };
}

const SETTINGS_FORM = {
  title: 'Field Notes',
  description: 'Notes from the field.',
  navLinks: 'News | /tag/news\nElsewhere | https://elsewhere.example/',
  registration: 'open',
  comments: 'on',
  newAccountArticlesPerDay: '3',
  newAccountCommentsPerDay: '10',
};

const lastAudit = async (t: TestApp) => (await t.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1))[0];

describe('site settings', () => {
  it('an owner changes the title live: the cached home page, other pages, feeds and the API follow', async () => {
    const t = await createTestApp();
    const owner = await member(t, 'olive', 'owner');
    const anonymous = new Browser(t.app);
    // cached first
    expect(dom(await anonymous.html('/')).querySelector('.navbar-brand')!.text.trim()).toBe('Quire');
    expect(await anonymous.html('/feed.atom')).toContain('<title>Quire</title>');

    const res = await owner.browser.post('/admin/settings', SETTINGS_FORM);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/settings');

    const home = dom(await anonymous.html('/'));
    expect(home.querySelector('.navbar-brand')!.text.trim()).toBe('Field Notes');
    expect(home.querySelector('title')!.text).toBe('Field Notes');
    expect(home.querySelector('.banner p')!.text).toBe('Notes from the field.');
    expect(home.querySelector('meta[name="description"]')!.getAttribute('content')).toBe('Notes from the field.');
    const nav = home.querySelectorAll('nav[aria-label="Main"] a').map((a) => [a.text.trim(), a.getAttribute('href')]);
    expect(nav).toContainEqual(['News', '/tag/news']);
    expect(nav).toContainEqual(['Elsewhere', 'https://elsewhere.example/']);
    expect(await anonymous.html('/feed.atom')).toContain('<title>Field Notes</title>');
    expect(dom(await anonymous.html('/login')).querySelector('title')!.text).toBe('Sign in — Field Notes');

    const client = api(t);
    const read = await client.get('/admin/settings', owner.token);
    expect(read.status).toBe(200);
    expect(read.body.settings).toMatchObject({ title: 'Field Notes', registration: 'open', comments: true, navLinks: [{ label: 'News', url: '/tag/news' }, { label: 'Elsewhere', url: 'https://elsewhere.example/' }] });

    const entry = await lastAudit(t);
    expect(entry).toMatchObject({ action: 'settings.change', actorName: 'olive', door: 'web' });
    const details = JSON.parse(entry!.details!);
    expect(details.title).toEqual({ old: 'Quire', new: 'Field Notes' });
    // the test rig's first-day allowances are 1000 (testEnv): the form's 3 and 10 are changes too
    expect(Object.keys(details).sort()).toEqual(['description', 'navLinks', 'newAccountArticlesPerDay', 'newAccountCommentsPerDay', 'title']);
  });

  it('are read once per content version: between writes a page costs no query for them', async () => {
    for (const cache of ['on', 'off']) {
      const t = await createTestApp({ env: { CACHE: cache } });
      const alice = await member(t, 'alice');
      await alice.browser.get('/settings');
      await insertArticle(t.db, alice.user.id); // moves the content version
      const first = await countQueries(t, () => alice.browser.get('/settings'));
      const second = await countQueries(t, () => alice.browser.get('/settings'));
      // the settings' rows and the pages' links: two reads after a write, none until the next
      expect(first - second, `CACHE=${cache}`).toBe(cache === 'on' ? 2 : 0);
    }
  });

  it('a bad value comes back in the form (422) with what was typed and the message beside the field; nothing changes', async () => {
    const t = await createTestApp();
    const owner = await member(t, 'olive', 'owner');
    const res = await owner.browser.post('/admin/settings', { ...SETTINGS_FORM, title: '', newAccountArticlesPerDay: '5000', navLinks: 'Bad | //evil.example' });
    expect(res.status).toBe(422);
    const page = dom(await res.text());
    expect(page.querySelector('#description')!.text).toBe('Notes from the field.');
    expect(page.querySelector('#newAccountArticlesPerDay')!.getAttribute('value')).toBe('5000');
    expect(page.querySelector('#title-error')!.text).toBe("Title can't be blank");
    expect(page.querySelector('#newAccountArticlesPerDay-error')!.text).toContain('must be a whole number from 0 to 1000');
    expect(page.querySelector('.error-messages')!.text).toContain('Navigation links');
    expect(await rowCount(t.db, siteSettings, eq(siteSettings.key, 'title'))).toBe(0);

    const line = await owner.browser.post('/admin/settings', { ...SETTINGS_FORM, navLinks: 'no bar here' });
    expect(line.status).toBe(422);
    expect(await line.text()).toContain('line 1 must be');
  });

  it('PUT /api/admin/settings changes only what is given; unknown keys and bad values are 422', async () => {
    const t = await createTestApp();
    const owner = await member(t, 'olive', 'owner');
    const client = api(t);
    const res = await client.put('/admin/settings', { settings: { registration: 'invite', comments: false } }, owner.token);
    expect(res.status).toBe(200);
    expect(res.body.changed).toEqual(['registration', 'comments']);
    expect(res.body.settings.title).toBe('Quire');
    const bad = await client.put('/admin/settings', { settings: { registration: 'sometimes', colour: 'red' } }, owner.token);
    expect(bad.status).toBe(422);
    expect(bad.body.errors.registration).toEqual(['must be open, invite or closed']);
    expect(bad.body.errors.colour).toEqual(['is not a setting']);
    expect((await client.get('/admin/settings', owner.token)).body.settings.registration).toBe('invite');
  });

  it('a stored value that no longer parses falls back to its default, never a 500', async () => {
    const t = await createTestApp({ env: { SITE_TITLE: 'From the environment' } });
    await t.db.insert(tablesOf(t.db).siteSettings).values([
      { key: 'title', value: '{"not":"a title"}', updatedAt: new Date() },
      { key: 'navLinks', value: 'not json', updatedAt: new Date() },
      { key: 'registration', value: '"sometimes"', updatedAt: new Date() },
    ]);
    const res = await new Browser(t.app).get('/');
    expect(res.status).toBe(200);
    expect(dom(await res.text()).querySelector('.navbar-brand')!.text.trim()).toBe('From the environment');
    expect((await new Browser(t.app).get('/register')).status).toBe(200);
  });

  it('takes its defaults from the environment', async () => {
    const t = await createTestApp({ env: { REGISTRATION: 'closed', NEW_ACCOUNT_ARTICLES_PER_DAY: '7' } });
    const owner = await member(t, 'olive', 'owner');
    const res = await api(t).get('/admin/settings', owner.token);
    expect(res.body.settings).toMatchObject({ registration: 'closed', newAccountArticlesPerDay: 7, newAccountCommentsPerDay: 1000 });
  });
});

describe('registration', () => {
  const fields = (name: string) => ({ username: name, email: `${name}@example.com`, password: PASSWORD });

  it('closed: the form is not shown, the form and the API refuse (403), and nothing is written to the audit log', async () => {
    const t = await createTestApp({ env: { REGISTRATION: 'closed' } });
    await insertUser(t.db, 'olive');
    const visitor = new Browser(t.app);
    const page = dom(await visitor.html('/register'));
    expect(page.querySelector('h1')!.text).toBe('Sign-ups are closed');
    expect(page.querySelector('form[action="/register"]')).toBeNull();

    const post = await visitor.post('/register', fields('mallory'));
    expect(post.status).toBe(403);
    expect(await post.text()).toContain('Sign-ups on this site are closed.');
    const viaApi = await api(t).post('/users', { user: fields('mallory') });
    expect(viaApi.status).toBe(403);
    expect(viaApi.body).toEqual({ errors: { registration: ['is closed on this site'] } });
    expect(await rowCount(t.db, users)).toBe(1);
    expect(await rowCount(t.db, auditLog)).toBe(0);
  });

  it('invite: without an invitation the page says so and the API answers 403', async () => {
    const t = await createTestApp({ env: { REGISTRATION: 'invite' } });
    await insertUser(t.db, 'olive');
    expect(dom(await new Browser(t.app).html('/register')).querySelector('.register-refusal')!.text).toContain('by invitation only');
    const viaApi = await api(t).post('/users', { user: fields('mallory') });
    expect(viaApi.status).toBe(403);
    expect(viaApi.body).toEqual({ errors: { registration: ['needs an invitation on this site'] } });
  });

  it('the first account of a new site can always join (it becomes the owner), whatever the setting', async () => {
    const t = await createTestApp({ env: { REGISTRATION: 'closed' } });
    const res = await new Browser(t.app).post('/register', fields('founder'));
    expect(res.status).toBe(303);
    const [founder] = await t.db.select().from(users);
    expect(founder!.role).toBe('owner');
    expect((await new Browser(t.app).post('/register', fields('second'))).status).toBe(403);
  });

  it('open again after an owner reopens: the change is live', async () => {
    const t = await createTestApp({ env: { REGISTRATION: 'closed' } });
    const owner = await member(t, 'olive', 'owner');
    const visitor = new Browser(t.app);
    expect((await visitor.get('/register')).status).toBe(200);
    expect(await visitor.html('/register')).toContain('Sign-ups are closed');
    await owner.browser.post('/admin/settings', { ...SETTINGS_FORM, registration: 'open' });
    expect(dom(await visitor.html('/register')).querySelector('form[action="/register"]')).not.toBeNull();
    expect((await visitor.post('/register', fields('newcomer'))).status).toBe(303);
  });
});

describe('invitations', () => {
  async function invite(t: TestApp, token: string, body: Record<string, unknown> = {}) {
    const res = await api(t).post('/admin/invitations', { invitation: body }, token);
    expect(res.status).toBe(201);
    return res.body.invitation as { id: number; token: string; link: string; role: string; state: string; expiresAt: string };
  }

  it('an admin invites a moderator by a link that works once, even with sign-ups closed; only its hash is kept', async () => {
    const t = await createTestApp({ env: { REGISTRATION: 'closed' } });
    const admin = await member(t, 'ada', 'admin');
    const invitation = await invite(t, admin.token, { role: 'moderator', note: 'for Mo' });
    expect(invitation.link).toBe(`http://localhost/register?invite=${invitation.token}`);
    expect(invitation.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(invitation.state).toBe('open');
    const [stored] = await t.db.select().from((await import('../db/schema')).invitations);
    expect(Buffer.from(stored!.tokenHash).toString('hex')).not.toContain(Buffer.from(invitation.token).toString('hex'));
    expect(stored!.expiresAt.getTime() - stored!.createdAt.getTime()).toBe(7 * 86_400_000);

    const visitor = new Browser(t.app);
    const form = await visitor.get(`/register?invite=${invitation.token}`);
    expect(form.headers.get('cache-control')).toBe('no-store');
    const page = dom(await form.text());
    expect(page.querySelector('input[name="invite"]')!.getAttribute('value')).toBe(invitation.token);
    expect(page.text).toContain('invited to join as moderator');

    const joined = await visitor.post('/register', { username: 'mo', email: 'mo@example.com', password: PASSWORD, invite: invitation.token });
    expect(joined.status).toBe(303);
    const [mo] = await t.db.select().from(users).where(eq(users.username, 'mo'));
    expect(mo!.role).toBe('moderator');
    expect((await lastAudit(t))).toMatchObject({ action: 'invitation.use', actorName: 'mo', targetId: invitation.id });

    const list = await api(t).get('/admin/invitations', admin.token);
    expect(list.body.invitations[0]).toMatchObject({ id: invitation.id, state: 'used', usedBy: 'mo', createdBy: 'ada', note: 'for Mo' });
    const again = await new Browser(t.app).get(`/register?invite=${invitation.token}`);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('has already been used');
    const reuse = await api(t).post('/users', { user: { username: 'mo2', email: 'mo2@example.com', password: PASSWORD, invitation: invitation.token } });
    expect(reuse.status).toBe(422);
    expect(reuse.body.errors.invitation[0]).toContain('has already been used');
  });

  it('two people racing with one link: one joins, the other gets a clear 422, the link is used once', async () => {
    const t = await createTestApp({ env: { REGISTRATION: 'invite' } });
    const owner = await member(t, 'olive', 'owner');
    const { token } = await invite(t, owner.token, { role: 'author' });
    const client = api(t);
    const answers = await Promise.all(
      ['racer1', 'racer2', 'racer3'].map((name) =>
        client.post('/users', { user: { username: name, email: `${name}@example.com`, password: PASSWORD, invitation: token } }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 422, 422]);
    for (const refused of answers.filter((a) => a.status === 422)) expect(refused.body.errors.invitation[0]).toContain('has already been used');
    expect(await rowCount(t.db, users)).toBe(2);
    expect(await rowCount(t.db, auditLog, eq(auditLog.action, 'invitation.use'))).toBe(1);
  });

  it('an expired or withdrawn link lets nobody in and says why; an unknown one too', async () => {
    const t = await createTestApp({ env: { REGISTRATION: 'invite' } });
    const owner = await member(t, 'olive', 'owner');
    const soon = await invite(t, owner.token, { days: 1 });
    const withdrawn = await invite(t, owner.token);
    const revoked = await api(t).del(`/admin/invitations/${withdrawn.id}`, owner.token);
    expect(revoked.status).toBe(200);
    expect(revoked.body.invitation.state).toBe('revoked');
    expect((await lastAudit(t))).toMatchObject({ action: 'invitation.revoke', targetId: withdrawn.id });
    expect((await api(t).del(`/admin/invitations/${withdrawn.id}`, owner.token)).status).toBe(409);
    t.clock.advance(86_400_000 + 1);

    const visitor = new Browser(t.app);
    expect(await (await visitor.get(`/register?invite=${soon.token}`)).text()).toContain('has expired');
    expect(await (await visitor.get(`/register?invite=${withdrawn.token}`)).text()).toContain('was withdrawn');
    const unknown = await visitor.get('/register?invite=nothing-like-a-real-token-at-all');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('is not a valid invitation link');
    const post = await visitor.post('/register', { username: 'late', email: 'late@example.com', password: PASSWORD, invite: soon.token });
    expect(post.status).toBe(422);
    expect(await post.text()).toContain('This invitation link has expired');
    expect(await rowCount(t.db, users, eq(users.username, 'late'))).toBe(0);
  });

  it('/admin/invitations: an admin makes a link (shown once), sees it open, withdraws it; roles above their own are refused', async () => {
    const t = await createTestApp();
    const admin = await member(t, 'ada', 'admin');
    const made = await admin.browser.post('/admin/invitations', { role: 'moderator', days: '3', note: 'for Mo' });
    expect(made.status).toBe(303);
    const shown = dom(await admin.browser.html('/admin/invitations'));
    const link = shown.querySelector('#invitation-link')!.getAttribute('value')!;
    expect(link).toMatch(/^http:\/\/localhost\/register\?invite=[A-Za-z0-9_-]{32}$/);
    expect(shown.querySelector('tbody')!.text).toContain('Open');
    // once only
    expect(dom(await admin.browser.html('/admin/invitations')).querySelector('#invitation-link')).toBeNull();

    const refused = await admin.browser.post('/admin/invitations', { role: 'admin', days: '3', note: '' });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('Role cannot be admin');
    const tooLong = await admin.browser.post('/admin/invitations', { role: 'author', days: '31', note: '' });
    expect(tooLong.status).toBe(422);

    const [row] = await t.db.select().from((await import('../db/schema')).invitations);
    expect((await admin.browser.post(`/admin/invitations/${row!.id}/revoke`)).status).toBe(303);
    expect(dom(await admin.browser.html('/admin/invitations')).querySelector('tbody')!.text).toContain('Withdrawn');
    expect((await new Browser(t.app).get(link.replace('http://localhost', ''))).status).toBe(410);
  });
});

describe('pages', () => {
  const PAGE = { title: 'Code of conduct', slug: 'code-of-conduct', body: 'Be **kind**.\n\n<script>alert(1)</script>', placement: 'nav', position: '1' };

  it('an admin writes a page in Markdown at its own address, linked from the navbar; edits and deletes it', async () => {
    const t = await createTestApp();
    const admin = await member(t, 'ada', 'admin');
    const anonymous = new Browser(t.app);
    expect((await anonymous.get('/code-of-conduct')).status).toBe(404);

    const res = await admin.browser.post('/admin/pages', PAGE);
    expect(res.status).toBe(303);
    const page = dom(await anonymous.html('/code-of-conduct'));
    expect(page.querySelector('h1')!.text).toBe('Code of conduct');
    expect(page.querySelector('.page-body strong')!.text).toBe('kind');
    expect(page.querySelector('.page-body script')).toBeNull();
    expect(page.querySelector('title')!.text).toBe('Code of conduct — Quire');
    const nav = dom(await anonymous.html('/')).querySelectorAll('nav[aria-label="Main"] a').map((a) => a.getAttribute('href'));
    expect(nav).toContain('/code-of-conduct');
    expect((await lastAudit(t))).toMatchObject({ action: 'page.create', targetLabel: '/code-of-conduct' });

    const [row] = await t.db.select().from((await import('../db/schema')).sitePages).where(eq((await import('../db/schema')).sitePages.slug, 'code-of-conduct'));
    const edit = await admin.browser.post(`/admin/pages/${row!.id}`, { ...PAGE, slug: 'conduct', placement: 'footer', title: 'Conduct' });
    expect(edit.status).toBe(303);
    expect((await anonymous.get('/code-of-conduct')).status).toBe(404);
    const home = dom(await anonymous.html('/'));
    expect(home.querySelectorAll('footer a').map((a) => a.getAttribute('href'))).toContain('/conduct');
    expect(home.querySelectorAll('nav[aria-label="Main"] a').map((a) => a.getAttribute('href'))).not.toContain('/conduct');
    expect(JSON.parse((await lastAudit(t))!.details!).slug).toEqual({ old: 'code-of-conduct', new: 'conduct' });

    // deleting asks first
    const confirm = dom(await admin.browser.html(`/admin/pages/${row!.id}/delete`));
    expect(confirm.querySelector(`form[action="/admin/pages/${row!.id}/delete"] button`)!.text).toContain('Delete this page');
    expect((await admin.browser.post(`/admin/pages/${row!.id}/delete`)).status).toBe(303);
    expect((await anonymous.get('/conduct')).status).toBe(404);
    expect((await lastAudit(t))).toMatchObject({ action: 'page.delete' });
  });

  it('refuses a reserved or malformed address and one already taken (422, form kept)', async () => {
    const t = await createTestApp();
    const admin = await member(t, 'ada', 'admin');
    for (const slug of ['login', 'admin', 'api', 'tag', 'sitemap', 'editor', 'Not-Lower', 'two--hyphens', 'about']) {
      const res = await admin.browser.post('/admin/pages', { ...PAGE, slug });
      expect(res.status, slug).toBe(422);
      const page = dom(await res.text());
      expect(page.querySelector('#slug')!.getAttribute('value'), slug).toBe(slug);
      expect(page.querySelector('#slug-error'), slug).not.toBeNull();
    }
    const viaApi = await api(t).post('/admin/pages', { page: { ...PAGE, slug: 'search', position: 0 } }, (await member(t, 'owen', 'owner')).token);
    expect(viaApi.status).toBe(422);
    expect(viaApi.body.errors.slug).toEqual(['is an address the site already uses: choose another']);
  });

  it('/about is seeded once with the site’s text, editable, and not seeded again once deleted (two openings, two apps)', async () => {
    const t = await createTestApp({ env: { SITE_TITLE: 'Field Notes', SITE_DESCRIPTION: 'Notes from the field.' } });
    const about = dom(await new Browser(t.app).html('/about'));
    expect(about.querySelector('.page-body')!.text).toContain('Field Notes is a blog for many authors');
    expect(about.querySelector('footer a[href="/about"]')).not.toBeNull();
    const { createApp } = await import('../app');
    const { sitePages } = await import('../db/schema');
    // another node starting on the same database, then a third after the page was deleted
    const again = createApp({ db: t.db, env: (await import('../test-support')).testEnv(), clock: t.clock, log: () => {} });
    expect((await again.request('http://localhost/about')).status).toBe(200);
    expect(await rowCount(t.db, sitePages)).toBe(1);
    const owner = await member(t, 'olive', 'owner');
    const [row] = await t.db.select().from(sitePages);
    await owner.browser.post(`/admin/pages/${row!.id}/delete`);
    const third = createApp({ db: t.db, env: (await import('../test-support')).testEnv(), clock: t.clock, log: () => {} });
    expect((await third.request('http://localhost/about')).status).toBe(404);
    expect(await rowCount(t.db, sitePages)).toBe(0);
  });

  it('seeds /about once when two apps start together', async () => {
    const t = await createTestApp();
    const { createApp } = await import('../app');
    const { sitePages } = await import('../db/schema');
    const env = (await import('../test-support')).testEnv();
    const apps = [1, 2, 3].map(() => createApp({ db: t.db, env, clock: t.clock, log: () => {} }));
    const statuses = await Promise.all(apps.map(async (app) => (await app.request('http://localhost/about')).status));
    expect(statuses).toEqual([200, 200, 200]);
    expect(await rowCount(t.db, sitePages)).toBe(1);
    expect(await rowCount(t.db, siteSettings, eq(siteSettings.key, 'seeded.about'))).toBe(1);
  });

  it('API: pages are created, read publicly, changed and deleted', async () => {
    const t = await createTestApp();
    const owner = await member(t, 'olive', 'owner');
    const client = api(t);
    const made = await client.post('/admin/pages', { page: { title: 'Terms', slug: 'terms', body: 'Be *nice*.' } }, owner.token);
    expect(made.status).toBe(201);
    expect(made.body.page).toMatchObject({ slug: 'terms', placement: 'footer', position: 0, bodyHtml: '<p>Be <em>nice</em>.</p>\n' });
    expect((await client.get('/pages/terms')).body.page.title).toBe('Terms');
    const changed = await client.put(`/admin/pages/${made.body.page.id}`, { page: { title: 'Terms of use', slug: 'terms', body: 'Be *kind*.', placement: 'none', position: 2 } }, owner.token);
    expect(changed.status).toBe(200);
    expect((await client.get('/admin/pages', owner.token)).body.pages.map((p: { slug: string }) => p.slug)).toEqual(['about', 'terms']);
    expect((await client.del(`/admin/pages/${made.body.page.id}`, owner.token)).status).toBe(204);
    expect((await client.get('/pages/terms')).status).toBe(404);
    expect((await client.del(`/admin/pages/${made.body.page.id}`, owner.token)).status).toBe(404);
  });
});

describe('comments on and off', () => {
  it('off: no form, the web and the API refuse with why (403), the comments already there stay', async () => {
    const t = await createTestApp();
    const owner = await member(t, 'olive', 'owner');
    const author = await member(t, 'alice');
    const article = await insertArticle(t.db, author.user.id, { title: 'Talk' });
    expect((await author.browser.post(`/article/${article.slug}/comments`, { body: 'Before the switch' })).status).toBe(303);
    await api(t).put('/admin/settings', { settings: { comments: false } }, owner.token);

    const page = dom(await author.browser.html(`/article/${article.slug}`));
    expect(page.querySelector('.comment-form')).toBeNull();
    expect(page.querySelector('.comments-off')!.text).toBe('Comments are turned off on this site.');
    expect(page.text).toContain('Before the switch');
    const web = await author.browser.post(`/article/${article.slug}/comments`, { body: 'After' });
    expect(web.status).toBe(403);
    expect(await web.text()).toContain('Comments are turned off on this site.');
    const viaApi = await api(t).post(`/articles/${article.slug}/comments`, { comment: { body: 'After' } }, author.token);
    expect(viaApi.status).toBe(403);
    expect(viaApi.body).toEqual({ errors: { comments: ['are turned off on this site'] } });
    expect((await api(t).get(`/articles/${article.slug}/comments`)).body.comments).toHaveLength(1);
  });
});

describe('spam resistance', () => {
  it('a filled honeypot on the sign-up form refuses quietly (422, generic) and is in the audit log with the address, not the password', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'olive');
    const robot = new Browser(t.app, { ip: '198.51.100.7' });
    const page = dom(await robot.html('/register'));
    const trap = page.querySelector('input[name="website"]')!;
    expect(trap.getAttribute('tabindex')).toBe('-1');
    expect(trap.getAttribute('autocomplete')).toBe('off');
    expect(trap.parentNode!.getAttribute('aria-hidden')).toBe('true');

    const res = await robot.post('/register', { username: 'robot', email: 'robot@example.com', password: PASSWORD, website: 'https://spam.example' });
    expect(res.status).toBe(422);
    const back = dom(await res.text());
    expect(back.querySelector('.error-messages')!.text).toContain('This form could not be accepted');
    expect(back.querySelector('#username')!.getAttribute('value')).toBe('robot');
    expect(await rowCount(t.db, users, eq(users.username, 'robot'))).toBe(0);
    const entry = await lastAudit(t);
    expect(entry).toMatchObject({ action: 'spam.honeypot', actorName: 'a visitor' });
    expect(JSON.parse(entry!.details!)).toMatchObject({ form: 'sign-up', ip: '198.51.100.7' });
    expect(entry!.details).not.toContain(PASSWORD);
  });

  it('a filled honeypot on the comment form brings the comment back (422) and saves nothing', async () => {
    const t = await createTestApp();
    const alice = await member(t, 'alice');
    const article = await insertArticle(t.db, alice.user.id);
    const res = await alice.browser.post(`/article/${article.slug}/comments`, { body: 'Buy now', website: 'x' });
    expect(res.status).toBe(422);
    const page = dom(await res.text());
    expect(page.querySelector('#comment-body')!.text).toBe('Buy now');
    expect(page.querySelector('.error-messages')!.text).toContain('This form could not be accepted');
    expect((await lastAudit(t))).toMatchObject({ action: 'spam.honeypot', actorName: 'alice' });
  });

  it('a new account publishes at most the first day’s articles and comments, then is told until when; the staff are exempt', async () => {
    const t = await createTestApp({ env: { NEW_ACCOUNT_ARTICLES_PER_DAY: '2', NEW_ACCOUNT_COMMENTS_PER_DAY: '1' } });
    const client = api(t);
    const fresh = await member(t, 'newbie');
    const moderator = await member(t, 'mod', 'moderator');
    // the account is new from the clock's point of view
    await t.db.update(tablesOf(t.db).users).set({ createdAt: new Date(t.clock()) }).where(eq(users.id, fresh.user.id));
    const article = (n: number) => ({ article: { title: `Post ${n}`, description: 'd', body: 'b' } });
    expect((await client.post('/articles', article(1), fresh.token)).status).toBe(201);
    expect((await client.post('/articles', article(2), fresh.token)).status).toBe(201);
    const third = await client.post('/articles', article(3), fresh.token);
    expect(third.status).toBe(429);
    expect(third.body.errors.rate[0]).toBe('New accounts can publish 2 articles in their first day; try again after 2026-01-02 00:00 UTC.');
    expect(Number(third.headers.get('retry-after'))).toBe(86_400);
    const entry = await lastAudit(t);
    expect(entry).toMatchObject({ action: 'spam.new-account-limit', targetLabel: 'newbie' });

    // the editor form comes back with the message
    const form = await fresh.browser.post('/editor', { title: 'Post 3', description: 'd', body: 'b', tag: '', op: 'publish' });
    expect(form.status).toBe(429);
    expect(await form.text()).toContain('New accounts can publish 2 articles in their first day');

    const slug = (await client.get('/articles?author=newbie')).body.articles[0].slug;
    expect((await client.post(`/articles/${slug}/comments`, { comment: { body: 'one' } }, fresh.token)).status).toBe(201);
    const second = await fresh.browser.post(`/article/${slug}/comments`, { body: 'two' });
    expect(second.status).toBe(429);
    expect(await second.text()).toContain('New accounts can write 1 comment in their first day');

    // staff are exempt, and a day later the newcomer is not new
    await t.db.update(tablesOf(t.db).users).set({ createdAt: new Date(t.clock()) }).where(eq(users.id, moderator.user.id));
    for (const n of [4, 5, 6]) expect((await client.post('/articles', article(n), moderator.token)).status).toBe(201);
    t.clock.advance(86_400_000);
    expect((await client.post('/articles', article(7), fresh.token)).status).toBe(201);
  });
});
