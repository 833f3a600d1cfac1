import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api, userWithToken } from '../api/test-helpers';
import { tablesOf } from '../db/engine';
import { Browser, createTestApp, dom, insertArticle, ORIGIN, signedInBrowser, testEnv, type TestApp } from '../test-support';
import { deliverDueMail, smtpTransport } from '../mail/sender';
import { startTestSmtp } from '../test-support/smtp';
import { deleteUser } from '../accounts/use-cases';
import { CLI_CALLER } from '../core';
import { notificationDigests, runCleanups } from '../ops/cleanups';
import { createTestCore, insertUser } from '../test-support';
import { DIGEST_INTERVAL_MS, sendDueDigests } from './use-cases';

const notificationRows = async (t: TestApp, userId: number) => {
  const { notifications: n } = tablesOf(t.db);
  return t.db.select().from(n).where(eq(n.userId, userId)).orderBy(n.id);
};

const digests = async (t: TestApp, userId: number) => {
  const { mailOutbox: m } = tablesOf(t.db);
  return t.db.select().from(m).where(and(eq(m.userId, userId), eq(m.kind, 'notification-digest'))).orderBy(m.id);
};

/** The navigation's notifications link of a page: its text and accessible name. */
function navLink(html: string) {
  const link = dom(html).querySelector('nav[aria-label="Main"] a[href="/notifications"]');
  return link ? { text: link.text.trim().replace(/\s+/g, ' '), label: link.getAttribute('aria-label') } : null;
}

const listItems = (html: string) =>
  dom(html)
    .querySelectorAll('.notification-list li')
    .map((li) => ({ text: li.text.trim().replace(/\s+/g, ' '), unread: li.classList.contains('unread'), links: li.querySelectorAll('a').map((a) => a.getAttribute('href')) }));

async function authorAndReader(t: TestApp) {
  const author = await signedInBrowser(t, 'alice');
  const reader = await signedInBrowser(t, 'bob');
  const article = await insertArticle(t.db, author.user.id, { title: 'Trees in winter' });
  return { author, reader, article };
}

