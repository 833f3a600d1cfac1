import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api/test-helpers';
import { flushLog, jsonLog, type LogLine } from '../lib/logger';
import {
  Browser,
  closedDatabaseMessage,
  closeTestDb,
  createTestApp,
  dom,
  insertArticle,
  insertUser,
  PASSWORD,
  signedInBrowser,
  type TestApp,
} from '../test-support';

const HTTPS = 'https://blog.example';

/** One of each kind of response, as a browser (or an API client) on `origin` gets it. */
async function responses(t: TestApp, origin: string): Promise<Array<[string, Response]>> {
  const browser = new Browser(t.app, { origin });
  const page = await browser.get('/');
  const stylesheet = dom(await page.clone().text()).querySelector('link[rel=stylesheet]')!.getAttribute('href')!;
  return [
    ['a page', page],
    ['a 404', await browser.get('/no/such/page')],
    ['a form 422', await browser.post('/login', { email: '', password: '' })],
    ['a static file', await browser.get(stylesheet)],
    ['a root static file', await browser.get('/robots.txt')],
    ['an API response', await browser.get('/api/articles')],
    ['an API error', await browser.get('/api/user')],
  ];
}

/** "default-src 'self'; img-src 'self' https:" -> { 'default-src': ["'self'"], 'img-src': [...] } */
function directives(csp: string): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) result[name.toLowerCase()] = values;
  }
  return result;
}

describe('security headers', () => {
  it('are on every kind of response, without HSTS over plain http', async () => {
    const t = await createTestApp();
    for (const [kind, res] of await responses(t, 'http://localhost')) {
      const expectedStatus = { 'a 404': 404, 'a form 422': 422, 'an API error': 401 }[kind as string] ?? 200;
      expect(res.status, kind).toBe(expectedStatus);
      const csp = res.headers.get('content-security-policy') ?? '';
      const d = directives(csp);
      expect(d['default-src'], kind).toContain("'self'");
      expect(d['object-src'], kind).toEqual(["'none'"]);
      expect(d['base-uri'], kind).toEqual(["'none'"]);
      expect(d['frame-ancestors'], kind).toEqual(["'none'"]);
      expect(d['form-action'], kind).toEqual(["'self'"]);
      expect(d['img-src'], kind).toEqual(expect.arrayContaining(["'self'", 'https:']));
      expect(csp, kind).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(res.headers.get('x-content-type-options'), kind).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), kind).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('x-powered-by'), kind).toBeNull();
      expect(res.headers.get('strict-transport-security'), kind).toBeNull();
    }
  });

  it('include HSTS for at least a year on every response when PUBLIC_URL is https', async () => {
    const t = await createTestApp({ env: { PUBLIC_URL: HTTPS } });
    for (const [kind, res] of await responses(t, HTTPS)) {
      expect(res.status, kind).toBeLessThan(500);
      const hsts = res.headers.get('strict-transport-security') ?? '';
      const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1] ?? 0);
      expect(maxAge, kind).toBeGreaterThanOrEqual(31_536_000);
      expect(res.headers.get('content-security-policy'), kind).toContain("frame-ancestors 'none'");
    }
  });
});

const requestIdOf = (res: Response) => {
  const id = res.headers.get('x-request-id');
  expect(id).toBeTruthy();
  return id!;
};

/** The single line with `msg` for this response's request, checked to survive a JSON round trip. */
function logLine(t: TestApp, msg: string, res: Response): LogLine {
  const requestId = requestIdOf(res);
  const lines = t.logs.filter((line) => line.msg === msg && line.requestId === requestId);
  expect(lines, msg).toHaveLength(1);
  expect(JSON.parse(JSON.stringify(lines[0]))).toEqual(lines[0]);
  return lines[0]!;
}

