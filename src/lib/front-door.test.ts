import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { createTestApp, insertArticle, insertUser } from '../test-support';
import { rawRequest as get, serverPerTest } from '../test-support/socket';
import type { FrontRequest, GlobalStep } from './front-door';

const READER = '198.51.100.7';
const NEIGHBOUR = '203.0.113.9';
/** behind a proxy on loopback, so the test's one socket address can stand for several clients */
const from = (ip: string) => ({ 'x-forwarded-for': ip });

describe('the front door (global steps on both ways in)', () => {
  const start = serverPerTest();

  async function siteWith(globalSteps: GlobalStep[]) {
    const t = await createTestApp({ env: { TRUST_PROXY: 'loopback' }, globalSteps });
    const author = await insertUser(t.db, 'alice');
    const article = await insertArticle(t.db, author.id, { title: 'Cached words', tagList: ['café'] });
    return { t, article };
  }

  it('a step given to createApp refuses cache hits answered before Hono and uncached pages alike', async () => {
    const banned = new Set<string>();
    let runs = 0;
    const refuseBanned: GlobalStep = (req) => {
      runs++;
      if (banned.has(req.clientIp)) throw new HTTPException(403, { message: 'This address may not read the site.' });
    };
    const { t, article } = await siteWith([refuseBanned]);
    const { port, answered } = await start(t);

    expect((await get(port, '/', from(READER))).status).toBe(200);
    expect((await get(port, '/', from(NEIGHBOUR))).status).toBe(200);
    expect(answered).toEqual([false, true]); // the second was a cache hit, answered before Hono

    banned.add(NEIGHBOUR);
    const cachedPage = await get(port, '/', from(NEIGHBOUR));
    const uncachedPage = await get(port, `/article/${article.slug}`, from(NEIGHBOUR));
    expect([cachedPage.status, uncachedPage.status]).toEqual([403, 403]);
    expect(answered.slice(-2)).toEqual([false, false]);
    expect(cachedPage.body.toString()).toContain('This address may not read the site.');
    expect(cachedPage.headers['content-security-policy']).toContain("default-src 'self'");
    // the step ran once per request, though the first refusal was met before Hono
    expect(runs).toBe(4);
    const id = cachedPage.headers['x-request-id'];
    expect(t.logs.filter((line) => line.requestId === id)).toMatchObject([
      { msg: 'forbidden', ip: NEIGHBOUR, path: '/' },
      { msg: 'request', status: 403, path: '/' },
    ]);

    // the app alone (no socket, no listener) refuses alike
    const bySocket = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
    expect((await t.app.request('/', { headers: from(NEIGHBOUR) }, bySocket)).status).toBe(403);

    // a reader the step lets through still gets the cache hit before Hono
    const hit = await get(port, '/', from(READER));
    expect(hit.status).toBe(200);
    expect(answered.at(-1)).toBe(true);
    banned.delete(NEIGHBOUR);
    expect((await get(port, '/', from(NEIGHBOUR))).status).toBe(200);
    expect(answered.at(-1)).toBe(true);
  });

  it('gives a step the same request whichever way it came in', async () => {
    const seen: Array<FrontRequest & { userAgent: string | undefined }> = [];
    const { t } = await siteWith([(req) => seen.push({ ...req, userAgent: req.header('user-agent') })]);
    const { port, answered } = await start(t);
    const headers = { ...from(READER), 'user-agent': 'front-door-test' };
    const path = '/tag/caf%C3%A9';
    const byApp = await get(port, path, headers);
    const byListener = await get(port, path, headers);
    const headByListener = await get(port, path, headers, 'HEAD');
    expect(answered).toEqual([false, true, true]);
    const ids = [byApp, byListener, headByListener].map((res) => res.headers['x-request-id']);
    expect(seen.map(({ requestId }) => requestId)).toEqual(ids);
    const { requestId: _a, header: _h, ...inApp } = seen[0]!;
    const { requestId: _b, header: _i, ...beforeHono } = seen[1]!;
    expect(inApp).toEqual({ method: 'GET', path: '/tag/café', clientIp: READER, userAgent: 'front-door-test' });
    expect(beforeHono).toEqual(inApp);
    expect(seen[2]!.method).toBe('HEAD');
  });
});