describe('notifications from the web', () => {
  it('tells an author of a follow, a comment and a favorite: the nav count, then the page, newest first with links', async () => {
    const t = await createTestApp();
    const { author, reader, article } = await authorAndReader(t);
    expect(navLink(await author.browser.html('/'))).toEqual({ text: 'Notifications', label: 'Notifications' });

    expect((await reader.browser.post('/profile/alice/follow')).status).toBe(303);
    expect((await reader.browser.post(`/article/${article.slug}/comments`, { body: 'Lovely.' })).status).toBe(303);
    expect((await reader.browser.post(`/article/${article.slug}/favorite`)).status).toBe(303);

    const home = await author.browser.html('/');
    expect(navLink(home)).toEqual({ text: 'Notifications (3)', label: 'Notifications, 3 unread' });
    const page = await author.browser.get('/notifications');
    expect(page.status).toBe(200);
    const items = listItems(await page.text());
    const [comment] = (await notificationRows(t, author.user.id)).filter((row) => row.kind === 'comment');
    expect(items).toEqual([
      { text: expect.stringMatching(/^Unread: bob favorited Trees in winter\. /), unread: true, links: ['/profile/bob', `/article/${article.slug}`] },
      {
        text: expect.stringMatching(/^Unread: bob commented on Trees in winter\. /),
        unread: true,
        links: ['/profile/bob', `/article/${article.slug}#comment-${comment!.commentId}`, `/article/${article.slug}`],
      },
      { text: expect.stringMatching(/^Unread: bob followed you\. /), unread: true, links: ['/profile/bob'] },
    ]);
    // opening the page marked nothing read
    expect(navLink(await author.browser.html('/notifications'))!.text).toBe('Notifications (3)');
    // the reader was told nothing
    expect(await notificationRows(t, reader.user.id)).toEqual([]);
  });

  it('tells no one of their own acts: a comment on and a favorite of one\'s own article', async () => {
    const t = await createTestApp();
    const { author, article } = await authorAndReader(t);
    await author.browser.post(`/article/${article.slug}/comments`, { body: 'Mine.' });
    await author.browser.post(`/article/${article.slug}/favorite`);
    await author.browser.post('/profile/alice/follow');
    expect(await notificationRows(t, author.user.id)).toEqual([]);
    expect(navLink(await author.browser.html('/'))!.text).toBe('Notifications');
  });

  it('takes back an unread follow or favorite when it is undone, so a loop tells the author once', async () => {
    const t = await createTestApp();
    const { author, reader, article } = await authorAndReader(t);
    await reader.browser.post('/profile/alice/follow');
    await reader.browser.post('/profile/alice/unfollow');
    for (let i = 0; i < 3; i++) {
      await reader.browser.post(`/article/${article.slug}/favorite`);
      await reader.browser.post(`/article/${article.slug}/unfavorite`);
    }
    expect(await notificationRows(t, author.user.id)).toEqual([]);
    await reader.browser.post(`/article/${article.slug}/favorite`);
    await reader.browser.post(`/article/${article.slug}/favorite`); // already a favorite: nothing new
    expect((await notificationRows(t, author.user.id)).map((row) => row.kind)).toEqual(['favorite']);
  });

  it('forgets a comment\'s notification when the comment is deleted', async () => {
    const t = await createTestApp();
    const { author, reader, article } = await authorAndReader(t);
    await reader.browser.post(`/article/${article.slug}/comments`, { body: 'Oops.' });
    const [row] = await notificationRows(t, author.user.id);
    expect(row!.kind).toBe('comment');
    expect((await reader.browser.post(`/article/${article.slug}/comments/${row!.commentId}/delete`)).status).toBe(303);
    expect(await notificationRows(t, author.user.id)).toEqual([]);
  });

  it('marks all read with the button, not by opening the page; one newer than the page stays unread', async () => {
    const t = await createTestApp();
    const { author, reader, article } = await authorAndReader(t);
    await reader.browser.post(`/article/${article.slug}/comments`, { body: 'One.' });
    await reader.browser.post(`/article/${article.slug}/comments`, { body: 'Two.' });
    const html = await author.browser.html('/notifications');
    const upTo = dom(html).querySelector('form[action="/notifications/read"] input[name="upTo"]')!.getAttribute('value')!;
    await reader.browser.post(`/article/${article.slug}/comments`, { body: 'Three, while the page was open.' });
    const res = await author.browser.post('/notifications/read', { upTo });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/notifications');
    const after = await author.browser.html('/notifications');
    expect(after).toContain('2 notifications marked as read.');
    expect(navLink(after)!.text).toBe('Notifications (1)');
    expect(listItems(after).map((item) => item.unread)).toEqual([true, false, false]);
    await author.browser.post('/notifications/read');
    expect(navLink(await author.browser.html('/notifications'))!.text).toBe('Notifications');
    expect((await notificationRows(t, author.user.id)).every((row) => row.readAt !== null)).toBe(true);
    // a mangled upTo is a 400, and marks nothing
    expect((await author.browser.post('/notifications/read', { upTo: 'all' })).status).toBe(400);
  });

  it('pages the list twenty at a time', async () => {
    const t = await createTestApp();
    const { author, article } = await authorAndReader(t);
    const { notifications: n } = tablesOf(t.db);
    const reader = (await notificationRows(t, author.user.id)).length; // 0
    expect(reader).toBe(0);
    const bob = (await signedInBrowser(t, 'carol')).user;
    await t.db.insert(n).values(
      Array.from({ length: 25 }, (_, i) => ({ userId: author.user.id, kind: 'favorite', actorId: bob.id, articleId: article.id, createdAt: new Date(t.clock() + i) })),
    );
    const first = await author.browser.html('/notifications');
    expect(listItems(first)).toHaveLength(20);
    expect(dom(first).querySelector('a[rel="next"]')!.getAttribute('href')).toBe('/notifications?page=2');
    const second = await author.browser.html('/notifications?page=2');
    expect(listItems(second)).toHaveLength(5);
    expect(dom(second).querySelector('a[rel="next"]')).toBeNull();
    expect((await author.browser.get('/notifications?page=3')).status).toBe(404);
    expect((await author.browser.get('/notifications?page=x')).status).toBe(400);
  });

  it('shows nothing of a suspended actor or a hidden comment, in the page or the count', async () => {
    const t = await createTestApp();
    const { author, reader, article } = await authorAndReader(t);
    const carol = await signedInBrowser(t, 'carol');
    await reader.browser.post(`/article/${article.slug}/comments`, { body: 'Spam spam.' });
    await carol.browser.post('/profile/alice/follow');
    expect(navLink(await author.browser.html('/'))!.text).toBe('Notifications (2)');
    const { comments, users } = tablesOf(t.db);
    await t.db.update(comments).set({ hiddenAt: new Date(t.clock()) }).where(eq(comments.authorId, reader.user.id));
    expect(navLink(await author.browser.html('/'))!.text).toBe('Notifications (1)');
    await t.db.update(users).set({ suspendedAt: new Date(t.clock()) }).where(eq(users.id, carol.user.id));
    const html = await author.browser.html('/notifications');
    expect(navLink(html)!.text).toBe('Notifications');
    expect(listItems(html)).toEqual([]);
  });
});

