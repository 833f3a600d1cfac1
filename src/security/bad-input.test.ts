/**
 * Whatever one client sends, the answer is never a 5xx and never shows a stack trace: every route
 * of the app (pages and API, read from the app's own routing table), anonymous and signed in, with
 * path parameters taken from real rows, gets bodies of every content type (none, urlencoded,
 * multipart well-formed and not, JSON of the wrong types, text, raw bytes), invalid UTF-8, NUL,
 * repeated fields, fields beyond every limit, and odd paths.
 *
 * Deterministic: the cases come from a seeded generator, so a failure names a case that fails
 * again. A failure prints the method, path, body kind and status.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createSession } from '../auth/session';
import { addComment } from '../comments/queries';
import { api } from '../api/test-helpers';
import { Browser, createTestApp, insertArticle, insertUser, ORIGIN, signedInBrowser, type TestApp } from '../test-support';
import { serverPerTest } from '../test-support/socket';
// the bench's seeded generator: the same seed gives the same cases on every run
import { createRng, type Rng as Random } from '../../scripts/bench/random';

/** Every field name any form or API body of the app reads, and a few it does not. */
const FIELDS = [
  'title', 'description', 'body', 'tagList', 'tagList[]', 'email', 'password', 'username', 'bio', 'image',
  'currentPassword', 'newPassword', 'redirectTo', 'publish', 'draft', 'q', '__proto__', 'constructor',
] as const;

/** Strings of the kinds that break parsers: invalid UTF-8 comes as raw bytes elsewhere. */
function text(r: Random): string {
  switch (r.int(8)) {
    case 0: return '';
    case 1: return 'a\u0000b\u0000';
    case 2: return '\u{1F600}\u0301\u202E\uFEFFé中文';
    case 3: return '\uD800 lone surrogate \uDFFF';
    case 4: return 'x'.repeat(200_001); // beyond every field's limit, within the 2 MiB body limit
    case 5: return '<script>alert(1)</script>%00%ff%';
    case 6: return ' '.repeat(r.int(5));
    default: return `v${r.int(1000)}@example.com`;
  }
}

/** A JSON value of the wrong type where a string belongs. */
function confused(r: Random): unknown {
  return r.pick<unknown>([null, 0, -1.5, 1e308, true, [], ['a', 1], {}, { a: 'b' }, 'ok', text(r)]);
}

type Body = { kind: string; contentType?: string; body?: string | Blob };

/** Raw bytes, invalid UTF-8 included (a Blob, so nothing re-encodes them on the way). */
const bytes = (...parts: (string | number[])[]) =>
  new Blob(parts.map((p) => (typeof p === 'string' ? p : new Uint8Array(p))));

