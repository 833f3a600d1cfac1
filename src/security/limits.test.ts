import { describe, expect, it } from 'vitest';
import { articles, comments, favorites, follows, users } from '../db/schema';
import { Browser, createTestApp, insertArticle, insertUser, PASSWORD, signedInBrowser } from '../test-support';

const MINUTE = 60_000;

describe('sign-in throttling', () => {
  it('answers 429 with Retry-After well before the 20th failure in a minute, and recovers after the back-off', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'alice');
    const attacker = new Browser(t.app, { ip: '203.0.113.7' });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await attacker.post('/login', { email: 'alice@example.com', password: `guess ${i}` });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await res.text()).toContain('Too many failed sign-ins. Try again in');
      }
      t.clock.advance(MINUTE / 20);
    }
    expect(statuses[0]).toBe(422);
    expect(statuses[19]).toBe(429);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(10);
    expect(t.logs.some((line) => line.msg === 'security.throttled')).toBe(true);

    // after the back-off window the right password works again, and success resets the count
    t.clock.advance(6 * MINUTE);
    const ok = await attacker.post('/login', { email: 'alice@example.com', password: PASSWORD });
    expect(ok.status).toBe(303);
  });

  it('throttles an email from any address, registered or not, so spreading guesses over IPs does not help', async () => {
    const t = await createTestApp();
    for (const email of ['alice@example.com', 'nobody@example.com']) {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await new Browser(t.app, { ip: `198.51.100.${i + 1}` }).post('/login', { email, password: 'wrong guess' });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 2)).toEqual([422, 422]);
      expect(statuses.at(-1)).toBe(429);
    }
  });

  it('lets a person who mistypes once sign in straight away', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'alice');
    const browser = new Browser(t.app, { ip: '192.0.2.1' });
    expect((await browser.post('/login', { email: 'alice@example.com', password: 'typo' })).status).toBe(422);
    expect((await browser.post('/login', { email: 'alice@example.com', password: PASSWORD })).status).toBe(303);
  });
});

describe('per-user and per-address limits', () => {
  it('limits sign-ups per address and writes nothing when refusing', async () => {
    const t = await createTestApp({ env: { RATE_LIMIT_SIGNUP: '2/h' } });
    const browser = new Browser(t.app, { ip: '203.0.113.9' });
    const signUp = (n: number) =>
      browser.post('/register', { username: `user${n}`, email: `user${n}@example.com`, password: PASSWORD });
    expect((await signUp(1)).status).toBe(303);
    expect((await signUp(2)).status).toBe(303);
    const refused = await signUp(3);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    expect(await t.db.select().from(users)).toHaveLength(2);
    expect((await new Browser(t.app, { ip: '203.0.113.10' }).post('/register', { username: 'other', email: 'o@example.com', password: PASSWORD })).status).toBe(303);
    t.clock.advance(31 * MINUTE);
    expect((await signUp(4)).status).toBe(303);
  });

  it.each([
    ['articles', 'RATE_LIMIT_ARTICLES'],
    ['comments', 'RATE_LIMIT_COMMENTS'],
    ['favorites', 'RATE_LIMIT_FAVORITES'],
    ['follows', 'RATE_LIMIT_FOLLOWS'],
  ] as const)('limits %s per user (%s), refusing with 429 before writing', async (kind, variable) => {
    const t = await createTestApp({ env: { [variable]: '2/h' } });
    const { browser } = await signedInBrowser(t, 'writer');
    const authors = await Promise.all([1, 2, 3].map((n) => insertUser(t.db, `author${n}`)));
    const slugs: string[] = [];
    for (const [n, author] of authors.entries()) slugs.push((await insertArticle(t.db, author.id, { title: `Article ${n}` })).slug);
    const act = (n: number) => {
      switch (kind) {
        case 'articles':
          return browser.post('/editor', { title: `Mine ${n}`, description: 'd', body: 'b', op: 'publish' });
        case 'comments':
          return browser.post(`/article/${slugs[0]}/comments`, { body: `Comment ${n}` });
        case 'favorites':
          return browser.post(`/article/${slugs[n]}/favorite`);
        case 'follows':
          return browser.post(`/profile/author${n + 1}/follow`);
      }
    };
    const table = { articles, comments, favorites, follows }[kind];
    const before = (await t.db.select().from(table)).length;
    expect((await act(0)).status).toBe(303);
    expect((await act(1)).status).toBe(303);
    const refused = await act(2);
    expect(refused.status).toBe(429);
    expect((await t.db.select().from(table)).length).toBe(before + 2);
    // another user is not affected
    const other = await signedInBrowser(t, 'other');
    const otherRes = kind === 'articles'
      ? await other.browser.post('/editor', { title: 'Theirs', description: 'd', body: 'b', op: 'publish' })
      : kind === 'comments'
        ? await other.browser.post(`/article/${slugs[0]}/comments`, { body: 'hi' })
        : kind === 'favorites'
          ? await other.browser.post(`/article/${slugs[2]}/favorite`)
          : await other.browser.post('/profile/author3/follow');
    expect(otherRes.status).toBe(303);
  });

  it('has a global budget per address for pages (static files do not count)', async () => {
    const t = await createTestApp({ env: { RATE_LIMIT_GLOBAL: '3/m' } });
    const browser = new Browser(t.app, { ip: '203.0.113.20' });
    for (let i = 0; i < 3; i++) expect((await browser.get('/')).status).toBe(200);
    expect((await browser.get('/default-avatar.svg')).status).toBe(200);
    const refused = await browser.get('/about');
    expect(refused.status).toBe(429);
    expect((await new Browser(t.app, { ip: '203.0.113.21' }).get('/')).status).toBe(200);
    t.clock.advance(MINUTE);
    expect((await browser.get('/')).status).toBe(200);
  });

  it('RATE_LIMITS=off turns off every limiter, the global budget and the sign-in throttle', async () => {
    const t = await createTestApp({
      env: { RATE_LIMITS: 'off', RATE_LIMIT_GLOBAL: '1/h', RATE_LIMIT_SIGNUP: '1/h', RATE_LIMIT_COMMENTS: '1/h' },
    });
    const browser = new Browser(t.app, { ip: '203.0.113.30' });
    for (let i = 0; i < 25; i++) {
      expect((await browser.post('/login', { email: 'x@example.com', password: 'wrong guess' })).status).toBe(422);
    }
    for (let i = 0; i < 3; i++) {
      expect((await browser.post('/register', { username: `u${i}`, email: `u${i}@example.com`, password: PASSWORD })).status).toBe(303);
    }
  });
});