describe('security log lines', () => {
  it('record sign-in success and failure with the request id', async () => {
    const t = await createTestApp();
    const { user } = await signedInBrowser(t, 'alice');
    const ok = await new Browser(t.app).post('/login', { email: user.email, password: PASSWORD });
    expect(logLine(t, 'security.signin.success', ok).userId).toBe(user.id);
    const bad = await new Browser(t.app).post('/login', { email: user.email, password: 'not the password at all' });
    expect(bad.status).toBe(422);
    expect(logLine(t, 'security.signin.failure', bad).level).toBe('warn');
  });

  it('record a password change and a forbidden access with the request id', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const mallory = await signedInBrowser(t, 'mallory');
    const changed = await browser.post('/settings', {
      image: '',
      username: 'alice',
      bio: '',
      email: user.email,
      password: 'a brand new secret phrase',
      currentPassword: PASSWORD,
    });
    expect(changed.status).toBe(303);
    expect(logLine(t, 'security.password.changed', changed).userId).toBe(user.id);
    const { slug } = await insertArticle(t.db, user.id);
    const forbidden = await mallory.browser.get(`/editor/${slug}`);
    expect(forbidden.status).toBe(403);
    expect(logLine(t, 'forbidden', forbidden).userId).toBe(mallory.user.id);
  });

  it('never contain a password, a session token or a cookie value', async () => {
    const t = await createTestApp();
    const first = 'Quilted-Marmot-Lantern-73';
    const wrong = 'Velvet-Harbor-Quince-19';
    const second = 'Copper-Fjord-Saffron-88';
    const secrets: string[] = [first, wrong, second];
    const keep = (browser: Browser) => secrets.push(browser.cookies.get('session')!);

    const writer = new Browser(t.app);
    expect((await writer.post('/register', { username: 'alice', email: 'alice@example.com', password: first })).status).toBe(303);
    keep(writer);
    const reader = new Browser(t.app);
    expect((await reader.post('/login', { email: 'alice@example.com', password: first })).status).toBe(303);
    keep(reader);
    expect((await new Browser(t.app).post('/login', { email: 'alice@example.com', password: wrong })).status).toBe(422);

    const client = api(t);
    const login = await client.post('/users/login', { user: { email: 'alice@example.com', password: first } });
    const token: string = login.body.user.token;
    secrets.push(token, token.split('.')[1]!);
    expect((await client.get('/user', token)).status).toBe(200);
    expect((await client.post('/articles', { article: { title: 'T', description: 'D', body: 'B' } }, token)).status).toBe(201);
    expect((await client.get('/user', `${token}x`)).status).toBe(401);

    const settings = { image: '', username: 'alice', bio: '', email: 'alice@example.com', password: second, currentPassword: first };
    expect((await writer.post('/settings', settings)).status).toBe(303);
    keep(writer);

    expect(secrets.length).toBeGreaterThanOrEqual(7);
    const everything = JSON.stringify(t.logs);
    expect(t.logs.length).toBeGreaterThan(8);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });

  describe('a request path crafted to forge a log line', () => {
    afterEach(() => vi.restoreAllMocks());

    it('gives exactly one line for the request, with the newline kept inside the JSON string', async () => {
      const t = await createTestApp();
      const res = await t.app.request('http://localhost/%0a{"level":"info","msg":"forged"}');
      expect(res.status).toBe(404);
      const lines = t.logs.filter((line) => line.requestId === requestIdOf(res));
      expect(lines).toHaveLength(1);
      expect(String(lines[0]!.path)).toContain('\n{"level":"info","msg":"forged"}');
      expect(t.logs.filter((line) => line.msg === 'forged')).toEqual([]);
      for (const line of t.logs) expect(JSON.stringify(line)).not.toContain('\n');

      // and the real writer puts it on one line of stdout
      const written: string[] = [];
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
      jsonLog(lines[0]!);
      flushLog();
      expect(written).toHaveLength(1);
      expect(written[0]!.split('\n')).toHaveLength(2);
      expect(written[0]!.endsWith('\n')).toBe(true);
      expect(JSON.parse(written[0]!).path).toBe(lines[0]!.path);
      // the time first, then the line's own fields in their order
      const parsed = JSON.parse(written[0]!) as Record<string, unknown>;
      expect(Object.keys(parsed)).toEqual(['time', ...Object.keys(lines[0]!)]);
      expect(parsed.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    });
  });
});

describe('a server error', () => {
  it('shows no stack trace, file path or database error, in HTML or JSON', async () => {
    const t = await createTestApp();
    await closeTestDb(t.db);
    const page = await new Browser(t.app).get('/');
    const json = await api(t).get('/articles');
    expect(page.status).toBe(500);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(json.status).toBe(500);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(json.body).toEqual({ errors: { server: [expect.stringContaining(json.headers.get('x-request-id')!)] } });
    for (const text of [await page.text(), json.text]) {
      expect(text).not.toMatch(/\bat \S+ \(|\bat (file:|\/)|\.[cm]?[jt]sx?:\d+|node_modules|\/work\/|SqliteError|database connection|stack/i);
    }
    // the details went to the log instead
    expect(t.logs.filter((line) => line.msg === 'unhandled error')).toHaveLength(2);
    expect(JSON.stringify(t.logs)).toContain(closedDatabaseMessage());
  });
});

describe('forbidden access is a security event on pages and API alike', () => {
  it('logs a forbidden line with the request id and client address for web and API 403s', async () => {
    const t = await createTestApp();
    const author = await insertUser(t.db, 'author');
    const { slug } = await insertArticle(t.db, author.id);
    const { browser } = await signedInBrowser(t, 'mallory');
    const web = await browser.post(`/article/${slug}/delete`);
    expect(web.status).toBe(403);
    const login = await browser.request('/api/users/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: { email: 'mallory@example.com', password: PASSWORD } }),
    });
    const { user } = (await login.json()) as { user: { token: string } };
    const api = await browser.request(`/api/articles/${slug}`, { method: 'DELETE', headers: { authorization: `Token ${user.token}` } });
    expect(api.status).toBe(403);
    const lines = t.logs.filter((line) => line.msg === 'forbidden');
    expect(lines.map((line) => line.requestId)).toEqual([web.headers.get('x-request-id'), api.headers.get('x-request-id')]);
    expect(lines.every((line) => line.ip === 'unknown' && typeof line.userId === 'number')).toBe(true);
  });

  it('does not log a typed "email" that is not shaped like one (it may be a password)', async () => {
    const t = await createTestApp();
    await new Browser(t.app).post('/login', { email: 'my secret passphrase', password: 'x' });
    const failure = t.logs.find((line) => line.msg === 'security.signin.failure')!;
    expect(failure.email).toBeNull();
    expect(JSON.stringify(t.logs)).not.toContain('my secret passphrase');
  });
});
