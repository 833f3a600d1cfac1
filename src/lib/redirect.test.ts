import { beforeAll, describe, expect, it } from 'vitest';
import { Browser, createTestApp, dom, insertArticle, insertUser, PASSWORD, signedInBrowser, type TestApp } from '../test-support';
import { safeRedirectPath } from './redirect';

/**
 * Targets that lead, or once led, off the site or somewhere a browser reads differently from
 * the server: protocol-relative, backslashes, encodings (single, double, triple, mixed case),
 * dot segments, control characters, schemes. Every one must land on "/".
 */
const HOSTILE = [
  // protocol-relative and slash runs
  '//evil.example', '//evil.example/', '///evil.example', '////evil.example', '//evil.example?x=/', '//evil.example#/',
  '//evil.example/%2e%2e', '//%65vil.example',
  // backslashes, which browsers read as slashes
  '/\\evil.example', '\\\\evil.example', '\\/evil.example', '/\\/evil.example', '/\\\\evil.example', '/a/../\\evil.example',
  '/a/..\\/evil.example',
  // absolute URLs and schemes
  'https://evil.example', 'http://evil.example', 'HTTPS://evil.example', 'https:evil.example', 'https:/evil.example',
  'javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)',
  // not a path at all
  '', ' ', 'evil.example', '.', '..', './/evil.example', '../evil.example', '／／evil.example', ' //evil.example',
  // control characters, raw (browsers strip tab and newline) and encoded
  '\t//evil.example', '/\t/evil.example', '/\n/evil.example', '/\r/evil.example', '/%09/evil.example', '/%0a/evil.example',
  '/%0D/evil.example', '/%00/evil.example',
  // dot segments that resolve to "//"
  '/a/..//evil.example', '/a/../..//evil.example', '/..//evil.example', '/.//evil.example', '/a/.././/evil.example',
  '/a/..//evil.example?next=/', '/a/..//evil.example#/', '/..', '/.', '/a/..', '/./evil.example',
  // encoded dot segments
  '/a/%2e%2e//evil.example', '/a/%2E%2E/%2Fevil.example', '/%2e%2e//evil.example', '/a/.%2e//evil.example',
  '/a/%2e%2e%2f%2fevil.example', '/a/..%2F..%2F%2Fevil.example', '/a/%252e%252e//evil.example', '/a/..%252F%252Fevil.example',
  // encoded slashes and backslashes: once, twice, three and four times
  '/%2F%2Fevil.example', '/%2fevil.example', '/%2F/evil.example', '%2F%2Fevil.example', '/%5Cevil.example', '/%5cevil.example',
  '/%5C/evil.example', '%5C%5Cevil.example', '/%5C%5Cevil.example', '/%252F%252Fevil.example', '/%252fevil.example',
  '/%255Cevil.example', '/%25252f/evil.example', '/%2525252f/evil.example',
  // malformed encodings, an overlong UTF-8 slash
  '%', '/%', '/%zz', '/%C0%AF/evil.example', '/%E0%80%AF/evil.example',
];

/** Same-site paths that must come through unchanged. */
const SAFE = [
  ['/', '/'],
  ['/article/x', '/article/x'],
  ['/article/x?page=2', '/article/x?page=2'],
  ['/article/x#comments', '/article/x#comments'],
  ['/profile/alice/favorites', '/profile/alice/favorites'],
  ['/editor/my-slug/', '/editor/my-slug/'],
  // the query and fragment cannot change the host: they may say anything
  ['/search?q=%2F%2Fevil.example', '/search?q=%2F%2Fevil.example'],
  ['/search?q=a//b#//c', '/search?q=a//b#//c'],
  ['/tag/caf%C3%A9', '/tag/caf%C3%A9'],
  ['/tag/café', '/tag/caf%C3%A9'],
] as const;

/** The shape the issue asks of every Location: one slash, then anything but a slash or backslash. */
const SAME_SITE_PATH = /^\/(?![/\\])/;

describe('safeRedirectPath', () => {
  it('has a corpus of more than 60 hostile targets', () => {
    expect(new Set(HOSTILE).size).toBe(HOSTILE.length);
    expect(HOSTILE.length).toBeGreaterThan(60);
  });

  it.each(HOSTILE.map((value) => [JSON.stringify(value), value]))('refuses %s', (_, value) => {
    expect(safeRedirectPath(value)).toBeNull();
  });

  it.each(SAFE)('keeps %s as %s', (value, expected) => {
    expect(safeRedirectPath(value)).toBe(expected);
    expect(expected).toMatch(SAME_SITE_PATH);
  });

  it('refuses what is not a string, and what is too long', () => {
    for (const value of [undefined, null, 42, ['/a'], { path: '/a' }]) expect(safeRedirectPath(value)).toBeNull();
    expect(safeRedirectPath(`/${'a'.repeat(2000)}`)).toBeNull();
  });
});

describe('the redirect corpus through the real sign-in', () => {
  const HEADER_SAFE = /^[\u0021-\u007e]*$/;

  // one site for the corpus: each case signs in afresh (a success spends no throttle); the three
  // ways run at once, so each has its own account and address (pending sign-ins count as failures)
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    for (const name of ['field', 'encoded', 'raw']) await insertUser(t.db, name);
  });

  it.each(HOSTILE.map((value) => [JSON.stringify(value), value]))('%s lands on / from redirectTo and from a hand-set return_to cookie', async (_, value) => {
    const signIn = (name: string, ip: string, fields: Record<string, string>, cookie?: string) => {
      const browser = new Browser(t.app, { ip });
      if (cookie !== undefined) browser.cookies.set('return_to', cookie);
      return browser.post('/login', { email: `${name}@example.com`, password: PASSWORD, ...fields });
    };
    const responses = await Promise.all([
      // the redirectTo field, as a form would send it
      signIn('field', '192.0.2.1', { redirectTo: value }),
      // the cookie, encoded as a browser would keep it, and (where a header can carry it) as typed
      signIn('encoded', '192.0.2.2', {}, encodeURIComponent(value)),
      ...(HEADER_SAFE.test(value) && !/[;,"]/.test(value) ? [signIn('raw', '192.0.2.3', {}, value)] : []),
    ]);
    for (const res of responses) {
      expect(res.status).toBe(303);
      const location = res.headers.get('location');
      expect(location).toMatch(SAME_SITE_PATH);
      expect(location).toBe('/');
    }
    // and the sign-in page never offers it back as a hidden field
    const page = dom(await new Browser(t.app).html(`/login?redirectTo=${encodeURIComponent(value)}`));
    expect(page.querySelector('input[name=redirectTo]')).toBeNull();
  });

  it('keeps a same-site target through sign-in, and the form posts fall back to their own page', async () => {
    const ok = await new Browser(t.app).post('/login', { email: 'field@example.com', password: PASSWORD, redirectTo: '/article/x?page=2' });
    expect(ok.headers.get('location')).toBe('/article/x?page=2');

    const { browser } = await signedInBrowser(t, 'reader');
    const author = await insertUser(t.db, 'author');
    const article = await insertArticle(t.db, author.id);
    const favorite = await browser.post(`/article/${article.slug}/favorite`, { redirectTo: '/a/..//evil.example' });
    expect(favorite.headers.get('location')).toBe(`/article/${article.slug}`);
  });
});
