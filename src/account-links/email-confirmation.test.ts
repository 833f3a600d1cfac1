import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api, newToken } from '../api/test-helpers';
import { signUp } from '../auth/use-cases';
import { CLI_CALLER } from '../core';
import { tablesOf } from '../db/engine';
import { accountTokens, articles, comments, siteSettings, users } from '../db/schema';
import { Browser, createTestApp, insertArticle, insertUser, ORIGIN, PASSWORD, rowCount, signedInBrowser, type TestApp } from '../test-support';
import { formatSetting, parseSettingText, settingKeyNamed } from '../site/settings';
import { coreFor, lastMailTo, linkIn, outbox } from './test-helpers';

const HOUR = 3_600_000;
const userRow = async (t: TestApp, id: number) => (await t.db.select().from(users).where(eq(users.id, id)).limit(1))[0]!;
const userNamed = async (t: TestApp, username: string) => (await t.db.select().from(users).where(eq(users.username, username)).limit(1))[0]!;

/** The site asks for confirmed addresses before publishing and commenting. */
async function requireConfirmation(t: TestApp) {
  await t.db.insert(tablesOf(t.db).siteSettings).values({ key: 'unconfirmedMayWrite', value: 'false', updatedAt: new Date(t.clock()) });
}

describe('a new account confirms its address', () => {
  it('sign-up on the page leaves it unconfirmed and mails a link; opening the link confirms nothing, its button does', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'olga', { role: 'owner' });
    const browser = new Browser(t.app);
    expect((await browser.post('/register', { username: 'newcomer', email: 'newcomer@example.com', password: 'lantern orchard velvet' })).status).toBe(303);
    const user = await userNamed(t, 'newcomer');
    expect(user.emailConfirmedAt).toBeNull();
    const mail = await lastMailTo(t.db, 'newcomer@example.com', 'email-confirm');
    expect(mail.subject).toBe('Confirm your e-mail address on Quire');
    expect(mail.text).toContain('The link works for 48 hours');
    const link = linkIn(mail, '/confirm-email/');

    expect((await browser.html('/settings'))).toContain('is not confirmed yet');
    // a mail scanner fetching the link
    const page = await new Browser(t.app).get(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain(`<form method="post" action="${link}"`);
    expect(html).toContain('newcomer@example.com');
    expect((await userRow(t, user.id)).emailConfirmedAt).toBeNull();

    const confirmed = await browser.post(link);
    expect([confirmed.status, confirmed.headers.get('location')]).toEqual([303, '/settings']);
    expect((await userRow(t, user.id)).emailConfirmedAt).toEqual(new Date(t.clock()));
    const settings = await browser.html('/settings');
    expect(settings).toContain('Your e-mail address newcomer@example.com is confirmed. Thank you!');
    expect(settings).toContain('is confirmed.');
    expect(settings).not.toContain('action="/settings/email/resend"');
    // used once
    expect((await browser.get(link)).status).toBe(404);
    expect((await browser.post(link)).status).toBe(404);
  });

  it('sign-up through the API mails a link too; the operator’s accounts count as confirmed', async () => {
    const t = await createTestApp();
    const res = await api(t).post('/users', { user: { username: 'appuser', email: 'app@example.com', password: 'lantern orchard velvet' } });
    expect(res.status).toBe(201);
    expect((await userNamed(t, 'appuser')).emailConfirmedAt).toBeNull();
    expect((await lastMailTo(t.db, 'app@example.com', 'email-confirm')).userId).toBe(res.body.user ? (await userNamed(t, 'appuser')).id : null);

    const made = await signUp(coreFor(t), CLI_CALLER, { username: 'byhand', email: 'byhand@example.com', password: 'lantern orchard velvet' });
    expect(made.ok).toBe(true);
    expect((await userNamed(t, 'byhand')).emailConfirmedAt).not.toBeNull();
    expect((await outbox(t.db)).filter((mail) => mail.to === 'byhand@example.com')).toEqual([]);
  });

  it('a link expires after 48 hours (410), and a new one can be sent from settings, which voids the old', async () => {
    const t = await createTestApp({ env: { RATE_LIMIT_EMAIL_CONFIRM: '2/h' } });
    const { browser, user } = await signedInBrowser(t, 'alice');
    const resend = await browser.post('/settings/email/resend');
    expect([resend.status, resend.headers.get('location')]).toEqual([303, '/settings']);
    expect(await browser.html('/settings')).toContain('A new confirmation link is on its way to alice@example.com.');
    const first = linkIn(await lastMailTo(t.db, user.email, 'email-confirm'), '/confirm-email/');
    t.clock.advance(49 * HOUR);
    const expired = await browser.post(first);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('This confirmation link has expired');

    expect((await browser.post('/settings/email/resend')).status).toBe(303);
    const second = linkIn(await lastMailTo(t.db, user.email, 'email-confirm'), '/confirm-email/');
    expect((await browser.post('/settings/email/resend')).status).toBe(303);
    const third = linkIn(await lastMailTo(t.db, user.email, 'email-confirm'), '/confirm-email/');
    expect((await browser.get(second)).status).toBe(404);
    // limited per account and address
    const limited = await browser.post('/settings/email/resend');
    expect(limited.status).toBe(429);
    expect(await rowCount(t.db, accountTokens)).toBe(1);
    expect((await browser.post(third)).status).toBe(303);
    expect((await userRow(t, user.id)).emailConfirmedAt).not.toBeNull();
  });

  it('a confirmed account asking for a new link is told there is nothing to confirm', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    await t.db.update(tablesOf(t.db).users).set({ emailConfirmedAt: new Date(t.clock()) }).where(eq(tablesOf(t.db).users.id, user.id));
    expect((await browser.post('/settings/email/resend')).status).toBe(303);
    expect(await browser.html('/settings')).toContain('Your e-mail address is already confirmed.');
    expect(await outbox(t.db)).toEqual([]);
    const viaApi = await api(t).post('/user/confirmation', undefined, await newToken(t, user.id));
    expect([viaApi.status, viaApi.body]).toEqual([422, { errors: { email: ['is already confirmed'] } }]);
  });
});

