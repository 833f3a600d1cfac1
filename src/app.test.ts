import { describe, expect, it } from 'vitest';
import {
  Browser,
  closedDatabaseMessage,
  closeTestDb,
  countQueries,
  createTestApp,
  dom,
  insertArticle,
  insertUser,
  ORIGIN,
  signedInBrowser,
} from './test-support';

describe('pages every visitor meets', () => {
  it('answers unknown paths and wrong methods with the 404 page', async () => {
    const t = await createTestApp();
    for (const [method, path] of [
      ['GET', '/no/such/page'],
      ['GET', '/profile/nobody'],
      ['GET', '/tag'],
      ['DELETE', '/'],
      ['PUT', '/article/some-slug'],
      ['PUT', '/settings'],
    ] as const) {
      const res = await new Browser(t.app).request(path, { method, headers: { origin: ORIGIN } });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.text()).toContain('Sorry, this resource does not exist.');
    }
  });

  it('shows an error page with the request id and no stack trace when something breaks', async () => {
    const t = await createTestApp();
    await closeTestDb(t.db);
    const res = await new Browser(t.app).get('/');
    expect(res.status).toBe(500);
    const html = await res.text();
    const requestId = res.headers.get('x-request-id')!;
    expect(html).toContain(requestId);
    expect(html).not.toMatch(/\.tsx?:\d+|at [A-Za-z]+ \(|SqliteError|database connection/);
    const logged = t.logs.find((line) => line.msg === 'unhandled error')!;
    expect(logged.requestId).toBe(requestId);
    expect(String(logged.error)).toContain(closedDatabaseMessage());
  });

  it('answers /healthz after a real database query', async () => {
    const t = await createTestApp();
    const res = await t.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    await closeTestDb(t.db);
    expect((await t.app.request('/healthz')).status).toBe(503);
  });

  it('describes the site on /about', async () => {
    const t = await createTestApp({ env: { SITE_TITLE: 'Field Notes' } });
    const user = await insertUser(t.db, 'alice');
    await insertArticle(t.db, user.id);
    const page = dom(await new Browser(t.app).html('/about'));
    expect(page.querySelector('title')?.text).toBe('About — Field Notes');
    // a page (src/site/pages.ts) seeded at start-up with the text /about always had
    expect(page.querySelector('h1')?.text).toBe('About');
    expect(page.querySelector('main')?.text).toContain('Field Notes is a blog for many authors');
    expect(page.querySelector('main')?.text).toContain('1 person has written 1 article');
  });

  it('serves fingerprinted static files for a year and the default avatar at its root path', async () => {
    const t = await createTestApp();
    const home = dom(await new Browser(t.app).html('/'));
    const css = home.querySelector('link[rel=stylesheet]')!.getAttribute('href')!;
    expect(css).toMatch(/^\/static\/style\.[0-9a-f]{10}\.css$/);
    const res = await t.app.request(css);
    expect(res.headers.get('content-type')).toContain('text/css');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const avatar = await t.app.request('/default-avatar.svg');
    expect(avatar.status).toBe(200);
    expect(avatar.headers.get('content-type')).toBe('image/svg+xml');
    expect((await t.app.request('/static/style.0000000000.css')).status).toBe(404);
  });

  it('sets security headers and no inline scripts or styles', async () => {
    const t = await createTestApp();
    const res = await t.app.request('/');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(res.headers.get('x-powered-by')).toBeNull();
    const page = dom(await res.text());
    expect(page.querySelectorAll('script').every((s) => s.getAttribute('src'))).toBe(true);
    expect(page.querySelectorAll('style')).toHaveLength(0);
    expect(page.querySelectorAll('[style]')).toHaveLength(0);
    expect(page.querySelector('html')?.getAttribute('lang')).toBe('en');
  });

  it('refuses form bodies over the limit with 413', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    const res = await browser.post('/login', { email: 'x'.repeat(3 * 1024 * 1024), password: 'p' });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('larger than this site accepts');
    // the editor's form may carry an image (MEDIA_MAX_BYTES and 1 MiB for the rest), not more
    const editor = await browser.post('/editor', { title: 't', description: 'd', body: 'x'.repeat(12 * 1024 * 1024) });
    expect(editor.status).toBe(413);
  });
});

