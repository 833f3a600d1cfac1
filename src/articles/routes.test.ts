import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { articles, articleTags } from '../db/schema';
import { Browser, createTestApp, dom, insertArticle, insertUser, signedInBrowser } from '../test-support';
import { findArticleBySlug } from './queries';

const article = { title: 'Hello World', description: 'A greeting', body: 'Some **bold** text', op: 'publish' };

describe('the editor', () => {
  it('sends signed-out visitors to exactly /login', async () => {
    const t = await createTestApp();
    for (const path of ['/editor', '/editor/some-slug']) {
      const res = await new Browser(t.app).get(path);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login');
    }
    const post = await new Browser(t.app).post('/editor', article);
    expect(post.headers.get('location')).toBe('/login');
    expect(await t.db.select().from(articles)).toHaveLength(0);
  });

  it('publishes an article with tags in order and redirects to it', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    const res = await browser.post('/editor', { ...article, tagList: ['zeta', 'alpha'], tag: 'mid' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/article/hello-world');
    const page = dom(await browser.html('/article/hello-world'));
    expect(page.querySelectorAll('h1').map((h) => h.text)).toEqual(['Hello World']);
    expect(page.querySelector('.article-content strong')?.text).toBe('bold');
    expect(page.querySelectorAll('.article-content .tag-list li').map((li) => li.text)).toEqual(['zeta', 'alpha', 'mid']);
    expect(page.querySelector('.flash')?.text).toContain('Article published');
  });

  it('re-shows the editor with what was written and 429 when saves come too fast', async () => {
    const t = await createTestApp({ env: { RATE_LIMIT_ARTICLE_UPDATES: '1/h' } });
    const { browser } = await signedInBrowser(t, 'alice');
    await browser.post('/editor', article);
    expect((await browser.post('/editor/hello-world', { ...article, body: 'Second draft' })).status).toBe(303);

    const res = await browser.post('/editor/hello-world', { ...article, body: 'Third *draft*' });

    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const page = dom(await res.text());
    expect(page.querySelector('.error-messages')?.text).toMatch(/Too many requests\. Try again in \d+ (second|minute)s?\./);
    expect(page.querySelector('textarea[name=body]')?.text).toBe('Third *draft*');
    expect((await t.db.select().from(articles))[0]!.body).toBe('Second draft');
  });

  it('gives a unique slug when the title is taken', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    await browser.post('/editor', article);
    const res = await browser.post('/editor', article);
    expect(res.headers.get('location')).toBe('/article/hello-world-2');
  });

  it.each([
    ['an empty title', { title: '' }, "Title can't be blank"],
    ['a 201-character title', { title: 'x'.repeat(201) }, 'Title is too long (maximum is 200 characters)'],
    ['a blank description', { description: '   ' }, "Description can't be blank"],
    ['a 501-character description', { description: 'd'.repeat(501) }, 'Description is too long'],
    ['an empty body', { body: '' }, "Body can't be blank"],
    ['a 100 001-character body', { body: 'b'.repeat(100_001) }, 'Body is too long'],
    ['11 tags', { tagList: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 'Tags can have at most 10 tags'],
    ['a 41-character tag', { tagList: ['t'.repeat(41)] }, 'Tags has a tag that is too long'],
  ] as Array<[string, Record<string, string | string[]>, string]>)('refuses %s with 422 and keeps what was typed', async (_name, change, message) => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    const fields = { ...article, tagList: ['keep'], ...change };
    const res = await browser.post('/editor', fields);
    expect(res.status).toBe(422);
    const page = dom(await res.text());
    expect(page.querySelector('ul.error-messages')?.text).toContain(message);
    expect(page.querySelector('.field-error')).not.toBeNull();
    expect(page.querySelector('input[name=title]')?.getAttribute('value')).toBe(fields.title);
    expect(page.querySelector('textarea[name=body]')?.text).toBe(fields.body);
    expect(page.querySelectorAll('input[type=hidden][name=tagList]').length).toBeGreaterThan(0);
    expect(await t.db.select().from(articles)).toHaveLength(0);
  });

  it('adds and removes tags through the server without publishing (no JavaScript)', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    const added = await browser.post('/editor', { ...article, op: 'addtag', tagList: ['one'], tag: 'two, three' });
    expect(added.status).toBe(200);
    const page = dom(await added.text());
    expect(page.querySelectorAll('input[type=hidden][name=tagList]').map((i) => i.getAttribute('value'))).toEqual([
      'one',
      'two',
      'three',
    ]);
    expect(page.querySelector('input[placeholder="Enter tags"]')?.getAttribute('value')).toBe('');
    expect(page.querySelector('input[name=title]')?.getAttribute('value')).toBe('Hello World');
    // the first submit button is the hidden "add tag" one, so Enter never publishes
    expect(page.querySelector('form.editor-form button[type=submit]')?.getAttribute('value')).toBe('addtag');
    const pills = page.querySelectorAll('.tag-list span.tag-default.tag-pill');
    expect(pills.map((p) => p.text.trim())).toEqual(['one', 'two', 'three']);
    expect(pills[0]!.querySelector('button i.ion-close-round')).not.toBeNull();

    const removed = await browser.post('/editor', { ...article, op: 'rm:two', tagList: ['one', 'two', 'three'] });
    const after = dom(await removed.text());
    expect(after.querySelectorAll('input[name=tagList]').map((i) => i.getAttribute('value'))).toEqual(['one', 'three']);
    expect(await t.db.select().from(articles)).toHaveLength(0);
  });

  it('lets only the author edit; a new title gives a new slug, createdAt stays and tags can be cleared', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const { slug } = await insertArticle(t.db, user.id, { title: 'First title', tagList: ['a', 'b'] });
    const before = (await findArticleBySlug(t.db, slug, null))!;

    const form = dom(await browser.html(`/editor/${slug}`));
    expect(form.querySelector('input[name=title]')?.getAttribute('value')).toBe('First title');
    expect(form.querySelectorAll('input[name=tagList]').map((i) => i.getAttribute('value'))).toEqual(['a', 'b']);

    t.clock.advance(5000);
    const res = await browser.post(`/editor/${slug}`, { title: 'Second title', description: 'd', body: 'b', op: 'publish' });
    expect(res.headers.get('location')).toBe('/article/second-title');
    const after = (await findArticleBySlug(t.db, 'second-title', null))!;
    expect(after.id).toBe(before.id);
    expect(after.tagList).toEqual([]);
    expect(after.createdAt).toEqual(before.createdAt);
    expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
    // the old address leads to the new one (src/articles/slug-redirects.test.ts)
    const old = await browser.get(`/article/${slug}`);
    expect(old.status).toBe(301);
    expect(old.headers.get('location')).toBe('/article/second-title');
  });

  it('forbids editing or deleting someone else’s article (403) and 404s unknown slugs', async () => {
    const t = await createTestApp();
    const author = await insertUser(t.db, 'author');
    const { slug } = await insertArticle(t.db, author.id, { title: 'Theirs' });
    const { browser } = await signedInBrowser(t, 'mallory');
    expect((await browser.get(`/editor/${slug}`)).status).toBe(403);
    expect((await browser.post(`/editor/${slug}`, { ...article })).status).toBe(403);
    const del = await browser.post(`/article/${slug}/delete`);
    expect(del.status).toBe(403);
    expect(await del.text()).toContain('Only its author or a moderator');
    expect((await t.db.select().from(articles).where(eq(articles.slug, slug)).limit(1))[0]).toBeDefined();
    expect((await browser.get('/editor/nope')).status).toBe(404);
    expect((await browser.post('/article/nope/delete')).status).toBe(404);
  });

  it('deletes the author’s article with its tags and goes to exactly /', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const { slug } = await insertArticle(t.db, user.id, { tagList: ['gone'] });
    const res = await browser.post(`/article/${slug}/delete`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(await t.db.select().from(articles)).toHaveLength(0);
    expect(await t.db.select().from(articleTags)).toHaveLength(0);
    const home = dom(await browser.html('/'));
    expect(home.querySelector('.flash')?.text).toContain('Article deleted');
    expect(home.querySelectorAll('.sidebar .tag-pill')).toHaveLength(0);
  });
});