describe('changing one’s address', () => {
  it('waits for the new address; the old one is told once it changes; reset links die with it', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const form = { image: '', username: 'alice', bio: '', email: 'alice@new.example', password: '', currentPassword: PASSWORD };
    const res = await browser.post('/settings', form);
    expect(res.status).toBe(303);
    const profile = await browser.html(res.headers.get('location')!);
    expect(profile).toContain('Your e-mail address changes to alice@new.example once you follow the link we sent there.');
    expect((await userRow(t, user.id)).email).toBe('alice@example.com');
    expect(await browser.html('/settings')).toContain('A change to <strong>alice@new.example</strong> is waiting');
    const mail = await lastMailTo(t.db, 'alice@new.example', 'email-confirm');
    expect(mail.text).toContain('The address changes once you confirm it.');
    await new Browser(t.app).post('/forgot-password', { email: 'alice@example.com' });
    const resetLink = linkIn(await lastMailTo(t.db, 'alice@example.com', 'password-reset'), '/reset-password/');

    // the link proves the address: it works from any browser
    const confirmed = await new Browser(t.app, { ip: '192.0.2.9' }).post(linkIn(mail, '/confirm-email/'));
    expect([confirmed.status, confirmed.headers.get('location')]).toEqual([303, '/login']);
    expect(await userRow(t, user.id)).toMatchObject({ email: 'alice@new.example', emailConfirmedAt: new Date(t.clock()) });
    const notice = await lastMailTo(t.db, 'alice@example.com', 'security-notice');
    expect(notice.subject).toBe('Your e-mail address was changed');
    expect(notice.text).toContain('to a•••@new.example');
    expect(notice.text).toContain('From: the website, from 192.0.2.9');
    expect(notice.text).toContain(`${ORIGIN}/forgot-password`);
    expect((await new Browser(t.app).get(resetLink)).status).toBe(404);
    // signing in takes the new address
    expect((await new Browser(t.app).post('/login', { email: 'alice@new.example', password: PASSWORD })).status).toBe(303);
  });

  it('an address another account took meanwhile is refused when the link is followed (409)', async () => {
    const t = await createTestApp();
    const alice = await userWithApi(t, 'alice');
    expect((await api(t).put('/user', { user: { email: 'wanted@example.com' } }, alice.token)).status).toBe(200);
    const link = linkIn(await lastMailTo(t.db, 'wanted@example.com', 'email-confirm'), '/confirm-email/');
    const bob = await insertUser(t.db, 'bob');
    await t.db.update(tablesOf(t.db).users).set({ email: 'Wanted@Example.com' }).where(eq(tablesOf(t.db).users.id, bob.id));
    const res = await new Browser(t.app).post(link);
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('This address is now used by another account');
    expect((await userRow(t, alice.user.id)).email).toBe('alice@example.com');
  });

  it('an address already taken is refused when asked for, as before', async () => {
    const t = await createTestApp();
    const alice = await userWithApi(t, 'alice');
    await insertUser(t.db, 'bob');
    const res = await api(t).put('/user', { user: { email: 'bob@example.com' } }, alice.token);
    expect([res.status, res.body]).toEqual([409, { errors: { email: ['has already been taken'] } }]);
    expect(await outbox(t.db)).toEqual([]);
  });
});

async function userWithApi(t: TestApp, username: string) {
  const user = await insertUser(t.db, username);
  return { user, token: await newToken(t, user.id) };
}

