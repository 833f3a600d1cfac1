import { describe, expect, it } from 'vitest';
import { articles, favorites } from '../db/schema';
import { Browser, createTestApp, insertArticle, insertUser, PASSWORD, signedInBrowser, type TestApp } from '../test-support';

/** Bob's article, and Alice signed in to read it. */
async function setup() {
  const t = await createTestApp();
  const bob = await insertUser(t.db, 'bob');
  const article = await insertArticle(t.db, bob.id, { title: 'Worth a heart' });
  const alice = await signedInBrowser(t, 'alice');
  return { t, path: `/article/${article.slug}`, alice };
}

const favoriteRows = async (t: TestApp) => await t.db.select().from(favorites);

/** Every button on the page: its classes and its text as a reader sees it. */
const buttons = (html: string) =>
  [...html.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/g)].map(([, attributes, inner]) => ({
    class: attributes!.match(/class="([^"]*)"/)?.[1] ?? '',
    text: inner!.replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim(),
  }));

const favoriteButtons = (html: string) => buttons(html).filter((b) => /Favorite Article/i.test(b.text));

describe('favorite and unfavorite an article', () => {
  it('sends a signed-out reader to exactly /login, then back to the article after signing in', async () => {
    const { t, path } = await setup();
    const reader = await insertUser(t.db, 'carol');
    const browser = new Browser(t.app);
    for (const action of ['unfavorite', 'favorite']) {
      const res = await browser.post(`${path}/${action}`, { redirectTo: path });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login');
    }
    expect(await favoriteRows(t)).toEqual([]);
    const signIn = await browser.post('/login', { email: reader.email, password: PASSWORD });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe(path);
  });

  it('counts a favorite once however often it is sent, and goes back to the page', async () => {
    const { t, path, alice } = await setup();
    for (let i = 0; i < 2; i++) {
      const res = await alice.browser.post(`${path}/favorite`, { redirectTo: `${path}?from=here` });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`${path}?from=here`);
    }
    expect(await favoriteRows(t)).toMatchObject([{ userId: alice.user.id }]);
    expect(favoriteButtons(await alice.browser.html(path))).toEqual([
      { class: 'btn btn-sm btn-primary', text: 'Unfavorite Article (1)' },
      { class: 'btn btn-sm btn-primary', text: 'Unfavorite Article (1)' },
    ]);

    for (let i = 0; i < 2; i++) {
      const res = await alice.browser.post(`${path}/unfavorite`, { redirectTo: path });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(path);
    }
    expect(await favoriteRows(t)).toEqual([]);
    expect(favoriteButtons(await alice.browser.html(path))).toEqual([
      { class: 'btn btn-sm btn-outline-primary', text: 'Favorite Article (0)' },
      { class: 'btn btn-sm btn-outline-primary', text: 'Favorite Article (0)' },
    ]);
  });

  it("counts everyone's favorites, and only the reader's own makes the button solid", async () => {
    const { t, path, alice } = await setup();
    const carol = await signedInBrowser(t, 'carol');
    await carol.browser.post(`${path}/favorite`, { redirectTo: path });
    expect(favoriteButtons(await alice.browser.html(path))[0]).toEqual({
      class: 'btn btn-sm btn-outline-primary',
      text: 'Favorite Article (1)',
    });
    await alice.browser.post(`${path}/favorite`, { redirectTo: path });
    expect(favoriteButtons(await alice.browser.html(path))[0]?.text).toBe('Unfavorite Article (2)');
    expect(favoriteButtons(await new Browser(t.app).html(path))[0]).toEqual({
      class: 'btn btn-sm btn-outline-primary',
      text: 'Favorite Article (2)',
    });
  });

  it('shows the count on the preview button on the home page', async () => {
    const { t, path, alice } = await setup();
    const before = await alice.browser.html('/');
    expect(before).toMatch(/<button[^>]*class="btn btn-sm btn-outline-primary"[^>]*><i class="ion-heart"[^>]*><\/i> 0<\/button>/);
    const res = await alice.browser.post(`${path}/favorite`, { redirectTo: '/' });
    expect(res.headers.get('location')).toBe('/');
    const after = await alice.browser.html('/');
    expect(after).toMatch(/<button[^>]*class="btn btn-sm btn-primary"[^>]*><i class="ion-heart"[^>]*><\/i> 1<\/button>/);
    expect(await new Browser(t.app).html('/')).toMatch(
      /<button[^>]*class="btn btn-sm btn-outline-primary"[^>]*><i class="ion-heart"[^>]*><\/i> 1<\/button>/,
    );
  });

  it("gives each reader of a list their own favorite state, and each page its own way back", async () => {
    const { t, path, alice } = await setup();
    const carol = await signedInBrowser(t, 'carol');
    const preview = async (who: typeof alice, page: string) => {
      const html = await who.browser.html(page);
      const back = html.match(/name="redirectTo" value="([^"]*)"/)?.[1];
      return { solid: /class="btn btn-sm btn-primary"/.test(html), back };
    };
    expect(await preview(carol, '/')).toEqual({ solid: false, back: '/' });
    await alice.browser.post(`${path}/favorite`, { redirectTo: '/' });
    expect(await preview(alice, '/')).toEqual({ solid: true, back: '/' });
    expect(await preview(carol, '/')).toEqual({ solid: false, back: '/' });
    expect(await preview(carol, '/?page=1')).toEqual({ solid: false, back: '/?page=1' });
    expect(await preview(alice, '/?page=1')).toEqual({ solid: true, back: '/?page=1' });
    await alice.browser.post(`${path}/unfavorite`, { redirectTo: '/' });
    expect(await preview(alice, '/')).toEqual({ solid: false, back: '/' });
  });

  it('lets authors favorite their own article', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const { slug } = await insertArticle(t.db, user.id, { title: 'My own' });
    expect((await browser.post(`/article/${slug}/favorite`, { redirectTo: `/article/${slug}` })).status).toBe(303);
    expect(favoriteButtons(await browser.html(`/article/${slug}`))[0]?.text).toBe('Unfavorite Article (1)');
  });

  it('answers 404 for an unknown article', async () => {
    const { t, alice } = await setup();
    for (const action of ['favorite', 'unfavorite']) {
      expect((await alice.browser.post(`/article/no-such-article/${action}`, { redirectTo: '/' })).status).toBe(404);
    }
    expect(await favoriteRows(t)).toEqual([]);
  });
});

describe("an article's favorites count, kept on its row", () => {
  const stored = async (t: TestApp) => (await t.db.select({ n: articles.favoritesCount }).from(articles).limit(1))[0]?.n;

  it('moves only when a favorite is added or removed, whoever sends what how often', async () => {
    const { t, path, alice } = await setup();
    const carol = await signedInBrowser(t, 'carol');
    const send = (who: typeof alice, action: string) => who.browser.post(`${path}/${action}`, { redirectTo: path });
    await send(alice, 'unfavorite');
    expect(await stored(t)).toBe(0);
    await send(alice, 'favorite');
    await send(alice, 'favorite');
    await send(carol, 'favorite');
    expect(await stored(t)).toBe(2);
    await send(alice, 'unfavorite');
    await send(alice, 'unfavorite');
    expect(await stored(t)).toBe(1);
    expect(await stored(t)).toBe((await favoriteRows(t)).length);
  });
});