describe('the article page', () => {
  it('shows edit and delete to the author only, follow and favorite to others', async () => {
    const t = await createTestApp();
    const { browser: authorBrowser, user } = await signedInBrowser(t, 'alice');
    const { slug } = await insertArticle(t.db, user.id, { title: 'Mine' });
    const own = dom(await authorBrowser.html(`/article/${slug}`));
    expect(own.querySelector(`a[href="/editor/${slug}"]`)?.text).toContain('Edit Article');
    expect(own.querySelector('button.btn-outline-danger')?.text).toContain('Delete Article');

    const { browser } = await signedInBrowser(t, 'bob');
    const other = dom(await browser.html(`/article/${slug}`));
    expect(other.querySelector(`a[href="/editor/${slug}"]`)).toBeNull();
    expect(other.querySelector('button.btn-outline-danger')).toBeNull();
    expect(other.querySelector('button.btn-outline-secondary')?.text).toContain('Follow alice');
    expect(other.querySelector('button.btn-outline-primary')?.text).toContain('Favorite Article (0)');
    expect(other.querySelector('form.card.comment-form textarea[placeholder="Write a comment..."]')).not.toBeNull();
  });

  it('shows signed-out readers a sign-in prompt that is not a second /login link', async () => {
    const t = await createTestApp();
    const user = await insertUser(t.db, 'alice');
    const { slug } = await insertArticle(t.db, user.id);
    const page = dom(await new Browser(t.app).html(`/article/${slug}`));
    expect(page.querySelectorAll('a[href="/login"]')).toHaveLength(1);
    expect(page.querySelector('textarea')).toBeNull();
    expect(page.querySelector('.sign-in-prompt a')?.getAttribute('href')).toBe(`/login?redirectTo=%2Farticle%2F${slug}`);
    expect(page.querySelectorAll('.article-page .card.card-block')).toHaveLength(0);
    expect(page.querySelector('time.date')?.getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('404s an unknown slug with the not-found page', async () => {
    const t = await createTestApp();
    const res = await new Browser(t.app).get('/article/does-not-exist');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Sorry, this resource does not exist.');
  });
});
