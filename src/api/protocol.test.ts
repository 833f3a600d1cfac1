import { describe, expect, it } from 'vitest';
import { users } from '../db/schema';
import { createTestApp, dom, insertUser, ORIGIN, PASSWORD } from '../test-support';
import { api, articleBy, expectErrorShape, userWithToken } from './test-helpers';

const newUser = { user: { username: 'alice', email: 'alice@example.com', password: PASSWORD } };

describe('JSON request bodies', () => {
  it.each([['{not json'], ['{"user":'], ["{'user':{}}"], ['undefined']])(
    'answers 422 (never 500) for the non-JSON body %j sent as application/json',
    async (text) => {
      const t = await createTestApp();
      const res = await api(t).raw('POST', '/users', { headers: { 'content-type': 'application/json' }, body: text });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ errors: { body: ['is not valid JSON'] } });
      expect(t.logs.filter((line) => line.level === 'error')).toEqual([]);
    },
  );

  it('answers 422 for broken JSON on authenticated routes too', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice');
    const client = api(t);
    const headers = { 'content-type': 'application/json', authorization: `Token ${token}` };
    for (const [method, path] of [['PUT', '/user'], ['POST', '/articles']] as const) {
      const res = await client.raw(method, path, { headers, body: '{"oops"' });
      expect(res.status, path).toBe(422);
      expect(res.body).toEqual({ errors: { body: ['is not valid JSON'] } });
    }
  });

  it.each([['text/plain'], ['application/x-www-form-urlencoded'], [undefined]])(
    'answers 415 for a body sent with the content type %j',
    async (contentType) => {
      const t = await createTestApp();
      const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
      const res = await api(t).raw('POST', '/users', { headers, body: JSON.stringify(newUser) });
      expect(res.status).toBe(415);
      expect(res.body).toEqual({ errors: { body: ['must be JSON (Content-Type: application/json)'] } });
      expect(await t.db.select().from(users)).toEqual([]);
    },
  );

  it('accepts application/json with a charset', async () => {
    const t = await createTestApp();
    const res = await api(t).raw('POST', '/users', {
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(newUser),
    });
    expect(res.status).toBe(201);
  });

  it.each([[[newUser]], ['a string'], [42], [null], [true], [{ user: 5 }]])(
    'answers 422 for a body of the wrong shape: %j',
    async (body) => {
      const t = await createTestApp();
      const res = await api(t).raw('POST', '/users', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(422);
      expectErrorShape(res.body);
      expect(await t.db.select().from(users)).toEqual([]);
    },
  );

  it('answers 422 for an empty body where one is needed', async () => {
    const t = await createTestApp();
    const res = await api(t).raw('POST', '/users', { headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(422);
    expectErrorShape(res.body);
  });

  it('answers 413 for a body over 1 MB', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice');
    const body = JSON.stringify({ article: { title: 'Big', description: 'd', body: 'x'.repeat(1024 * 1024) } });
    const res = await api(t).raw('POST', '/articles', {
      headers: { 'content-type': 'application/json', authorization: `Token ${token}` },
      body,
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ errors: { body: ['is too large (maximum is 1 MB)'] } });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('takes follow, favorite and deletes with no body and no content type', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    const slug = await articleBy(t, bob.id);
    const { token } = await userWithToken(t, 'alice');
    const client = api(t);
    const init = { headers: { authorization: `Token ${token}` } };
    const calls: Array<[string, string, number]> = [
      ['POST', '/profiles/bob/follow', 200],
      ['DELETE', '/profiles/bob/follow', 200],
      ['POST', `/articles/${slug}/favorite`, 200],
      ['DELETE', `/articles/${slug}/favorite`, 200],
    ];
    for (const [method, path, status] of calls) {
      const res = await client.raw(method, path, init);
      expect(res.status, `${method} ${path}`).toBe(status);
    }
    const mine = await client.post('/articles', { article: { title: 'Mine', description: 'd', body: 'b' } }, token);
    const comment = await client.post(`/articles/${mine.body.article.slug}/comments`, { comment: { body: 'c' } }, token);
    const deleteComment = await client.raw('DELETE', `/articles/${mine.body.article.slug}/comments/${comment.body.comment.id}`, init);
    expect(deleteComment.status).toBe(204);
    expect((await client.raw('DELETE', `/articles/${mine.body.article.slug}`, init)).status).toBe(204);
  });

  it('answers every error as {errors:{key:[strings]}} in application/json', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    const slug = await articleBy(t, bob.id);
    const alice = await userWithToken(t, 'alice');
    const client = api(t);
    const responses = [
      await client.get('/user'),
      await client.get('/user', 'bad.token'),
      await client.post('/users', { user: {} }),
      await client.post('/users', { user: { username: 'bob', email: 'bob@example.com', password: PASSWORD } }),
      await client.post('/users/login', { user: { email: 'bob@example.com', password: 'wrong password' } }),
      await client.get('/profiles/nobody'),
      await client.get('/articles/nope'),
      await client.get('/articles?limit=0'),
      await client.put(`/articles/${slug}`, { article: { title: 'x' } }, alice.token),
      await client.raw('POST', '/users', { headers: { 'content-type': 'text/plain' }, body: 'hi' }),
      await client.get('/no-such-thing'),
    ];
    expect(responses.map((r) => r.status)).toEqual([401, 401, 422, 409, 401, 404, 404, 422, 403, 415, 404]);
    for (const res of responses) {
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expectErrorShape(res.body);
    }
  });

  it('answers successes in application/json', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice');
    const client = api(t);
    for (const res of [await client.get('/user', token), await client.get('/articles'), await client.get('/tags'), await client.get('/profiles/alice')]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });

  it('answers 429 as JSON with Retry-After once the rate limit is spent', async () => {
    const t = await createTestApp({ env: { RATE_LIMIT_GLOBAL: '2/m' } });
    const client = api(t);
    expect((await client.get('/tags')).status).toBe(200);
    expect((await client.get('/tags')).status).toBe(200);
    const res = await client.get('/tags');
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Object.keys(res.body.errors)).toEqual(['rate']);
    expectErrorShape(res.body);
  });

  it('answers unknown paths under /api with a JSON 404', async () => {
    const t = await createTestApp();
    const client = api(t);
    for (const res of [await client.get('/nope'), await client.post('/articles/a/b/c/d', {}), await client.send('PATCH', '/user')]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ errors: { resource: ['not found'] } });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });

  it('does not apply the web forms\' CSRF check under /api', async () => {
    const t = await createTestApp();
    const client = api(t);
    const evil = { origin: 'https://evil.example' };
    const created = await client.send('POST', '/users', { body: newUser, headers: evil });
    expect(created.status).toBe(201);
    // a form-like content type from another site gets the API's 415, not the web's 403 page
    const plain = await client.raw('POST', '/users/login', { headers: { ...evil, 'content-type': 'text/plain' }, body: 'x' });
    expect(plain.status).toBe(415);
    expectErrorShape(plain.body);
    // while the web form from that origin is still refused
    const form = await t.app.request(`${ORIGIN}/login`, {
      method: 'POST',
      headers: { ...evil, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'alice@example.com', password: PASSWORD }),
    });
    expect(form.status).toBe(403);
  });
});