describe('a deleted author\'s kept writing', () => {
  it('tells no one: the placeholder that keeps it gets no notifications', async () => {
    const { core } = await createTestCore();
    const alice = await insertUser(core.db, 'alice');
    const article = await insertArticle(core.db, alice.id);
    await deleteUser(core, CLI_CALLER, { username: 'alice', keepContent: true });
    const t = { db: core.db } as TestApp;
    const { addComment } = await import('../comments/use-cases');
    const bob = await insertUser(core.db, 'bob');
    await addComment(core, { door: 'web', userId: bob.id, role: 'author', requestId: null, ip: null }, { slug: article.slug, body: 'Anyone?' });
    const { notifications: n } = tablesOf(t.db);
    expect(await core.db.select().from(n)).toEqual([]);
  });
});

describe('notifications from the API', () => {
  it('tells the author of a follow, a comment and a favorite made through the API, and never of their own', async () => {
    const t = await createTestApp();
    const client = api(t);
    const alice = await userWithToken(t, 'alice');
    const bob = await userWithToken(t, 'bob');
    const article = await insertArticle(t.db, alice.user.id);
    expect((await client.post('/profiles/alice/follow', undefined, bob.token)).status).toBe(200);
    expect((await client.post(`/articles/${article.slug}/comments`, { comment: { body: 'Nice.' } }, bob.token)).status).toBe(201);
    expect((await client.post(`/articles/${article.slug}/favorite`, undefined, bob.token)).status).toBe(200);
    await client.post(`/articles/${article.slug}/comments`, { comment: { body: 'Thanks!' } }, alice.token);
    await client.post(`/articles/${article.slug}/favorite`, undefined, alice.token);
    expect((await notificationRows(t, alice.user.id)).map((row) => [row.kind, row.actorId])).toEqual([
      ['follow', bob.user.id],
      ['comment', bob.user.id],
      ['favorite', bob.user.id],
    ]);
    expect(await notificationRows(t, bob.user.id)).toEqual([]);
    // taken back through the API too
    expect((await client.del('/profiles/alice/follow', bob.token)).status).toBe(200);
    expect((await client.del(`/articles/${article.slug}/favorite`, bob.token)).status).toBe(200);
    expect((await notificationRows(t, alice.user.id)).map((row) => row.kind)).toEqual(['comment']);
  });
});

