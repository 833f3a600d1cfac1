import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { addComment, deleteComment } from '../comments/queries';
import { Browser, countQueries, createTestApp, insertArticle, insertUser, signedInBrowser } from '../test-support';

describe('the anonymous page cache', () => {
  it('serves a second anonymous visit reading nothing but the versions, until the content changes', async () => {
    const t = await createTestApp();
    const author = await insertUser(t.db, 'alice');
    await insertArticle(t.db, author.id, { title: 'First' });
    const first = await new Browser(t.app).get('/');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"v\d+-/);
    expect(first.headers.get('cache-control')).toBe('public, no-cache');
    expect(first.headers.get('vary')).toContain('Cookie');

    let second: Response | undefined;
    expect(await countQueries(t, async () => (second = await new Browser(t.app).get('/')))).toBe(0);
    expect(second!.headers.get('etag')).toBe(etag);
    expect(second!.headers.get('x-request-id')).toBeTruthy();
    expect(second!.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await second!.text()).toContain('First');

    await insertArticle(t.db, author.id, { title: 'Second' });
    const after = await new Browser(t.app).get('/');
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(await after.text()).toContain('Second');
  });

  it('answers 304 to a matching If-None-Match, with no body', async () => {
    const t = await createTestApp();
    const etag = (await new Browser(t.app).get('/about')).headers.get('etag')!;
    const res = await new Browser(t.app).request('/about', { headers: { 'if-none-match': etag } });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe('');
    const stale = await new Browser(t.app).request('/about', { headers: { 'if-none-match': 'W/"v0-old"' } });
    expect(stale.status).toBe(200);
  });

  it('keeps list pages cached when a comment is posted, and refreshes the article page', async () => {
    const t = await createTestApp();
    const author = await insertUser(t.db, 'alice');
    const { id, slug } = await insertArticle(t.db, author.id, { title: 'Talked about' });
    const homeTag = (await new Browser(t.app).get('/')).headers.get('etag');
    const articleTag = (await new Browser(t.app).get(`/article/${slug}`)).headers.get('etag');
    await addComment(t.db, id, author.id, 'A new comment', Date.now());
    expect((await new Browser(t.app).get('/')).headers.get('etag')).toBe(homeTag);
    const article = await new Browser(t.app).get(`/article/${slug}`);
    expect(article.headers.get('etag')).not.toBe(articleTag);
    expect(await article.text()).toContain('A new comment');
  });

  it("moves only the commented article's page and comment list: other articles stay cached", async () => {
    const t = await createTestApp();
    const author = await insertUser(t.db, 'alice');
    const quiet = await insertArticle(t.db, author.id, { title: 'Quiet one' });
    const busy = await insertArticle(t.db, author.id, { title: 'Busy one' });
    const paths = [`/article/${quiet.slug}`, `/api/articles/${quiet.slug}/comments`, `/article/${busy.slug}`, `/api/articles/${busy.slug}/comments`];
    for (const path of paths) await new Browser(t.app).get(path); // warm every entry
    const commentId = await addComment(t.db, busy.id, author.id, 'Busy talk', Date.now());

    // the quiet article's page and comment list are still served from the cache: no content read
    for (const path of paths.slice(0, 2)) {
      expect(await countQueries(t, async () => new Browser(t.app).get(path)), path).toBe(0);
    }
    expect(await (await new Browser(t.app).get(`/article/${busy.slug}`)).text()).toContain('Busy talk');
    const listed = (await (await new Browser(t.app).get(`/api/articles/${busy.slug}/comments`)).json()) as { comments: unknown[] };
    expect(listed.comments).toHaveLength(1);

    await deleteComment(t.db, busy.id, commentId);
    expect(await (await new Browser(t.app).get(`/article/${busy.slug}`)).text()).not.toContain('Busy talk');
    const after = (await (await new Browser(t.app).get(`/api/articles/${busy.slug}/comments`)).json()) as { comments: unknown[] };
    expect(after.comments).toHaveLength(0);
  });

  it('never shares a signed-in page, nor a page carrying a flash message', async () => {
    const t = await createTestApp();
    await new Browser(t.app).get('/'); // warm the anonymous entry
    const { browser, user } = await signedInBrowser(t, 'bob');
    const mine = await browser.get('/');
    expect(mine.headers.get('cache-control')).toBe('private, no-cache');
    expect(mine.headers.get('etag')).toMatch(new RegExp(`^W/"${user.id}-`));
    expect(await mine.text()).toContain('href="/profile/bob"');

    await browser.post('/logout');
    const withFlash = await browser.get('/');
    expect(await withFlash.text()).toContain('Signed out');
    const stranger = await (await new Browser(t.app).get('/')).text();
    expect(stranger).not.toContain('Signed out');
    expect(stranger).not.toContain('/profile/bob"><img');
  });

  it('gives each viewer their own ETag for the same page', async () => {
    const t = await createTestApp();
    const a = await signedInBrowser(t, 'ann');
    const b = await signedInBrowser(t, 'ben');
    const tagA = (await a.browser.get('/about')).headers.get('etag');
    const tagB = (await b.browser.get('/about')).headers.get('etag');
    expect(tagA).not.toBe(tagB);
    // ann's ETag does not let ben revalidate ann's page
    expect((await b.browser.request('/about', { headers: { 'if-none-match': tagA! } })).status).toBe(200);
  });

  it('caches anonymous API reads but not those made with a token', async () => {
    const t = await createTestApp();
    const author = await insertUser(t.db, 'alice');
    await insertArticle(t.db, author.id);
    await t.app.request('/api/articles');
    expect(await countQueries(t, async () => t.app.request('/api/articles'))).toBe(0);
    const anonymous = await t.app.request('/api/articles');
    expect(anonymous.headers.get('vary')).toContain('Authorization');
  });
});

describe('compression', () => {
  it('sends HTML above 1 KB as brotli or gzip, as the client accepts, and the same bytes decoded', async () => {
    const t = await createTestApp();
    const plain = await (await new Browser(t.app).request('/', { headers: { 'accept-encoding': 'identity' } })).text();
    const br = await new Browser(t.app).request('/', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString()).toBe(plain);
    const gzip = await new Browser(t.app).request('/', { headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gzip.arrayBuffer())).toString()).toBe(plain);
    const refused = await new Browser(t.app).request('/', { headers: { 'accept-encoding': 'br;q=0, gzip;q=0' } });
    expect(refused.headers.get('content-encoding')).toBeNull();
  });

  it('leaves small responses alone and compresses the stylesheet', async () => {
    const t = await createTestApp();
    const small = await t.app.request('/api/tags', { headers: { 'accept-encoding': 'br' } });
    expect(small.headers.get('content-encoding')).toBeNull();
    const html = await (await t.app.request('/')).text();
    const css = /href="(\/static\/style\.[0-9a-f]+\.css)"/.exec(html)![1]!;
    const res = await t.app.request(css, { headers: { 'accept-encoding': 'br' } });
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
  });
});
