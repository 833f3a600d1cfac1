import { describe, expect, it } from 'vitest';
import { Browser, createTestApp, dom, insertArticle, signedInBrowser } from '../test-support';
import { findArticleBySlug } from './queries';

const draft = { title: 'Work in progress', description: 'Not yet', body: 'Half a **thought**', tagList: ['wip'], op: 'draft' };

describe('drafts', () => {
  it('"Save draft" keeps the article to its author: a preview for them, 404 for everyone else', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    const editor = dom(await browser.html('/editor'));
    const buttons = editor.querySelectorAll('form.editor-form button[type=submit]').map((b) => b.text.trim());
    expect(buttons).toEqual(['Add tag', 'Upload image', 'Upload cover', 'Publish Article', 'Save draft']);

    const res = await browser.post('/editor', draft);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/article/work-in-progress');
    const preview = dom(await browser.html('/article/work-in-progress'));
    expect(preview.querySelector('.draft-notice')?.text).toContain('only you can see it');
    expect(preview.querySelector('.article-content strong')?.text).toBe('thought');
    expect((await findArticleBySlug(t.db, 'work-in-progress', null))?.publishedAt).toBeNull();

    const { browser: other } = await signedInBrowser(t, 'bob');
    for (const client of [other, new Browser(t.app)]) {
      expect((await client.get('/article/work-in-progress')).status).toBe(404);
      expect((await client.post('/article/work-in-progress/favorite')).status).toBe(client === other ? 404 : 303);
    }
    expect((await other.post('/article/work-in-progress/comments', { body: 'hi' })).status).toBe(404);
  });

  it('never lists a draft: home, tags, profiles, favorites, feed, sidebar, API, counts', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    await insertArticle(t.db, user.id, { title: 'Published one', tagList: ['shared'] });
    await browser.post('/editor', { ...draft, tagList: ['shared', 'secret-tag'] });
    const follower = await signedInBrowser(t, 'bob');
    await follower.browser.post('/profile/alice/follow');
    const pages = ['/', '/tag/shared', '/profile/alice', '/?feed=following'];
    for (const path of pages) {
      const html = await follower.browser.html(path);
      expect(html, path).toContain('Published one');
      expect(html, path).not.toContain('Work in progress');
    }
    expect(await follower.browser.html('/')).not.toContain('secret-tag');
    expect((await new Browser(t.app).get('/tag/secret-tag')).status).toBe(200);
    expect(await new Browser(t.app).html('/tag/secret-tag')).toContain('empty-feed-message');

    const api = (await (await t.app.request('/api/articles')).json()) as { articles: Array<{ title: string }>; articlesCount: number };
    expect(api.articlesCount).toBe(1);
    expect(api.articles.map((a) => a.title)).toEqual(['Published one']);
    expect((await t.app.request('/api/articles/work-in-progress')).status).toBe(404);
    const tags = (await (await t.app.request('/api/tags')).json()) as { tags: string[] };
    expect(tags.tags).toEqual(['shared']);
  });

  it('has a Drafts tab on one’s own profile only', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    await browser.post('/editor', draft);
    const own = dom(await browser.html('/profile/alice/drafts'));
    expect(own.querySelector('.articles-toggle a.nav-link.active')?.text.trim()).toBe('Drafts');
    expect(own.querySelectorAll('.article-preview h1').map((h) => h.text)).toEqual(['Work in progress']);
    expect(dom(await browser.html('/profile/alice')).querySelector('.articles-toggle a[href="/profile/alice/drafts"]')).not.toBeNull();

    const { browser: other } = await signedInBrowser(t, 'bob');
    expect((await other.get('/profile/alice/drafts')).status).toBe(404);
    expect(dom(await other.html('/profile/alice')).querySelector('a[href="/profile/alice/drafts"]')).toBeNull();
    expect((await new Browser(t.app).get('/profile/alice/drafts')).status).toBe(404);
  });

  it('publishing a draft sets its published date and puts it on top of the lists', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    await browser.post('/editor', draft);
    t.clock.advance(60_000);
    await insertArticle(t.db, user.id, { title: 'Written meanwhile' });
    t.clock.advance(60_000);
    const editor = dom(await browser.html('/editor/work-in-progress'));
    expect(editor.querySelector('button[value=draft]')?.text.trim()).toBe('Save draft');
    const res = await browser.post('/editor/work-in-progress', { ...draft, op: 'publish' });
    expect(res.headers.get('location')).toBe('/article/work-in-progress');
    const article = (await findArticleBySlug(t.db, 'work-in-progress', null))!;
    expect(article.publishedAt?.getTime()).toBe(t.clock());
    expect(dom(await new Browser(t.app).html('/')).querySelector('.article-preview h1')?.text).toBe('Work in progress');
    // once published, the editor no longer offers to save it as a draft
    expect(dom(await browser.html('/editor/work-in-progress')).querySelector('button[value=draft]')).toBeNull();
  });

  it('lets API clients keep RealWorld behaviour: creating publishes, and others’ drafts do not exist', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    await browser.post('/editor', draft);
    const signUp = await t.app.request('/api/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: { username: 'api', email: 'api@example.com', password: 'velvet otter quarry 42' } }),
    });
    const { user } = (await signUp.json()) as { user: { token: string } };
    const auth = { authorization: `Token ${user.token}` };
    expect((await t.app.request('/api/articles/work-in-progress', { headers: auth })).status).toBe(404);
    expect((await t.app.request('/api/articles/work-in-progress/favorite', { method: 'POST', headers: auth })).status).toBe(404);
    const created = await t.app.request('/api/articles', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ article: { title: 'Via API', description: 'd', body: 'b' } }),
    });
    expect(created.status).toBe(201);
    expect((await findArticleBySlug(t.db, 'via-api', null))?.publishedAt).not.toBeNull();
  });
});