describe('GET /api/notifications and POST /api/notifications/read', () => {
  it('lists the signed-in person\'s notifications with the unread count, and marks them read', async () => {
    const t = await createTestApp();
    const client = api(t);
    const alice = await userWithToken(t, 'alice');
    const bob = await userWithToken(t, 'bob');
    const article = await insertArticle(t.db, alice.user.id, { title: 'Owls' });
    await client.post('/profiles/alice/follow', undefined, bob.token);
    await client.post(`/articles/${article.slug}/favorite`, undefined, bob.token);
    expect((await client.get('/notifications')).status).toBe(401);
    const list = await client.get('/notifications', alice.token);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      notifications: [
        { id: expect.any(Number), kind: 'favorite', createdAt: expect.any(String), read: false, actor: { username: 'bob', image: null }, article: { slug: article.slug, title: 'Owls' }, commentId: null },
        { id: expect.any(Number), kind: 'follow', createdAt: expect.any(String), read: false, actor: { username: 'bob', image: null }, article: null, commentId: null },
      ],
      unreadCount: 2,
      page: 1,
      more: false,
    });
    expect((await client.get('/notifications?page=0', alice.token)).status).toBe(422);
    expect((await client.get('/notifications', bob.token)).body.notifications).toEqual([]);
    expect((await client.post('/notifications/read', undefined, alice.token)).body).toEqual({ marked: 2, unreadCount: 0 });
    expect((await client.get('/notifications', alice.token)).body.notifications.map((n: { read: boolean }) => n.read)).toEqual([true, true]);
  });
});