describe('the site setting: may unconfirmed accounts publish and comment?', () => {
  it('by default they may (nothing changes for RealWorld clients)', async () => {
    const t = await createTestApp();
    const alice = await userWithApi(t, 'alice');
    const created = await api(t).post('/articles', { article: { title: 'Hello', description: 'd', body: 'b' } }, alice.token);
    expect(created.status).toBe(201);
    expect((await api(t).post(`/articles/${created.body.article.slug}/comments`, { comment: { body: 'Hi' } }, alice.token)).status).toBe(201);
  });

  it('when not, the web and the API refuse to publish and comment (403, saying why, with a resend); drafts are fine; staff are exempt', async () => {
    const t = await createTestApp();
    await requireConfirmation(t);
    const { browser, user } = await signedInBrowser(t, 'alice');
    const token = await newToken(t, user.id);
    const article = await insertArticle(t.db, (await insertUser(t.db, 'bob')).id);

    const publish = await browser.post('/editor', { title: 'Hello', description: 'd', body: 'b', op: 'publish' });
    expect(publish.status).toBe(403);
    const page = await publish.text();
    expect(page).toContain('Please confirm your e-mail address before you publish articles');
    expect(page).toContain('action="/settings/email/resend"');
    const comment = await browser.post(`/article/${article.slug}/comments`, { body: 'Hi' });
    expect(comment.status).toBe(403);
    expect(await comment.text()).toContain('before you comment');

    const viaApi = await api(t).post('/articles', { article: { title: 'Hello', description: 'd', body: 'b' } }, token);
    expect(viaApi.status).toBe(403);
    expect(viaApi.body.errors.email[0]).toMatch(/^must be confirmed before you can publish: .*POST \/api\/user\/confirmation/);
    const commentApi = await api(t).post(`/articles/${article.slug}/comments`, { comment: { body: 'Hi' } }, token);
    expect(commentApi.status).toBe(403);
    expect(await rowCount(t.db, articles, eq(articles.authorId, user.id))).toBe(0);
    expect(await rowCount(t.db, comments)).toBe(0);

    // a draft is not published: it may be saved, but not published later
    expect((await browser.post('/editor', { title: 'Draft', description: 'd', body: 'b', op: 'draft' })).status).toBe(303);
    const [draft] = await t.db.select().from(articles).where(eq(articles.authorId, user.id));
    expect((await browser.post(`/editor/${draft!.slug}`, { title: 'Draft', description: 'd', body: 'b', op: 'publish' })).status).toBe(403);

    // the resend, from the API
    const resend = await api(t).post('/user/confirmation', undefined, token);
    expect([resend.status, resend.body]).toEqual([202, { confirmation: { sentTo: 'alice@example.com' } }]);
    expect((await browser.post(linkIn(await lastMailTo(t.db, user.email, 'email-confirm'), '/confirm-email/'))).status).toBe(303);
    expect((await browser.post(`/article/${article.slug}/comments`, { body: 'Hi' })).status).toBe(303);
    expect((await browser.post(`/editor/${draft!.slug}`, { title: 'Draft', description: 'd', body: 'b', op: 'publish' })).status).toBe(303);

    const { browser: moderator } = await signedInBrowser(t, 'mo', { role: 'moderator' });
    expect((await moderator.post(`/article/${article.slug}/comments`, { body: 'Staff' })).status).toBe(303);
  });

  it('is shown and changed in /admin/settings, and named unconfirmed-may-write (on/off) at the CLI', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'olga', { role: 'owner' });
    const form = await browser.html('/admin/settings');
    expect(form).toContain('<select id="unconfirmedMayWrite" name="unconfirmedMayWrite"');
    expect(form).toMatch(/<option value="on" selected="">May publish and comment<\/option>/);
    const settings = { title: 'Quire', description: 'A place to share your knowledge.', navLinks: '', registration: 'open', comments: 'on', newAccountArticlesPerDay: '3', newAccountCommentsPerDay: '10' };
    expect((await browser.post('/admin/settings', { ...settings, unconfirmedMayWrite: 'off' })).status).toBe(303);
    expect(await browser.html('/admin/settings')).toMatch(/<option value="off" selected="">Must confirm/);
    const bad = await browser.post('/admin/settings', { ...settings, unconfirmedMayWrite: 'maybe' });
    expect(bad.status).toBe(422);
    // a form without the field keeps the setting
    expect((await browser.post('/admin/settings', { ...settings, title: 'Renamed' })).status).toBe(303);
    const [row] = await t.db.select().from(siteSettings).where(eq(siteSettings.key, 'unconfirmedMayWrite'));
    expect(row!.value).toBe('false');
    expect(settingKeyNamed('unconfirmed-may-write')).toBe('unconfirmedMayWrite');
    expect([parseSettingText('unconfirmedMayWrite', 'off'), parseSettingText('unconfirmedMayWrite', 'on')]).toEqual([false, true]);
    expect(formatSetting('unconfirmedMayWrite', false)).toBe('off');
  });
});