describe('the client address', () => {
  const budget = { RATE_LIMIT_GLOBAL: '1/h' };

  it('comes from the socket: X-Forwarded-For is ignored unless TRUST_PROXY says a proxy is in front', async () => {
    const t = await createTestApp({ env: budget });
    const browser = new Browser(t.app, { ip: '203.0.113.40' });
    expect((await browser.request('/', { headers: { 'x-forwarded-for': '1.1.1.1' } })).status).toBe(200);
    // a forged header does not buy a fresh budget
    expect((await browser.request('/', { headers: { 'x-forwarded-for': '2.2.2.2' } })).status).toBe(429);
  });

  it('behind a trusted proxy is the right-most untrusted X-Forwarded-For hop', async () => {
    const t = await createTestApp({ env: { ...budget, TRUST_PROXY: 'loopback' } });
    const proxy = new Browser(t.app, { ip: '127.0.0.1' });
    // the client forged "9.9.9.9"; the proxy appended the real peer 198.51.100.5
    expect((await proxy.request('/', { headers: { 'x-forwarded-for': '9.9.9.9, 198.51.100.5' } })).status).toBe(200);
    expect((await proxy.request('/', { headers: { 'x-forwarded-for': '8.8.8.8, 198.51.100.5' } })).status).toBe(429);
    expect((await proxy.request('/', { headers: { 'x-forwarded-for': '198.51.100.6' } })).status).toBe(200);
  });

  it('refuses an invalid TRUST_PROXY at start-up', async () => {
    await expect(createTestApp({ env: { TRUST_PROXY: 'everyone!' } })).rejects.toThrow(/TRUST_PROXY/);
    await expect(createTestApp({ env: { RATE_LIMIT_COMMENTS: 'lots' } })).rejects.toThrow(/RATE_LIMIT_COMMENTS/);
  });
});

describe('the same limits on the API', () => {
  const json = (body: unknown, token?: string) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Token ${token}` } : {}) },
    body: JSON.stringify(body),
  });

  it('throttles API sign-in with a JSON 429 and Retry-After, sharing the back-off with the form', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'alice');
    const browser = new Browser(t.app, { ip: '203.0.113.50' });
    // two failures through the form...
    await browser.post('/login', { email: 'alice@example.com', password: 'nope one' });
    await browser.post('/login', { email: 'alice@example.com', password: 'nope two' });
    // ...and the API is already backing off for this email
    const res = await browser.request('/api/users/login', json({ user: { email: 'alice@example.com', password: PASSWORD } }));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({ errors: { rate: [expect.stringContaining('Too many requests')] } });
    t.clock.advance(1000);
    const ok = await browser.request('/api/users/login', json({ user: { email: 'alice@example.com', password: PASSWORD } }));
    expect(ok.status).toBe(200);
  });

  it('limits article creation per user through the API, writing nothing when refused', async () => {
    const t = await createTestApp({ env: { RATE_LIMIT_ARTICLES: '1/h' } });
    const browser = new Browser(t.app);
    const signUp = await browser.request('/api/users', json({ user: { username: 'api', email: 'api@example.com', password: PASSWORD } }));
    const { user } = (await signUp.json()) as { user: { token: string } };
    const article = { article: { title: 'T', description: 'D', body: 'B' } };
    expect((await browser.request('/api/articles', json(article, user.token))).status).toBe(201);
    const refused = await browser.request('/api/articles', json(article, user.token));
    expect(refused.status).toBe(429);
    expect(await t.db.select().from(articles)).toHaveLength(1);
  });

  it('answers the global budget on /api in JSON', async () => {
    const t = await createTestApp({ env: { RATE_LIMIT_GLOBAL: '1/m' } });
    const browser = new Browser(t.app, { ip: '203.0.113.60' });
    expect((await browser.get('/api/tags')).status).toBe(200);
    const refused = await browser.get('/api/tags');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/json');
  });
});
