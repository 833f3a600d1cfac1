import { describe, expect, it } from 'vitest';
import { articles, favorites, follows, sessions } from '../db/schema';
import { createTestApp, insertArticle, insertUser, ORIGIN, signedInBrowser } from '../test-support';
import { judgeOrigin } from './csrf';

const EVIL = 'https://evil.example';

/** Every way a body can be labelled, the ones hono/csrf ignored first among them. */
const CONTENT_TYPES: Array<[string, string | null, string]> = [
  ['JSON', 'application/json', '{"body":"x"}'],
  ['JSON with a charset', 'Application/JSON; charset=utf-8', '{}'],
  ['plain text', 'text/plain', 'x'],
  ['urlencoded', 'application/x-www-form-urlencoded', 'body=x'],
  ['multipart', 'multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="body"\r\n\r\nx\r\n--b--\r\n'],
  ['XML', 'application/xml', '<x/>'],
  ['octet-stream', 'application/octet-stream', 'x'],
  ['a made-up type', 'application/x-quire', 'x'],
  ['no content type', null, 'x'],
];

async function victimWithThings() {
  const t = await createTestApp();
  const { browser, user } = await signedInBrowser(t, 'victim');
  const author = await insertUser(t.db, 'author');
  const mine = await insertArticle(t.db, user.id, { title: 'Mine' });
  const theirs = await insertArticle(t.db, author.id, { title: 'Theirs' });
  return { t, browser, mine, theirs };
}

describe('cross-site requests outside /api are refused whatever their content type', () => {
  it.each(CONTENT_TYPES)('%s: deleting, favoriting, following and signing out from another site all get 403', async (_, contentType, body) => {
    const { t, browser, mine, theirs } = await victimWithThings();
    const send = (path: string) =>
      browser.request(path, {
        method: 'POST',
        body,
        headers: { origin: EVIL, ...(contentType ? { 'content-type': contentType } : {}) },
      });
    for (const path of [`/article/${mine.slug}/delete`, `/article/${theirs.slug}/favorite`, '/profile/author/follow', '/logout']) {
      const res = await send(path);
      expect(res.status, path).toBe(403);
      expect(await res.text()).toContain('sent from another site');
    }
    expect(await t.db.select().from(articles)).toHaveLength(2);
    expect(await t.db.select().from(favorites)).toHaveLength(0);
    expect(await t.db.select().from(follows)).toHaveLength(0);
    expect(await t.db.select().from(sessions)).toHaveLength(1);
    expect(t.logs.filter((line) => line.msg === 'forbidden')).toHaveLength(4);
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND'])('%s from another site gets 403 before routing', async (method) => {
    const { browser, mine } = await victimWithThings();
    for (const path of [`/article/${mine.slug}`, '/settings', '/no-such-page']) {
      const res = await browser.request(path, { method, headers: { origin: EVIL, 'content-type': 'application/json' }, body: '{}' });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
  });

  it('lets the same actions through from this site, whichever header says so', async () => {
    const { t, browser, theirs } = await victimWithThings();
    const post = (path: string, headers: Record<string, string>) =>
      browser.request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
    expect((await post(`/article/${theirs.slug}/favorite`, { origin: ORIGIN })).status).toBe(303);
    expect((await post('/profile/author/follow', { 'sec-fetch-site': 'same-origin' })).status).toBe(303);
    expect((await post(`/article/${theirs.slug}/unfavorite`, { referer: `${ORIGIN}/article/${theirs.slug}` })).status).toBe(303);
    expect((await post('/profile/author/unfollow', { 'sec-fetch-site': 'none' })).status).toBe(303);
    expect(await t.db.select().from(favorites)).toHaveLength(0);
    expect(await t.db.select().from(follows)).toHaveLength(0);
    expect(t.logs.filter((line) => line.msg === 'forbidden')).toHaveLength(0);
  });

  it('refuses a post that says nothing of where it came from (the test reason is in docs/decisions/002-csrf.md)', async () => {
    const { browser } = await victimWithThings();
    const res = await browser.request('/logout', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(403);
  });

  it('leaves safe methods and the token-only API alone', async () => {
    const { browser } = await victimWithThings();
    expect((await browser.request('/', { headers: { origin: EVIL, 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
    const api = await browser.request('/api/users/login', {
      method: 'POST',
      headers: { origin: EVIL, 'content-type': 'application/json' },
      body: JSON.stringify({ user: { email: 'victim@example.com', password: 'not it at all' } }),
    });
    expect(api.status).toBe(401);
  });
});

describe('judgeOrigin', () => {
  const site = 'https://blog.example';
  it.each([
    [{ origin: site }, 'same-site'],
    [{ origin: site, secFetchSite: 'same-origin' }, 'same-site'],
    // a site reached by another address than PUBLIC_URL: the browser still says same-origin
    [{ origin: 'http://10.0.0.5:3000', secFetchSite: 'same-origin' }, 'same-site'],
    [{ origin: EVIL }, 'cross-site'],
    [{ origin: EVIL, secFetchSite: 'cross-site' }, 'cross-site'],
    // a sibling subdomain is another origin: Origin decides, not same-site
    [{ origin: 'https://evil.blog.example', secFetchSite: 'same-site' }, 'cross-site'],
    [{ origin: 'null' }, 'cross-site'],
    [{ origin: `${site}.evil.example` }, 'cross-site'],
    [{ origin: 'http://blog.example' }, 'cross-site'],
    [{ secFetchSite: 'same-origin' }, 'same-site'],
    [{ secFetchSite: 'same-site' }, 'same-site'],
    [{ secFetchSite: 'none' }, 'same-site'],
    [{ secFetchSite: 'cross-site' }, 'cross-site'],
    [{ secFetchSite: 'something-new' }, 'cross-site'],
    [{ referer: `${site}/editor` }, 'same-site'],
    [{ referer: `${EVIL}/` }, 'cross-site'],
    [{ referer: 'not a url' }, 'cross-site'],
    [{ secFetchSite: 'cross-site', referer: `${site}/` }, 'cross-site'],
    [{}, 'cross-site'],
  ] as const)('%j is %s', (headers, verdict) => {
    expect(judgeOrigin(headers, site)).toBe(verdict);
  });
});