function multipart(r: Random, boundary: string): string {
  const parts: string[] = [];
  for (let i = 0; i < 1 + r.int(4); i++) {
    const name = r.pick(FIELDS);
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${text(r).slice(0, 5000)}\r\n`);
  }
  return `${parts.join('')}--${boundary}--\r\n`;
}

/** The bodies sent to each route: one of each kind, their contents drawn from `r`. */
function bodies(r: Random): Body[] {
  const form = new URLSearchParams();
  for (let i = 0; i < 1 + r.int(6); i++) {
    const name = r.pick(FIELDS);
    form.append(name, text(r));
    if (r.int(2) === 0) form.append(name, text(r)); // repeated
  }
  const wrapper = r.pick(['user', 'article', 'comment', 'profile']);
  const inner: Record<string, unknown> = {};
  for (let i = 0; i < 1 + r.int(5); i++) inner[r.pick(FIELDS)] = confused(r);
  const good = multipart(r, 'b0undary');
  return [
    { kind: 'none' },
    { kind: 'empty form', contentType: 'application/x-www-form-urlencoded', body: '' },
    { kind: 'form', contentType: 'application/x-www-form-urlencoded', body: form.toString() },
    { kind: 'form with bad escapes', contentType: 'application/x-www-form-urlencoded', body: 'title=%ff%fe%00&body=%E0%A4%A&tagList=%&tagList=a%2' },
    { kind: 'form as bytes', contentType: 'application/x-www-form-urlencoded', body: bytes('title=', [0xff, 0xfe, 0x00, 0xc3], '&email=', [0xed, 0xa0, 0x80]) },
    { kind: 'multipart', contentType: 'multipart/form-data; boundary=b0undary', body: good },
    { kind: 'multipart without boundary', contentType: 'multipart/form-data', body: good },
    { kind: 'multipart wrong boundary', contentType: 'multipart/form-data; boundary=other', body: good },
    { kind: 'multipart cut short', contentType: 'multipart/form-data; boundary=b0undary', body: good.slice(0, good.length - 1 - r.int(good.length - 1)) },
    { kind: 'multipart garbage', contentType: 'multipart/form-data; boundary=x', body: bytes('--x\r\n', [0, 0xff, 0x80], '\r\n\r\n') },
    { kind: 'multipart with a file', contentType: 'multipart/form-data; boundary=f', body: '--f\r\nContent-Disposition: form-data; name="body"; filename="a.md"\r\nContent-Type: text/markdown\r\n\r\n# hi\r\n--f--\r\n' },
    { kind: 'json', contentType: 'application/json', body: JSON.stringify({ [wrapper]: inner }) },
    { kind: 'json with a repeated key', contentType: 'application/json', body: `{"${wrapper}":{"username":"a","username":["b"],"body":1,"body":null}}` },
    { kind: 'json of the wrong type', contentType: 'application/json', body: JSON.stringify(r.pick<unknown>([null, 1, 'x', [], [{}], { [wrapper]: null }, { [wrapper]: [] }, { [wrapper]: 'x' }])) },
    { kind: 'broken json', contentType: 'application/json', body: r.pick(['{', '{"user":', '[1,', 'nul', '{"a":1}}', '\u0000']) },
    { kind: 'json with invalid UTF-8', contentType: 'application/json; charset=utf-8', body: bytes('{"user":{"username":"', [0xff, 0xc0, 0x00], '"}}') },
    { kind: 'json deeply nested', contentType: 'application/json', body: '['.repeat(5000) + ']'.repeat(5000) },
    { kind: 'text', contentType: 'text/plain', body: text(r) },
    { kind: 'garbage bytes', contentType: r.pick(['application/octet-stream', 'x/y', ';;;', 'multipart/mixed']), body: bytes([0, 1, 2, 0xff, 0xfe, 0x80, 0x00]) },
  ];
}

/** What a path parameter is filled with: a real row's value, then values no row has. */
function oddValues(r: Random, real: string): string[] {
  return [
    `${real}%2F..%2F..%2Fetc%2Fpasswd`,
    `..%2F${real}`,
    `${real}%00`,
    `%E0%A4%A`,
    `%ff%fe`,
    'é中文\u{1F600}'.normalize('NFD'),
    'x'.repeat(4000 + r.int(4000)),
    `${real}%20`,
  ];
}

const FUZZ_TIMEOUT_MS = 120_000;

const STACK_TRACE = /\bat [\w$.<>]+ \(|\.tsx?:\d+:\d+|SqliteError|SQLITE_|TypeError|ReferenceError/;

type Seeded = { t: TestApp; token: string; slug: string; username: string; tag: string; commentId: string; handle: string };

async function seed(): Promise<Seeded> {
  const t = await createTestApp({ env: { RATE_LIMITS: 'off' } });
  const author = await insertUser(t.db, 'author');
  const reader = await insertUser(t.db, 'reader');
  const article = await insertArticle(t.db, author.id, { title: 'Real article', tagList: ['real'] });
  const commentId = await addComment(t.db, article.id, reader.id, 'A comment', Date.now());
  const { token } = await createSession(t.db, author.id, { now: t.clock() });
  return { t, token, slug: article.slug, username: 'author', tag: 'real', commentId: String(commentId), handle: 'nohandle' };
}

function fill(path: string, s: Seeded, override?: string): string {
  return path
    .replace(/:file\{[^}]*\}/, 'sitemap-1.xml')
    .replace(/:(\w+)/g, (_, name: string) => {
      if (override !== undefined) return override;
      const real: Record<string, string> = { slug: s.slug, username: s.username, tag: s.tag, id: s.commentId, handle: s.handle, file: 'app.css' };
      return encodeURIComponent(real[name] ?? 'x');
    });
}

/** Every route of the app but the catch-alls, as its routing table lists it. */
function routesOf(t: TestApp): { method: string; path: string }[] {
  const seen = new Map<string, { method: string; path: string }>();
  for (const route of t.app.routes) {
    if (route.path.endsWith('*')) continue;
    seen.set(`${route.method} ${route.path}`, { method: route.method, path: route.path });
  }
  return [...seen.values()];
}

describe('fuzzing every route', () => {
  it('answers a malformed multipart form with 400 and says what is wrong', async () => {
    const { t } = await seed();
    const res = await t.app.request(`${ORIGIN}/login`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'multipart/form-data; boundary=b' },
      body: '--b\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.com',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('The form could not be read: its body is not well-formed multipart/form-data.');
  });

  it('answers every malformed, mistyped, oversized or odd request with less than 500 and no stack trace', async () => {
    const r = createRng(14);
    const routes = routesOf((await seed()).t);
    // the app's table, not a list kept here: both kinds of door are in it
    expect(routes.length).toBeGreaterThan(50);
    expect(routes.some((route) => route.path.startsWith('/api/') && route.method === 'PUT')).toBe(true);
    expect(routes.some((route) => route.path === '/editor/:slug' && route.method === 'POST')).toBe(true);

    const failures: string[] = [];
    let sent = 0;
    for (const [index, route] of routesOf((await seed()).t).entries()) {
      for (const signedIn of [false, true]) {
        // a fresh site per route and viewer: a delete or a rename does not starve the next cases
        const s = await seed();
        const send = async (path: string, body: Body, extra: { method?: string; headers?: Record<string, string> } = {}) => {
          const headers: Record<string, string> = { origin: ORIGIN };
          if (body.contentType) headers['content-type'] = body.contentType;
          if (signedIn) {
            headers.cookie = `session=${s.token}`;
            headers.authorization = `Token ${s.token}`;
          }
          Object.assign(headers, extra.headers);
          const method = extra.method ?? route.method;
          const init: RequestInit = { method, headers };
          if (body.body !== undefined && method !== 'GET' && method !== 'HEAD') init.body = body.body;
          const res = await s.t.app.request(`${ORIGIN}${path}`, init);
          sent++;
          const answer = await res.text();
          if (res.status >= 500 || STACK_TRACE.test(answer)) {
            failures.push(`${method} ${path.slice(0, 80)} [${body.kind}] ${signedIn ? 'signed in' : 'anonymous'}: ${res.status} ${answer.slice(0, 200)}`);
          }
        };
        const path = fill(route.path, s);
        for (const body of bodies(r)) await send(path, body);
        // the rest for one viewer a route, in turns: a few seconds in all
        if (signedIn !== (index % 2 === 1)) continue;
        // odd paths, and odd query strings, with a plain body
        if (route.path.includes(':')) {
          for (const value of oddValues(r, s.slug)) await send(fill(route.path, s, value), { kind: 'odd path' });
        }
        for (const suffix of ['/', '//', '/./', '/../', '%2F', '?page=-1&limit=1e9&offset=NaN&tag[]=a&q=%00', `?${'q=x&'.repeat(2000)}`, '?q=%E0%A4%A&author=%ff']) {
          await send(`${path}${suffix}`, { kind: 'odd suffix' });
        }
        // other methods, and headers the cache, the representation and the session read
        for (const method of ['HEAD', 'OPTIONS', 'PATCH', 'PUT', 'DELETE']) await send(path, { kind: 'other method' }, { method });
        const oddHeaders: Record<string, string>[] = [
          { cookie: `session=${'x'.repeat(5000)}; flash=%ff%; return_to=//evil.example` },
          { cookie: 'session=a.b.c; session=; =;;' },
          { authorization: r.pick(['Token', 'Token a.b', 'Bearer ', 'Basic Zm9vOmJhcg==', `Token ${'a'.repeat(10_000)}`]) },
          { 'if-none-match': r.pick(['*', 'W/""', '"x", W/', '"' + 'a'.repeat(3000)]), 'if-modified-since': 'Tue, 99 Foo 10000' },
          { 'accept-encoding': r.pick(['br;q=nan, gzip;q=-1', '*;q=0', 'identity;q=0', 'x'.repeat(3000)]), range: 'bytes=9-1' },
          { 'x-forwarded-for': '999.1.1.1, ::ffff:%', 'x-request-id': 'a'.repeat(500), 'sec-fetch-site': 'cross-site' },
        ];
        for (const headers of oddHeaders) await send(path, { kind: 'odd headers' }, { headers });
      }
    }
    expect(sent).toBeGreaterThan(3000);
    expect(failures).toEqual([]);
    // over 3 000 requests: about 13 s on SQLite and 25 to 35 s on PostgreSQL (its round trips) on a
    // 2-core machine running the rest of the suite, past the 30 s every test gets
  }, FUZZ_TIMEOUT_MS);

  const start = serverPerTest();

  /**
   * Bytes exactly as written, over a real socket (no client tidies the path); the answer's status
   * line. The request says `Connection: close`, and the server's close ends the exchange. The
   * client keeps its side open, as browsers and proxies do: Node's HTTP server ends a connection
   * whose client has shut its side (a half-close) without waiting for an answer that awaits I/O,
   * which on PostgreSQL every answer does (on SQLite most were written before Node saw the close).
   */
  function sendRaw(port: number, request: Uint8Array): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(request));
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        const text = Buffer.concat(chunks).toString('latin1');
        resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
      });
    });
  }

  it('answers odd raw paths and bodies over a real socket (the cached-page listener too) with less than 500', async () => {
    const s = await seed();
    const { port } = await start(s.t);
    const paths = [
      '/', '//', '/./', '/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/article/%', '/article/%E0%A4%A', '/article/%ff',
      `/article/${s.slug}/../../api/user`, '/tag/%00', '/profile/%C0%AE', `/${'a/'.repeat(3000)}`, '/search?q=%', '/?page=%ff',
      '/api/articles/%2F', '/api/articles?limit=%', '/api/profiles/%E2%80%AE', '/static/..%2f..%2fpackage.json', '/feed.atom?%',
    ];
    const requests: Buffer[] = [];
    for (const path of paths) {
      // twice: the second may be answered from the cache, before the app
      for (let i = 0; i < 2; i++) requests.push(Buffer.from(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`, 'latin1'));
    }
    const form = (contentType: string, body: Buffer) =>
      Buffer.concat([
        Buffer.from(`POST /login HTTP/1.1\r\nHost: localhost\r\nOrigin: ${ORIGIN}\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`, 'latin1'),
        body,
      ]);
    requests.push(
      form('multipart/form-data; boundary=b', Buffer.from('--b\r\nContent-Disposition: form-data; name="email"\r\n\r\nx')),
      form('application/x-www-form-urlencoded', Buffer.from([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x3d, 0xff, 0x00, 0xc3])),
      // chunked, so the body limit counts it as it arrives
      Buffer.from(`POST /register HTTP/1.1\r\nHost: localhost\r\nOrigin: ${ORIGIN}\r\nContent-Type: multipart/form-data; boundary=q\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n--q\r\n\r\n0\r\n\r\n`, 'latin1'),
    );
    const failures: string[] = [];
    for (const request of requests) {
      const { status, text } = await sendRaw(port, request);
      if (status === 0 || status >= 500 || STACK_TRACE.test(text)) failures.push(`${request.toString('latin1').split('\r\n')[0]!.slice(0, 80)}: ${status}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('U+0000 (NUL), which PostgreSQL text cannot hold (src/lib/text.ts)', () => {
  it('becomes U+FFFD in what users write, on forms and the API alike', async () => {
    const s = await seed();
    const client = api(s.t);
    const written = await client.post('/articles', { article: { title: 'a\u0000b', description: 'd\u0000', body: 'b', tagList: ['t\u0000g'] } }, s.token);
    expect(written.status).toBe(201);
    expect([written.body.article.title, written.body.article.description, written.body.article.tagList]).toEqual(['a\uFFFDb', 'd\uFFFD', ['t\uFFFDg']]);
    const { browser } = await signedInBrowser(s.t, 'writer');
    expect((await browser.post(`/article/${s.slug}/comments`, { body: 'c\u0000' })).status).toBe(303);
    const comments = await client.get(`/articles/${s.slug}/comments`);
    expect(comments.body.comments.map((c: { body: string }) => c.body)).toContain('c\uFFFD');
  });

  it('names nothing in a path, a list filter, a sign-in email or a session cookie', async () => {
    const s = await seed();
    const client = api(s.t);
    expect((await new Browser(s.t.app).get(`/article/${s.slug}%00`)).status).toBe(404);
    expect((await new Browser(s.t.app).get(`/tag/${s.tag}%00`)).status).toBe(404);
    const missing = await client.get(`/articles/${s.slug}%00`);
    expect([missing.status, missing.body]).toEqual([404, { errors: { resource: ['not found'] } }]);
    for (const filter of ['tag', 'author', 'favorited']) {
      const list = await client.get(`/articles?${filter}=${s.username}%00`);
      expect([list.status, list.body.articlesCount], filter).toEqual([200, 0]);
    }
    // as an email no one has: refused, with the same words
    const unknown = await client.post('/users/login', { user: { email: 'nobody@example.com', password: 'a long password' } });
    const signIn = await client.post('/users/login', { user: { email: 'author@example.com\u0000', password: 'a long password' } });
    expect([signIn.status, signIn.body]).toEqual([unknown.status, unknown.body]);
    const unknownForm = await new Browser(s.t.app).post('/login', { email: 'nobody@example.com', password: 'a long password' });
    const form = await new Browser(s.t.app).post('/login', { email: 'author\u0000@example.com', password: 'a long password' });
    expect(form.status).toBe(unknownForm.status);
    const cookie = await s.t.app.request(`${ORIGIN}/settings`, { headers: { cookie: `session=${s.token.replace('.', '%00.')}` } });
    expect([cookie.status, cookie.headers.get('location')]).toEqual([303, '/login']);
  });
});
