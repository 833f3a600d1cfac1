import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { follows } from '../db/schema';
import { Browser, createTestApp, insertArticle, insertUser, ORIGIN, signedInBrowser, type TestApp } from '../test-support';

/** The profile header: from `.user-info` up to the article tabs. */
function userInfo(html: string): string {
  const start = html.indexOf('<div class="user-info">');
  const end = html.indexOf('<div class="articles-toggle">');
  if (start < 0 || end < start) throw new Error('no .user-info on this page');
  return html.slice(start, end);
}

const decode = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

const userImgSrc = (html: string) => decode(html.match(/<img src="([^"]*)" class="user-img"/)?.[1] ?? '');

const previewCount = (html: string) => html.split('class="article-preview"').length - 1;

const followRows = async (t: TestApp, followerId: number, followedId: number) =>
  await t.db.select().from(follows).where(and(eq(follows.followerId, followerId), eq(follows.followedId, followedId)));

describe('GET /profile/:username', () => {
  it('shows the username, the bio and the default avatar when there is no image', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'bob', { bio: 'Writes about <b>trees</b> & birds' });
    await insertUser(t.db, 'carol');
    const res = await t.app.request('/profile/bob');
    expect(res.status).toBe(200);
    const info = userInfo(await res.text());
    expect(info).toContain('<h4>bob</h4>');
    expect(info.match(/<p>[\s\S]*?<\/p>/g)).toEqual(['<p>Writes about &lt;b&gt;trees&lt;/b&gt; &amp; birds</p>']);
    expect(userImgSrc(info)).toBe('/default-avatar.svg');
    // no bio still gives the one, empty paragraph
    expect(userInfo(await (await t.app.request('/profile/carol')).text()).match(/<p>[\s\S]*?<\/p>/g)).toEqual(['<p></p>']);
  });

  it('outputs the image URL byte for byte as the avatar src', async () => {
    const t = await createTestApp();
    const image = 'https://CDN.example/Avatars/Bob%20S.PNG?size=100&v=2';
    await insertUser(t.db, 'bob', { image });
    const html = await (await t.app.request('/profile/bob')).text();
    expect(userImgSrc(html)).toBe(image);
  });

  it('finds the user whatever the case of the username in the address', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'bob');
    const res = await t.app.request('/profile/BoB');
    expect(res.status).toBe(200);
    expect(userInfo(await res.text())).toContain('<h4>bob</h4>');
  });

  it('answers 404 for an unknown user', async () => {
    const t = await createTestApp();
    const res = await t.app.request('/profile/nobody');
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('<h1>Not found</h1>');
    // the route's own message replaces the generic "Sorry, this resource does not exist."
    expect(html).toContain('There is no one with that username.');
  });

  it('lists own articles under My Articles and favorited ones under Favorited Articles', async () => {
    const t = await createTestApp();
    const { browser: bob, user } = await signedInBrowser(t, 'bob');
    const alice = await insertUser(t.db, 'alice');
    await insertArticle(t.db, user.id, { title: 'Trees of the north' });
    const liked = await insertArticle(t.db, alice.id, { title: 'Birds of the south' });
    expect((await bob.post(`/article/${liked.slug}/favorite`)).status).toBe(303);

    const mine = await bob.html('/profile/bob');
    expect(mine).toContain('<a class="nav-link active" href="/profile/bob">My Articles</a>');
    expect(mine).toContain('<a class="nav-link" href="/profile/bob/favorites">Favorited Articles</a>');
    expect(mine).toContain('<h1>Trees of the north</h1>');
    expect(mine).not.toContain('Birds of the south');

    const favorited = await bob.html('/profile/bob/favorites');
    expect(favorited).toContain('<a class="nav-link" href="/profile/bob">My Articles</a>');
    expect(favorited).toContain('<a class="nav-link active" href="/profile/bob/favorites">Favorited Articles</a>');
    expect(favorited).toContain('<h1>Birds of the south</h1>');
    expect(favorited).not.toContain('Trees of the north');

    const empty = await bob.html('/profile/alice/favorites');
    expect(empty).toContain('class="empty-feed-message"');
    expect(previewCount(empty)).toBe(0);
  });

  it('says "Articles", not "My Articles", on another person\'s profile, signed in or not', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    await insertUser(t.db, 'bob');
    const tabs = (html: string) =>
      html.slice(html.indexOf('<div class="articles-toggle">')).match(/<a class="nav-link[^"]*" href="[^"]*">[^<]*<\/a>/g);
    const expected = [
      '<a class="nav-link active" href="/profile/bob">Articles</a>',
      '<a class="nav-link" href="/profile/bob/favorites">Favorited Articles</a>',
    ];
    expect(tabs(await browser.html('/profile/bob'))).toEqual(expected);
    expect(tabs(await (await t.app.request('/profile/bob')).text())).toEqual(expected);
  });

  it("offers Edit Profile Settings on one's own profile and a Follow button on others'", async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    await insertUser(t.db, 'bob');

    const own = userInfo(await browser.html('/profile/alice'));
    expect(own).toMatch(/<a href="\/settings"[^>]*>[\s\S]*Edit Profile Settings<\/a>/);
    expect(own).not.toContain('<button');

    const other = userInfo(await browser.html('/profile/bob'));
    expect(other).not.toContain('href="/settings"');
    expect(other).toMatch(/<form method="post" action="\/profile\/bob\/follow">[\s\S]*Follow bob<\/button>/);
  });

  it('pages the articles ten at a time and refuses bad page numbers', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    for (let n = 1; n <= 11; n++) await insertArticle(t.db, bob.id, { title: `Post ${n}` });

    const first = await (await t.app.request('/profile/bob')).text();
    expect(previewCount(first)).toBe(10);
    expect(first).toContain('<h1>Post 11</h1>');
    expect(first).toContain('href="/profile/bob?page=2"');

    const second = await t.app.request('/profile/bob?page=2');
    expect(second.status).toBe(200);
    const html = await second.text();
    expect(previewCount(html)).toBe(1);
    expect(html).toContain('<h1>Post 1</h1>');

    expect((await t.app.request('/profile/bob?page=abc')).status).toBe(400);
    expect((await t.app.request('/profile/bob?page=0')).status).toBe(400);
    expect((await t.app.request('/profile/bob?page=999')).status).toBe(404);
  });
});

