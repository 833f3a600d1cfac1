import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { comments } from '../db/schema';
import { Browser, createTestApp, insertArticle, insertUser, PASSWORD, signedInBrowser, type TestApp } from '../test-support';

/** Bob's article, and Alice signed in to comment on it. */
async function setup() {
  const t = await createTestApp();
  const bob = await insertUser(t.db, 'bob');
  const article = await insertArticle(t.db, bob.id, { title: 'A piece to discuss' });
  const alice = await signedInBrowser(t, 'alice');
  return { t, article, path: `/article/${article.slug}`, alice };
}

/** A browser signed in as a user who already exists. */
async function signIn(t: TestApp, email: string): Promise<Browser> {
  const browser = new Browser(t.app);
  if ((await browser.post('/login', { email, password: PASSWORD })).status !== 303) throw new Error('sign-in failed');
  return browser;
}

const commentRows = async (t: TestApp) => await t.db.select().from(comments);

const commentTexts = (html: string) => [...html.matchAll(/<p class="card-text">([\s\S]*?)<\/p>/g)].map((m) => m[1]);

const textareaValue = (html: string) => html.match(/<textarea[^>]*name="body"[^>]*>([\s\S]*?)<\/textarea>/)?.[1];

/** Posts a comment and returns its id. */
async function postComment(browser: Browser, t: TestApp, path: string, body: string): Promise<number> {
  const res = await browser.post(`${path}/comments`, { body });
  if (res.status !== 303) throw new Error(`posting a comment failed with ${res.status}`);
  return Math.max(...(await commentRows(t)).map((row) => row.id));
}

describe('POST /article/:slug/comments', () => {
  it('sends a signed-out visitor to exactly /login and saves nothing', async () => {
    const { t, path } = await setup();
    const res = await new Browser(t.app).post(`${path}/comments`, { body: 'Hello' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    expect(await commentRows(t)).toEqual([]);
  });

  it('saves the comment, goes back to the article and shows it there with an empty textarea', async () => {
    const { t, path, alice } = await setup();
    const res = await alice.browser.post(`${path}/comments`, { body: 'A thoughtful reply.' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(path);
    expect(await commentRows(t)).toMatchObject([{ body: 'A thoughtful reply.', authorId: alice.user.id }]);
    const html = await alice.browser.html(path);
    expect(commentTexts(html)).toEqual(['A thoughtful reply.']);
    expect(html).toContain('<a href="/profile/alice" class="comment-author">alice</a>');
    expect(textareaValue(html)).toBe('');
  });

  it('accepts a 1,500-character comment', async () => {
    const { t, path, alice } = await setup();
    const body = 'word '.repeat(300).trim() + '.';
    expect(body).toHaveLength(1500);
    expect((await alice.browser.post(`${path}/comments`, { body })).status).toBe(303);
    expect(commentTexts(await alice.browser.html(path))).toEqual([body]);
    expect((await commentRows(t))[0]?.body).toBe(body);
  });

  it('refuses a blank comment and re-renders the article with what was typed', async () => {
    const { t, path, alice } = await setup();
    const res = await alice.browser.post(`${path}/comments`, { body: '   ' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('<h1>A piece to discuss</h1>');
    expect(html).toMatch(/<ul class="error-messages"[^>]*><li>Comment can&#39;t be blank<\/li>/);
    expect(html).toContain('class="field-error"');
    expect(textareaValue(html)).toBe('   ');
    expect(await commentRows(t)).toEqual([]);
  });

  it('refuses a comment over 10,000 characters and keeps the text', async () => {
    const { t, path, alice } = await setup();
    const body = 'x'.repeat(10_001);
    const res = await alice.browser.post(`${path}/comments`, { body });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('Comment is too long (maximum is 10000 characters)');
    expect(textareaValue(html)).toBe(body);
    expect(await commentRows(t)).toEqual([]);
  });

  it('answers 404 for an unknown article', async () => {
    const { t, alice } = await setup();
    expect((await alice.browser.post('/article/no-such-article/comments', { body: 'Hello' })).status).toBe(404);
    expect(await commentRows(t)).toEqual([]);
  });

  it('shows a comment as text, never as markup', async () => {
    const { path, alice } = await setup();
    await alice.browser.post(`${path}/comments`, { body: '<script>alert(1)</script> & <b>bold</b>' });
    const html = await alice.browser.html(path);
    expect(commentTexts(html)).toEqual(['&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;']);
    expect(html).not.toContain('<script>alert(1)');
  });
});

describe('POST /article/:slug/comments/:id/delete', () => {
  it("shows the delete button to the comment's author and the article's author only", async () => {
    const { t, path, alice } = await setup();
    await postComment(alice.browser, t, path, 'Mine');
    expect(await alice.browser.html(path)).toMatch(/<span class="mod-options"><form[^>]*><input[^>]*><button[^>]*><i class="ion-trash-a"/);
    // the article's author keeps their space clean (issue #16); not another reader, nor a visitor
    const bob = await signIn(t, 'bob@example.com');
    expect(await bob.html(path)).toContain('mod-options');
    await insertUser(t.db, 'carol');
    const carol = await signIn(t, 'carol@example.com');
    expect(await carol.html(path)).not.toContain('mod-options');
    expect(await new Browser(t.app).html(path)).not.toContain('mod-options');
  });

  it('lets the author delete the comment and go back', async () => {
    const { t, path, alice } = await setup();
    const id = await postComment(alice.browser, t, path, 'Soon gone');
    const res = await alice.browser.post(`${path}/comments/${id}/delete`, { redirectTo: `${path}?from=test` });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${path}?from=test`);
    expect(await commentRows(t)).toEqual([]);
    expect(commentTexts(await alice.browser.html(path))).toEqual([]);
  });

  it('forbids anyone but its author and the article’s author, and sends a signed-out visitor to /login', async () => {
    const { t, path, alice } = await setup();
    const id = await postComment(alice.browser, t, path, 'Staying put');
    await insertUser(t.db, 'carol');
    const carol = await signIn(t, 'carol@example.com');
    expect((await carol.post(`${path}/comments/${id}/delete`, { redirectTo: path })).status).toBe(403);
    const anonymous = await new Browser(t.app).post(`${path}/comments/${id}/delete`, { redirectTo: path });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login');
    expect(await commentRows(t)).toHaveLength(1);
  });

  it.each(['abc', '999', '0', '1.0', '01'])('answers 404 for the comment id %s', async (id) => {
    const { t, path, alice } = await setup();
    await postComment(alice.browser, t, path, 'Present');
    expect((await alice.browser.post(`${path}/comments/${id}/delete`)).status).toBe(404);
    expect(await commentRows(t)).toHaveLength(1);
  });

  it('answers 404 for a comment that belongs to another article', async () => {
    const { t, path, alice } = await setup();
    const other = await insertArticle(t.db, alice.user.id, { title: 'Another piece' });
    const id = await postComment(alice.browser, t, path, 'On the first article');
    expect((await alice.browser.post(`/article/${other.slug}/comments/${id}/delete`)).status).toBe(404);
    expect(await t.db.select().from(comments).where(eq(comments.id, id))).toHaveLength(1);
  });

  it('answers 404 on an unknown article', async () => {
    const { t, path, alice } = await setup();
    const id = await postComment(alice.browser, t, path, 'Present');
    expect((await alice.browser.post(`/article/no-such-article/comments/${id}/delete`)).status).toBe(404);
    expect(await commentRows(t)).toHaveLength(1);
  });
});