describe('notification settings', () => {
  it('offers each kind shown and not mailed by default, and saves what is ticked', async () => {
    const t = await createTestApp();
    const { author } = await authorAndReader(t);
    expect(await author.browser.html('/settings')).toContain('href="/settings/notifications"');
    const checked = (html: string) =>
      dom(html)
        .querySelectorAll('form[action="/settings/notifications"] input[type="checkbox"]')
        .filter((input) => input.hasAttribute('checked'))
        .map((input) => input.getAttribute('name'));
    expect(checked(await author.browser.html('/settings/notifications'))).toEqual(['follow.inApp', 'comment.inApp', 'favorite.inApp']);
    const res = await author.browser.post('/settings/notifications', { 'follow.inApp': 'on', 'comment.byEmail': 'on', 'favorite.inApp': 'on', 'favorite.byEmail': 'on' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/settings/notifications');
    const html = await author.browser.html('/settings/notifications');
    expect(html).toContain('Notification settings saved.');
    expect(checked(html)).toEqual(['follow.inApp', 'comment.byEmail', 'favorite.inApp', 'favorite.byEmail']);
  });

  it('a kind not shown is recorded read and left out of the page; one neither shown nor mailed is not recorded', async () => {
    const t = await createTestApp();
    const { author, reader, article } = await authorAndReader(t);
    await reader.browser.post('/profile/alice/follow');
    // turning "show" off marks that kind's unread read at once
    await author.browser.post('/settings/notifications', { 'comment.inApp': 'on', 'favorite.byEmail': 'on' });
    expect(navLink(await author.browser.html('/'))!.text).toBe('Notifications');
    await reader.browser.post(`/article/${article.slug}/favorite`); // mailed only
    await reader.browser.post('/profile/alice/unfollow');
    await reader.browser.post('/profile/alice/follow'); // neither: no row
    const rows = await notificationRows(t, author.user.id);
    expect(rows.map((row) => [row.kind, row.readAt !== null])).toEqual([
      ['follow', true],
      ['favorite', true],
    ]);
    const html = await author.browser.html('/notifications');
    expect(navLink(html)!.text).toBe('Notifications');
    expect(listItems(html)).toEqual([]);
  });
});

describe('notification e-mails', () => {
  it('mails one digest at once, queues nothing more within the hour, and the periodic job mails the rest in one', async () => {
    const t = await createTestApp();
    const { author, reader, article } = await authorAndReader(t);
    await author.browser.post('/settings/notifications', { 'comment.inApp': 'on', 'comment.byEmail': 'on', 'follow.inApp': 'on', 'favorite.inApp': 'on' });
    await reader.browser.post(`/article/${article.slug}/comments`, { body: 'First!' });
    const [first, ...none] = await digests(t, author.user.id);
    expect(none).toEqual([]);
    expect(first!.toAddress).toBe('alice@example.com');
    expect(first!.subject).toBe('A new comment on your article');
    expect(first!.textBody).toContain('bob commented on "Trees in winter".');
    expect(first!.htmlBody).toContain('commented on <a href="http://localhost/article/');
    const headers = JSON.parse(first!.headers!) as Record<string, string>;
    expect(headers['List-Unsubscribe']).toMatch(/^<http:\/\/localhost\/unsubscribe\/[a-z2-7]{32}>$/);
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(first!.textBody).toContain(headers['List-Unsubscribe']!.slice(1, -1));

    t.clock.advance(10 * 60 * 1000);
    await reader.browser.post(`/article/${article.slug}/comments`, { body: 'Second.' });
    const carol = await signedInBrowser(t, 'carol');
    await carol.browser.post(`/article/${article.slug}/comments`, { body: 'Third.' });
    expect(await digests(t, author.user.id)).toHaveLength(1);
    // a kind not mailed is not sent, whatever happens
    await reader.browser.post('/profile/alice/follow');
    // not yet an hour since the first
    expect(await sendDueDigests({ db: t.db, env: testEnv() }, t.clock())).toBe(0);
    t.clock.advance(DIGEST_INTERVAL_MS - 10 * 60 * 1000);
    expect(await sendDueDigests({ db: t.db, env: testEnv() }, t.clock())).toBe(1);
    const mails = await digests(t, author.user.id);
    expect(mails).toHaveLength(2);
    expect(mails[1]!.subject).toBe('2 new comments on your articles');
    expect(mails[1]!.textBody).toContain('bob commented on');
    expect(mails[1]!.textBody).toContain('carol commented on');
    // nothing left waiting: the next run sends nothing
    t.clock.advance(DIGEST_INTERVAL_MS);
    expect(await sendDueDigests({ db: t.db, env: testEnv() }, t.clock())).toBe(0);
    expect((await notificationRows(t, author.user.id)).every((row) => row.emailedAt !== null)).toBe(true);
  });

  it('the periodic job runs with the clean-ups', async () => {
    const t = await createTestApp();
    const { author, reader, article } = await authorAndReader(t);
    await author.browser.post('/settings/notifications', { 'favorite.byEmail': 'on' });
    await reader.browser.post('/profile/alice/follow'); // not mailed
    await reader.browser.post(`/article/${article.slug}/favorite`); // mailed at once
    await reader.browser.post(`/article/${article.slug}/unfavorite`);
    await (await signedInBrowser(t, 'carol')).browser.post(`/article/${article.slug}/favorite`); // waits for the hour
    t.clock.advance(DIGEST_INTERVAL_MS);
    const run = await runCleanups(t.db, { tasks: [notificationDigests(testEnv())], clock: t.clock, log: () => {} });
    expect(run).toEqual({ outcome: 'done', deleted: { 'notification-digests': 1 } });
    expect((await digests(t, author.user.id)).map((mail) => mail.subject)).toEqual(['Someone favorited your article', 'Someone favorited your article']);
  });

  it('unsubscribes by the link: a confirmation page, then a one-click POST with no cookie and no Origin', async () => {
    const t = await createTestApp();
    const { author, reader, article } = await authorAndReader(t);
    await author.browser.post('/settings/notifications', { 'favorite.inApp': 'on', 'favorite.byEmail': 'on' });
    await reader.browser.post(`/article/${article.slug}/favorite`);
    const [mail] = await digests(t, author.user.id);
    const url = (JSON.parse(mail!.headers!) as Record<string, string>)['List-Unsubscribe']!.slice(1, -1);
    const path = new URL(url).pathname;

    const page = await t.app.request(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('Stop e-mails to alice about favorites of your articles?');
    expect(dom(html).querySelector(`form[action="${path}"] input[name="List-Unsubscribe"]`)!.getAttribute('value')).toBe('One-Click');
    // GET changed nothing
    expect(await author.browser.html('/settings/notifications')).toContain('name="favorite.byEmail" value="on" checked');

    // without the RFC 8058 body: refused, nothing changed
    const bare = await t.app.request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=1' });
    expect(bare.status).toBe(400);
    // the mail provider's POST: no cookie, no Origin, no Referer
    const done = await t.app.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('you will get no more e-mails about favorites of your articles');
    expect(await author.browser.html('/settings/notifications')).not.toContain('name="favorite.byEmail" value="on" checked');
    // again (a provider retrying): the same answer
    expect((await t.app.request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })).status).toBe(200);
    // multipart, as RFC 8058 also allows
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    expect((await t.app.request(url, { method: 'POST', body: form })).status).toBe(200);

    // no more digests of that kind
    await reader.browser.post(`/article/${article.slug}/unfavorite`);
    t.clock.advance(2 * DIGEST_INTERVAL_MS);
    await (await signedInBrowser(t, 'carol')).browser.post(`/article/${article.slug}/favorite`);
    expect(await sendDueDigests({ db: t.db, env: testEnv() }, t.clock())).toBe(0);
    expect(await digests(t, author.user.id)).toHaveLength(1);
  });

  it('refuses an unknown, malformed or expired unsubscribe link with a 404, and other cross-site posts still', async () => {
    const t = await createTestApp();
    const { author, reader, article } = await authorAndReader(t);
    for (const token of ['a'.repeat(32), 'not-a-token!', 'x']) {
      expect((await t.app.request(`/unsubscribe/${token}`)).status).toBe(404);
      const res = await t.app.request(`/unsubscribe/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      expect(res.status).toBe(404);
    }
    await author.browser.post('/settings/notifications', { 'follow.inApp': 'on', 'follow.byEmail': 'on' });
    await reader.browser.post('/profile/alice/follow');
    const [mail] = await digests(t, author.user.id);
    const url = (JSON.parse(mail!.headers!) as Record<string, string>)['List-Unsubscribe']!.slice(1, -1);
    t.clock.advance(91 * 24 * 60 * 60 * 1000);
    expect((await t.app.request(url)).status).toBe(404);
    // the exemption is this route's alone: a cookieless cross-site post elsewhere is refused
    const other = await t.app.request('/notifications/read', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }, body: '' });
    expect(other.status).toBe(403);
    void article;
  });
});

describe('a digest through SMTP', () => {
  it('arrives with a text and an HTML part and RFC 8058 headers, and its link unsubscribes with one POST', async () => {
    const smtp = await startTestSmtp();
    const transport = smtpTransport(smtp.url);
    try {
      const t = await createTestApp();
      const { author, reader, article } = await authorAndReader(t);
      await author.browser.post('/settings/notifications', { 'comment.inApp': 'on', 'comment.byEmail': 'on' });
      await reader.browser.post(`/article/${article.slug}/comments`, { body: 'Through the wire.' });
      expect(await deliverDueMail(t.db, transport, { from: 'Quire <noreply@quire.test>', now: t.clock() })).toMatchObject({ sent: 1 });
      const mail = await smtp.waitForMessage((m) => m.to === 'alice@example.com');
      expect(mail.subject).toBe('A new comment on your article');
      expect(mail.text).toContain('bob commented on "Trees in winter".');
      expect(mail.html).toContain('>Trees in winter</a>');
      expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
      const url = mail.headers['list-unsubscribe']!.slice(1, -1);
      const res = await t.app.request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      expect(res.status).toBe(200);
      expect(await author.browser.html('/settings/notifications')).not.toContain('name="comment.byEmail" value="on" checked');
    } finally {
      transport.close?.();
      await smtp.stop();
    }
  });
});

describe('the count and HTTP caching', () => {
  it('a new notification changes a signed-in page\'s ETag, so a 304 never keeps a stale count', async () => {
    const t = await createTestApp();
    const { author, reader, article } = await authorAndReader(t);
    const first = await author.browser.get('/');
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect((await author.browser.request('/', { headers: { 'if-none-match': etag } })).status).toBe(304);
    await reader.browser.post(`/article/${article.slug}/comments`, { body: 'Hello.' });
    const again = await author.browser.request('/', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(200);
    expect(again.headers.get('etag')).not.toBe(etag);
    expect(navLink(await again.text())!.text).toBe('Notifications (1)');
  });
});

describe('who may use the notification routes', () => {
  it('sends a signed-out visitor to sign in', async () => {
    const t = await createTestApp();
    const visitor = new Browser(t.app);
    for (const path of ['/notifications', '/settings/notifications']) {
      const res = await visitor.get(path);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login');
    }
    for (const path of ['/notifications/read', '/settings/notifications']) {
      const res = await visitor.post(path);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login');
    }
    void ORIGIN;
  });
});

describe('the notification pages as HTML', () => {
  it('are valid HTML: the list, the settings and the unsubscribe pages; the digest is drawn in the mail frame', async () => {
    const { HtmlValidate } = await import('html-validate');
    const validator = new HtmlValidate({
      extends: ['html-validate:recommended'],
      rules: { 'void-style': 'off', 'no-trailing-whitespace': 'off', 'attribute-boolean-style': 'off', 'text-content': 'off', 'no-redundant-for': 'off' },
    });
    // the header's search form has no button by design (src/html-validity.test.ts says why)
    const SEARCH_FORM = /^wcag\/h32: .*header > nav/;
    const problems = async (html: string) =>
      (await validator.validateString(html)).results
        .flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message} (${m.selector ?? ''})`))
        .filter((message) => !SEARCH_FORM.test(message));
    const t = await createTestApp();
    const { author, reader, article } = await authorAndReader(t);
    await author.browser.post('/settings/notifications', { 'follow.inApp': 'on', 'comment.inApp': 'on', 'comment.byEmail': 'on', 'favorite.inApp': 'on' });
    await reader.browser.post('/profile/alice/follow');
    await reader.browser.post(`/article/${article.slug}/comments`, { body: 'Hi.' });
    await reader.browser.post(`/article/${article.slug}/favorite`);
    const [mail] = await digests(t, author.user.id);
    const url = (JSON.parse(mail!.headers!) as Record<string, string>)['List-Unsubscribe']!.slice(1, -1);
    const pages: Record<string, string> = {
      list: await author.browser.html('/notifications'),
      settings: await author.browser.html('/settings/notifications'),
      unsubscribe: await (await t.app.request(url)).text(),
      unsubscribed: await (await t.app.request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })).text(),
    };
    for (const [name, html] of Object.entries(pages)) expect(await problems(html), name).toEqual([]);
    // mail is read by mail clients, not browsers: the frame's layout tables and inline styles are
    // deliberate (views/mail/mail-layout.tsx); both parts end with the site's name and address
    expect(mail!.htmlBody).toMatch(/^<!DOCTYPE html><html lang="en">.*<table role="presentation"/s);
    expect(mail!.htmlBody).toContain('http://localhost/notifications');
    expect(mail!.textBody).toMatch(/\n-- \nQuire\nhttp:\/\/localhost\n$/);
  });
});