describe('POST /profile/:username/follow and /unfollow', () => {
  it('sends a signed-out visitor to exactly /login and follows no one', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'bob');
    for (const action of ['follow', 'unfollow']) {
      const res = await new Browser(t.app).post(`/profile/bob/${action}`, { redirectTo: '/profile/bob' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login');
    }
    expect(await t.db.select().from(follows)).toEqual([]);
  });

  it('follows and unfollows, then goes back to the page the form came from', async () => {
    const t = await createTestApp();
    const { browser, user: alice } = await signedInBrowser(t, 'alice');
    const bob = await insertUser(t.db, 'bob');

    const followed = await browser.post('/profile/bob/follow', { redirectTo: '/profile/bob/favorites?page=1' });
    expect(followed.status).toBe(303);
    expect(followed.headers.get('location')).toBe('/profile/bob/favorites?page=1');
    await browser.post('/profile/BOB/follow', { redirectTo: '/profile/bob' });
    expect(await followRows(t, alice.id, bob.id)).toHaveLength(1);
    expect(userInfo(await browser.html('/profile/bob'))).toMatch(/action="\/profile\/bob\/unfollow">[\s\S]*Unfollow bob<\/button>/);

    const unfollowed = await browser.post('/profile/bob/unfollow', { redirectTo: '/' });
    expect(unfollowed.status).toBe(303);
    expect(unfollowed.headers.get('location')).toBe('/');
    expect(await followRows(t, alice.id, bob.id)).toHaveLength(0);
    expect(userInfo(await browser.html('/profile/bob'))).toContain('Follow bob</button>');
  });

  it.each(['https://evil.example', '//evil.example/x', '/\\evil.example'])(
    'goes back to the profile instead of the off-site redirectTo %s',
    async (redirectTo) => {
      const t = await createTestApp();
      const { browser } = await signedInBrowser(t, 'alice');
      await insertUser(t.db, 'bob');
      const res = await browser.post('/profile/bob/follow', { redirectTo });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/profile/bob');
    },
  );

  it('does nothing when one follows oneself', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const res = await browser.post('/profile/alice/follow', { redirectTo: '/profile/alice' });
    expect(res.status).toBe(303);
    expect(await followRows(t, user.id, user.id)).toHaveLength(0);
  });

  it('answers 404 for an unknown user', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    expect((await browser.post('/profile/nobody/follow', { redirectTo: '/' })).status).toBe(404);
    expect((await browser.post('/profile/nobody/unfollow', { redirectTo: '/' })).status).toBe(404);
  });

  it('refuses a cross-site form post', async () => {
    const t = await createTestApp();
    const { browser, user: alice } = await signedInBrowser(t, 'alice');
    const bob = await insertUser(t.db, 'bob');
    const res = await browser.post('/profile/bob/follow', {}, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(await followRows(t, alice.id, bob.id)).toHaveLength(0);
  });
});

describe('GET /?feed=following', () => {
  it("shows only the followed authors' articles, under an active Your Feed tab", async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    const bob = await insertUser(t.db, 'bob');
    const carol = await insertUser(t.db, 'carol');
    await insertArticle(t.db, bob.id, { title: 'Followed writing' });
    await insertArticle(t.db, carol.id, { title: 'Unfollowed writing' });
    await browser.post('/profile/bob/follow', { redirectTo: '/' });

    const res = await browser.get('/?feed=following');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<a class="nav-link active" href="/?feed=following">Your Feed</a>');
    expect(html).toContain('<h1>Followed writing</h1>');
    expect(html).not.toContain('Unfollowed writing');
    expect(previewCount(html)).toBe(1);
  });

  it('sends a signed-out visitor to exactly /login', async () => {
    const t = await createTestApp();
    const res = await t.app.request(`${ORIGIN}/?feed=following`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
  });

  it('says the feed is empty and links to the Global Feed when one follows no one', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    await insertArticle(t.db, (await insertUser(t.db, 'bob')).id, { title: 'Someone else' });
    const html = await browser.html('/?feed=following');
    const message = html.match(/<div class="empty-feed-message">([\s\S]*?)<\/div>/)?.[1] ?? '';
    expect(message).toContain('Your feed is empty');
    expect(message).toContain('<a href="/">');
    expect(previewCount(html)).toBe(0);
  });
});