describe('CORS', () => {
  const preflight = (origin: string) => ({
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });

  it('refuses every preflight with 403 when CORS_ORIGINS is unset', async () => {
    const t = await createTestApp();
    const res = await t.app.request(`${ORIGIN}/api/articles`, preflight('https://app.example'));
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await res.json()).toEqual({ errors: { origin: ['is not allowed'] } });
    const get = await t.app.request(`${ORIGIN}/api/tags`, { headers: { origin: 'https://app.example' } });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a preflight from an allowed origin with 204 and the allowed headers', async () => {
    const t = await createTestApp({ env: { CORS_ORIGINS: 'https://app.example' } });
    const res = await t.app.request(`${ORIGIN}/api/articles`, preflight('https://app.example'));
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const allowedHeaders = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
    expect(allowedHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type']));
    const allowedMethods = (res.headers.get('access-control-allow-methods') ?? '').split(/\s*,\s*/);
    expect(allowedMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE']));
    expect(res.headers.get('vary')?.toLowerCase()).toContain('origin');
  });

  it('refuses a preflight from an origin not on the list with 403', async () => {
    const t = await createTestApp({ env: { CORS_ORIGINS: 'https://app.example' } });
    const res = await t.app.request(`${ORIGIN}/api/articles`, preflight('https://evil.example'));
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('marks simple responses, errors included, for an allowed origin only', async () => {
    const t = await createTestApp({ env: { CORS_ORIGINS: 'https://app.example, https://other.example' } });
    for (const origin of ['https://app.example', 'https://other.example']) {
      const ok = await t.app.request(`${ORIGIN}/api/tags`, { headers: { origin } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe(origin);
      const error = await t.app.request(`${ORIGIN}/api/user`, { headers: { origin } });
      expect(error.status).toBe(401);
      expect(error.headers.get('access-control-allow-origin')).toBe(origin);
    }
    const evil = await t.app.request(`${ORIGIN}/api/tags`, { headers: { origin: 'https://evil.example' } });
    expect(evil.status).toBe(200);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('API description', () => {
  const REALWORLD: Record<string, string[]> = {
    '/users/login': ['post'],
    '/users': ['post'],
    '/user': ['get', 'put'],
    '/profiles/{username}': ['get'],
    '/profiles/{username}/follow': ['post', 'delete'],
    '/articles/feed': ['get'],
    '/articles': ['get', 'post'],
    '/articles/{slug}': ['get', 'put', 'delete'],
    '/articles/{slug}/comments': ['get', 'post'],
    '/articles/{slug}/comments/{id}': ['delete'],
    '/articles/{slug}/favorite': ['post', 'delete'],
    '/tags': ['get'],
  };

  it('serves /api/openapi.json: OpenAPI 3.1.0 with every RealWorld operation and /users/{id}', async () => {
    const t = await createTestApp();
    const res = await api(t).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.paths['/users/{id}']).toHaveProperty('get');
    for (const [path, methods] of Object.entries(REALWORLD)) {
      expect(Object.keys(res.body.paths[path] ?? {}), path).toEqual(expect.arrayContaining(methods));
    }
  });

  it('serves /api/docs as an HTML page listing the operations', async () => {
    const t = await createTestApp();
    const res = await t.app.request(`${ORIGIN}/api/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const page = dom(await res.text());
    const paths = page.querySelectorAll('code').map((code) => code.text);
    expect(paths).toContain('/api/articles/feed');
    expect(paths).toContain('/api/users/{id}');
    for (const path of Object.keys(REALWORLD)) expect(paths).toContain(`/api${path}`);
    expect(page.querySelector('a[href="/api/openapi.json"]')).not.toBeNull();
  });
});
