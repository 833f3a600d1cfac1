import { brotliDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createTestApp, insertArticle, insertUser, signedInBrowser } from '../test-support';
import { rawRequest as get, serverPerTest } from '../test-support/socket';

/** Headers that differ between any two responses. */
const withoutPerResponse = ({ date: _date, 'x-request-id': _id, connection: _c, 'keep-alive': _k, ...rest }: Record<string, string>) => rest;

describe('the cached-page listener (anonymous cache hits answered before Hono)', () => {
  const start = serverPerTest();

  async function siteWithArticle(env?: Record<string, string>) {
    const t = await createTestApp({ env });
    const author = await insertUser(t.db, 'alice');
    const article = await insertArticle(t.db, author.id, { title: 'Cached words', body: 'word '.repeat(400) });
    return { t, author, article };
  }

  it('answers a repeat anonymous view itself, with the same headers and bytes the app sends', async () => {
    const { t } = await siteWithArticle();
    const { port, answered } = await start(t);
    const miss = await get(port, '/?page=1', { 'accept-encoding': 'br' });
    expect(answered).toEqual([false]);
    for (const encoding of ['br', 'gzip', 'identity']) {
      const headers = { 'accept-encoding': encoding };
      const fromListener = await get(port, '/?page=1', headers);
      // a cookie the app does not use sends the request through Hono, which answers from the same entry
      const fromApp = await get(port, '/?page=1', { ...headers, cookie: 'unrelated=1' });
      expect(answered.slice(-2)).toEqual([true, false]);
      expect(fromListener.status).toBe(200);
      expect(withoutPerResponse(fromListener.headers)).toEqual(withoutPerResponse(fromApp.headers));
      expect(fromListener.body.equals(fromApp.body)).toBe(true);
      expect(fromListener.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(fromListener.headers['x-request-id']).not.toBe(fromApp.headers['x-request-id']);
      if (encoding === 'br') expect(withoutPerResponse(fromListener.headers)).toEqual(withoutPerResponse(miss.headers));
    }
    const br = await get(port, '/?page=1', { 'accept-encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toContain('Cached words');
    expect(br.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('answers anonymous API reads the same way, and leaves token holders and CORS requests to the app', async () => {
    const { t, article } = await siteWithArticle();
    const { port, answered } = await start(t);
    const path = `/api/articles/${article.slug}`;
    const miss = await get(port, path, { 'accept-encoding': 'gzip' });
    const fromListener = await get(port, path, { 'accept-encoding': 'gzip' });
    // with CORS off an Origin header changes nothing in the answer, but only the app looks at it
    const fromApp = await get(port, path, { 'accept-encoding': 'gzip', origin: 'https://elsewhere.example' });
    expect(answered).toEqual([false, true, false]);
    expect(fromListener.headers['content-type']).toMatch(/^application\/json/);
    expect(withoutPerResponse(fromListener.headers)).toEqual(withoutPerResponse(miss.headers));
    expect(withoutPerResponse(fromListener.headers)).toEqual(withoutPerResponse(fromApp.headers));
    expect(fromListener.body.equals(fromApp.body)).toBe(true);
    await get(port, path, { authorization: 'Token not-a-real-one' });
    expect(answered.at(-1)).toBe(false);
  });

  it('leaves the API to the app when CORS is on (its headers depend on the Origin)', async () => {
    const { t } = await siteWithArticle({ CORS_ORIGINS: 'https://app.example' });
    const { port, answered } = await start(t);
    await get(port, '/api/articles');
    await get(port, '/api/articles');
    await get(port, '/');
    await get(port, '/');
    expect(answered).toEqual([false, false, false, true]);
  });

  it('answers HEAD and a matching If-None-Match (304, no body) like the app', async () => {
    const { t } = await siteWithArticle();
    const { port, answered } = await start(t);
    const first = await get(port, '/');
    const head = await get(port, '/', {}, 'HEAD');
    expect(answered.at(-1)).toBe(true);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(first.headers['content-length']);

    const notModified = await get(port, '/', { 'if-none-match': first.headers.etag! });
    const notModifiedByApp = await get(port, '/', { 'if-none-match': first.headers.etag!, cookie: 'unrelated=1' });
    expect(answered.slice(-2)).toEqual([true, false]);
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    expect(withoutPerResponse(notModified.headers)).toEqual(withoutPerResponse(notModifiedByApp.headers));
  });

  it('logs each answer as the app logs a request, and keeps a proxy-given request id', async () => {
    const { t, article } = await siteWithArticle();
    const { port } = await start(t);
    const path = `/article/${article.slug}`;
    await get(port, path);
    const res = await get(port, path, { 'x-request-id': 'edge-42' });
    expect(res.headers['x-request-id']).toBe('edge-42');
    const lines = t.logs.filter((line) => line.msg === 'request');
    const [byApp, byListener] = lines.slice(-2);
    expect(byListener).toMatchObject({ level: 'info', requestId: 'edge-42', method: 'GET', path, status: 200, userId: null });
    expect(Object.keys(byListener!).sort()).toEqual(Object.keys(byApp!).sort());
  });

  it('leaves to the app: signed-in readers, posts, misses, and pages whose content changed', async () => {
    const { t, author } = await siteWithArticle();
    const { port, answered } = await start(t);
    await get(port, '/');
    const { browser } = await signedInBrowser(t, 'bob');
    const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const signedIn = await get(port, '/', { cookie });
    expect(answered.at(-1)).toBe(false);
    expect(signedIn.headers['cache-control']).toBe('private, no-cache');
    expect(signedIn.body.toString()).toContain('href="/settings"');

    await get(port, '/about', {}, 'POST');
    expect(answered.at(-1)).toBe(false);
    await get(port, '/tag/never-seen');
    expect(answered.at(-1)).toBe(false);

    await insertArticle(t.db, author.id, { title: 'Fresh news' });
    const after = await get(port, '/', { 'accept-encoding': 'identity' });
    expect(answered.at(-1)).toBe(false);
    expect(after.body.toString()).toContain('Fresh news');
    await get(port, '/', { 'accept-encoding': 'identity' });
    expect(answered.at(-1)).toBe(true);
  });

  it('spends from the global budget, and lets the app refuse with 429 once it is spent', async () => {
    const { t } = await siteWithArticle({ RATE_LIMIT_GLOBAL: '3/m' });
    const { port, answered } = await start(t);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(port, '/')).status);
    const last = await get(port, '/');
    statuses.push(last.status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(answered).toEqual([false, true, true, false]);
    // refused before Hono, answered by the app: logged once, under the id the 429 carries
    const throttled = t.logs.filter((line) => line.msg === 'security.throttled');
    expect(throttled).toHaveLength(1);
    expect(throttled[0]!.requestId).toBe(last.headers['x-request-id']);
    expect(last.headers['retry-after']).toMatch(/^\d+$/);
  });
});