describe('the home page', () => {
  it('invites the first visitor without a second link to /login, /register, /editor or /settings', async () => {
    const t = await createTestApp();
    const page = dom(await new Browser(t.app).html('/'));
    expect(page.querySelector('.empty-feed-message')?.text).toContain('No articles are here yet');
    expect(page.querySelector('.empty-feed-message')?.classList.contains('article-preview')).toBe(false);
    for (const href of ['/login', '/register']) expect(page.querySelectorAll(`a[href="${href}"]`)).toHaveLength(1);
    expect(page.querySelectorAll('nav.navbar')).toHaveLength(1);
    expect(page.querySelectorAll('nav.navbar a.navbar-brand[href="/"]')).toHaveLength(1);
    expect(page.querySelector('.feed-toggle a.nav-link.active')?.text.trim()).toBe('Global Feed');

    const { browser } = await signedInBrowser(t, 'alice');
    const signedIn = dom(await browser.html('/'));
    for (const href of ['/editor', '/settings', '/profile/alice']) {
      expect(signedIn.querySelectorAll(`a[href="${href}"]`), href).toHaveLength(1);
    }
    expect(signedIn.querySelector('nav.navbar a[href="/profile/alice"] img.user-pic')?.getAttribute('src')).toBe(
      '/default-avatar.svg',
    );
    expect(signedIn.querySelector('.feed-toggle a[href="/?feed=following"]')?.text.trim()).toBe('Your Feed');
    expect(signedIn.querySelector('.feed-toggle a.nav-link.active')?.text.trim()).toBe('Global Feed');
  });

  it('lists articles newest first, 10 a page, with numbered pagination and every tag in the sidebar', async () => {
    const t = await createTestApp();
    const user = await insertUser(t.db, 'alice', { image: 'https://img.example/a.png?size=2&x=<>' });
    for (let i = 1; i <= 11; i++) await insertArticle(t.db, user.id, { title: `Post ${i}`, tagList: [`tag${i}`, 'common'] });
    const page1 = dom(await new Browser(t.app).html('/'));
    const titles = page1.querySelectorAll('.article-preview .preview-link h1').map((h) => h.text);
    expect(titles).toHaveLength(10);
    expect(titles[0]).toBe('Post 11');
    expect(page1.querySelectorAll('ul.pagination li.page-item a.page-link').map((a) => [a.text, a.getAttribute('href')])).toEqual([
      ['1', '/?page=1'],
      ['2', '/?page=2'],
    ]);
    expect(page1.querySelector('li.page-item.active')?.text).toBe('1');
    const preview = page1.querySelector('.article-preview')!;
    expect(preview.querySelectorAll('.article-meta img')).toHaveLength(1);
    expect(preview.querySelector('.article-meta img')?.getAttribute('src')).toBe('https://img.example/a.png?size=2&x=<>');
    expect(preview.querySelectorAll('p')).toHaveLength(1);
    expect(preview.querySelector('.preview-link')?.firstChild?.toString()).toMatch(/^<h1>/);
    expect(preview.querySelectorAll('.tag-list li.tag-default.tag-pill.tag-outline').map((li) => li.text)).toEqual([
      'tag11',
      'common',
    ]);
    expect(preview.querySelector('.article-meta form button.btn-outline-primary i.ion-heart')).not.toBeNull();
    const sidebar = page1.querySelectorAll('.sidebar .tag-list a.tag-pill.tag-default').map((a) => a.text);
    expect(sidebar).toHaveLength(12);
    expect(sidebar[0]).toBe('common');

    const page2 = dom(await new Browser(t.app).html('/?page=2'));
    expect(page2.querySelectorAll('.article-preview h1').map((h) => h.text)).toEqual(['Post 1']);
  });

  it('pages by tag with an active "# tag" tab', async () => {
    const t = await createTestApp();
    const user = await insertUser(t.db, 'alice');
    for (let i = 1; i <= 12; i++) await insertArticle(t.db, user.id, { title: `T${i}`, tagList: i % 2 ? ['odd'] : ['even'] });
    const page = dom(await new Browser(t.app).html('/tag/odd'));
    expect(page.querySelector('.feed-toggle a.nav-link.active')?.text.trim()).toBe('# odd');
    expect(page.querySelectorAll('.article-preview')).toHaveLength(6);
    expect(page.querySelector('ul.pagination')).toBeNull();
    const none = dom(await new Browser(t.app).html('/tag/unused'));
    expect(none.querySelector('.empty-feed-message')).not.toBeNull();
  });

  it.each([
    ['abc', 400],
    ['-1', 400],
    ['0', 400],
    ['1.5', 400],
    ['99999999999', 400],
    ['999999', 404],
  ])('answers ?page=%s with %i', async (value, status) => {
    const t = await createTestApp();
    const res = await new Browser(t.app).get(`/?page=${value}`);
    expect(res.status).toBe(status);
    expect(await res.text()).not.toMatch(/at .*\.tsx?:/);
  });

  it('costs the same number of queries for 1 article as for 10 (no N+1)', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const count = () =>
      countQueries(t, async () => {
        await browser.get('/?feed=following');
        await browser.get('/');
      });
    await insertArticle(t.db, user.id, { tagList: ['a', 'b'] });
    const one = await count();
    for (let i = 0; i < 9; i++) await insertArticle(t.db, user.id, { tagList: ['a', 'b', `c${i}`] });
    const ten = await count();
    expect(one).toBeGreaterThanOrEqual(4); // session, page, tags of the page, total (feed and home)
    expect(ten).toBe(one);
  });
});

describe('what users write is inert', () => {
  const payload = '<script>alert(1)</script><img src=x onerror=alert(1)>';
  it('escapes titles, descriptions, tags, usernames and bios on every page', async () => {
    const t = await createTestApp();
    const user = await insertUser(t.db, 'alice', { bio: payload });
    const { slug } = await insertArticle(t.db, user.id, {
      title: payload,
      description: payload,
      body: `${payload}\n\n[x](javascript:alert(1))`,
      tagList: [payload],
    });
    for (const path of ['/', `/article/${slug}`, '/profile/alice', `/tag/${encodeURIComponent(payload)}`]) {
      const html = await new Browser(t.app).html(path);
      expect(html, path).not.toContain('<script>alert');
      expect(html, path).not.toMatch(/<img[^>]*onerror/);
      expect(html, path).not.toContain('href="javascript:');
    }
  });
});
