import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api, type ApiResponse } from '../api/test-helpers';
import { users } from '../db/schema';
import { withoutNul } from '../lib/text';
import { Browser, createTestApp, dom, signedInBrowser, type TestApp } from '../test-support';

const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '<svg/onload=alert(1)>',
  'javascript:alert(1)',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  '<a href="javascript:alert(1)">x</a>',
  '<iframe src=//evil.example>',
  '<style>*{display:none}</style>',
  '<div <script>x',
  'invoice\u202egpj.exe', // right-to-left override
  '＜script＞alert(1)＜/script＞', // fullwidth
  '<scr\u200dipt>alert(1)</scr\u200dipt>', // zero-width joiner
  '<scr\u0000ipt>alert(1)</script>', // NUL
  '[x](javascript:alert(1))',
  '![x](javascript:alert(1))',
  '![x](data:image/svg+xml;base64,PHN2Zy8+)',
];
const CASES = PAYLOADS.map((payload) => [JSON.stringify(payload), payload] as const);

type Root = ReturnType<typeof dom>;
const DANGEROUS_URL = /^(javascript|data|vbscript):/;

/** A JSON-LD data block is never executed (its type is not JavaScript): inert if it is whole JSON. */
function isJsonLd(el: Root): boolean {
  if (el.getAttribute('type') !== 'application/ld+json') return false;
  try {
    JSON.parse(el.rawText);
    return true;
  } catch {
    return false;
  }
}

/** Everything on the page that would run script, frame or restyle it; [] when the page is inert. */
function activeContent(html: string, root: Root): string[] {
  const found: string[] = [];
  // the parser misses some forms browsers accept (<svg/onload=...>): also read the raw markup, where
  // a double quote only ever delimits an attribute value (text and values escape it as &quot;)
  const markup = html.replace(/"[^"]*"/g, '""');
  for (const match of markup.matchAll(/<[a-z][^>]*?[\s/"']on[a-z]+\s*=/gi)) found.push(match[0]);
  for (const el of root.querySelectorAll('*')) {
    const tag = el.rawTagName.toLowerCase();
    if (['iframe', 'object', 'embed', 'style'].includes(tag)) found.push(`<${tag}>`);
    if (tag === 'script' && !el.hasAttribute('src') && !isJsonLd(el)) found.push('<script> without src');
    for (const name of Object.keys(el.attributes)) if (/^on/i.test(name)) found.push(`<${tag} ${name}>`);
  }
  for (const [selector, attribute] of [['a[href]', 'href'], ['img[src]', 'src']] as const) {
    for (const el of root.querySelectorAll(selector)) {
      // browsers ignore control characters and whitespace around (and inside) a scheme
      const value = (el.getAttribute(attribute) ?? '').replace(/[\u0000-\u0020]/g, '').toLowerCase();
      if (DANGEROUS_URL.test(value)) found.push(`${selector}=${value}`);
    }
  }
  return found;
}

/** The page parsed, after checking it is an inert 2xx/4xx HTML document. */
async function inertPage(res: Response, where: string, status = 200): Promise<Root> {
  expect(res.status, where).toBe(status);
  expect(res.headers.get('content-type'), where).toMatch(/^text\/html/);
  const html = await res.text();
  const root = dom(html);
  expect(activeContent(html, root), where).toEqual([]);
  return root;
}

const texts = (root: Root, selector: string) => root.querySelectorAll(selector).map((el) => el.text);
const value = (root: Root, selector: string) => root.querySelector(selector)?.getAttribute('value');

function expectJson(res: ApiResponse, status = 200): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
}

const settingsForm = (fields: Partial<Record<'image' | 'username' | 'bio', string>> = {}) => ({
  image: '',
  username: 'alice',
  bio: '',
  email: 'alice@example.com',
  password: '',
  currentPassword: '',
  ...fields,
});

const userRow = async (t: TestApp, username: string) => (await t.db.select().from(users).where(eq(users.username, username)).limit(1))[0];

describe('every text a user controls is inert in HTML and exact in JSON', () => {
  it.each(CASES)('%s', async (_name, p) => {
    const t = await createTestApp();
    const client = api(t);
    const sentTag = p.slice(0, 40); // tags are at most 40 characters
    // what Quire keeps, on both engines: U+0000 becomes U+FFFD (src/lib/text.ts), as Markdown
    // (CommonMark) shows it anyway; PostgreSQL's text could not hold it
    const text = withoutNul(p);
    const tag = withoutNul(sentTag);

    // Alice writes through the forms: bio, a refused then a published article, a comment
    const { browser: alice } = await signedInBrowser(t, 'alice');
    expect((await alice.post('/settings', settingsForm({ bio: p }))).status).toBe(303);
    const article = { title: p, description: p, body: p, tagList: [sentTag], op: 'publish' };
    const refill = await inertPage(await alice.post('/editor', { ...article, body: '' }), 'editor 422', 422);
    expect(value(refill, '#title')).toBe(p);
    const published = await alice.post('/editor', article);
    expect(published.status).toBe(303);
    const alicePath = published.headers.get('location')!;
    const aliceSlug = decodeURIComponent(alicePath.replace('/article/', ''));
    expect((await alice.post(`${alicePath}/comments`, { body: p })).status).toBe(303);

    // Bob writes through the API: bio, an article, a comment on Alice's, a favorite
    const signup = await client.post('/users', { user: { username: 'bob', email: 'bob@example.com', password: 'a long bob password' } });
    expectJson(signup, 201);
    const token: string = signup.body.user.token;
    expectJson(await client.put('/user', { user: { bio: p } }, token));
    const created = await client.post('/articles', { article: { title: p, description: p, body: p, tagList: [sentTag] } }, token);
    expectJson(created, 201);
    const bobSlug: string = created.body.article.slug;
    const aliceApiPath = `/articles/${encodeURIComponent(aliceSlug)}`;
    expectJson(await client.post(`${aliceApiPath}/comments`, { comment: { body: p } }, token), 201);
    expectJson(await client.post(`${aliceApiPath}/favorite`, undefined, token));
    expect((await alice.post('/profile/bob/follow')).status).toBe(303);

    const bobPath = `/article/${encodeURIComponent(bobSlug)}`;
    const publicPages = ['/', `/tag/${encodeURIComponent(tag)}`, alicePath, bobPath, '/profile/alice', '/profile/bob', '/profile/bob/favorites'];
    const privatePages = ['/settings', `/editor/${encodeURIComponent(aliceSlug)}`, '/?feed=following'];
    const anonymous = new Browser(t.app);
    const page: Record<string, Root> = {};
    for (const path of publicPages) await inertPage(await anonymous.get(path), `${path} (signed out)`);
    for (const path of [...publicPages, ...privatePages]) page[path] = await inertPage(await alice.get(path), path);

    // and the text comes back as text
    expect(texts(page['/']!, '.preview-link h1')).toEqual([text, text]);
    expect(texts(page['/']!, '.preview-link p')).toEqual([text, text]);
    expect(texts(page['/']!, '.sidebar .tag-pill')).toEqual([tag]);
    const tagPage = page[publicPages[1]!]!;
    expect(texts(tagPage, '.preview-link h1')).toEqual([text, text]);
    expect(texts(tagPage, '.feed-toggle .nav-link.active')).toEqual([`# ${tag}`]);
    for (const path of [alicePath, bobPath]) {
      expect(texts(page[path]!, '.banner h1'), path).toEqual([text]);
      expect(texts(page[path]!, '.article-body p'), path).toEqual([text]);
      expect(texts(page[path]!, '.article-content .tag-list li'), path).toEqual([tag]);
    }
    expect(texts(page[alicePath]!, '.card-text')).toEqual([text, text]);
    for (const name of ['alice', 'bob']) expect(texts(page[`/profile/${name}`]!, '.user-info p')).toEqual([text]);
    expect(texts(page['/profile/bob']!, '.preview-link h1')).toEqual([text]);
    expect(texts(page['/profile/bob/favorites']!, '.preview-link h1')).toEqual([text]);
    expect(texts(page['/settings']!, 'textarea#bio')).toEqual([text]);
    const editor = page[privatePages[1]!]!;
    expect([value(editor, '#title'), value(editor, '#description')]).toEqual([text, text]);
    expect(texts(editor, 'textarea#body')).toEqual([text]);
    expect(editor.querySelectorAll('input[name=tagList]').map((el) => el.getAttribute('value'))).toEqual([tag]);
    expect(texts(page['/?feed=following']!, '.preview-link h1')).toEqual([text]);

    // JSON is not HTML: the API gives back exactly what was stored
    const list = await client.get('/articles');
    expectJson(list);
    for (const item of list.body.articles) expect([item.title, item.description, item.tagList]).toEqual([text, text, [tag]]);
    expect(list.body.articles).toHaveLength(2);
    for (const slug of [aliceSlug, bobSlug]) {
      const one = await client.get(`/articles/${encodeURIComponent(slug)}`);
      expectJson(one);
      expect([one.body.article.title, one.body.article.description, one.body.article.body]).toEqual([text, text, text]);
    }
    const comments = await client.get(`${aliceApiPath}/comments`);
    expectJson(comments);
    expect(comments.body.comments.map((c: { body: string }) => c.body)).toEqual([text, text]);
    for (const name of ['alice', 'bob']) {
      const profile = await client.get(`/profiles/${name}`);
      expectJson(profile);
      expect(profile.body.profile.bio).toBe(text);
    }
    const me = await client.get('/user', token);
    expectJson(me);
    expect(me.body.user.bio).toBe(text);
  });
});

describe('usernames', () => {
  it('refuses every payload with 422 on the forms and the API, and shows it back inert', async () => {
    const t = await createTestApp();
    const client = api(t);
    const { browser: alice } = await signedInBrowser(t, 'alice');
    const { token } = (await client.post('/users/login', { user: { email: 'alice@example.com', password: 'correct horse battery' } })).body.user;
    for (const p of PAYLOADS) {
      const where = JSON.stringify(p);
      const register = await inertPage(
        await new Browser(t.app).post('/register', { username: p, email: 'new@example.com', password: 'a long new password' }),
        `register ${where}`,
        422,
      );
      expect(value(register, 'input[name=username]'), where).toBe(p);
      const settings = await inertPage(await alice.post('/settings', settingsForm({ username: p })), `settings ${where}`, 422);
      expect(value(settings, 'input[name=username]'), where).toBe(p);
      const signup = await client.post('/users', { user: { username: p, email: 'new@example.com', password: 'a long new password' } });
      expectJson(signup, 422);
      expect(signup.body.errors.username, where).toBeDefined();
      const update = await client.put('/user', { user: { username: p } }, token);
      expectJson(update, 422);
      expect(update.body.errors.username, where).toBeDefined();
    }
    expect(await t.db.select({ username: users.username }).from(users)).toEqual([{ username: 'alice' }]);
  });
});

describe('image URLs', () => {
  const REFUSED = [
    ...PAYLOADS,
    ' JavaScript:alert(1)',
    'java\tscript:alert(1)',
    'vbscript:msgbox(1)',
    'data:image/svg+xml;base64,PHN2Zy8+',
    '//evil.example/a.png',
    '/api/user',
    'ftp://evil.example/a.png',
    'http://',
  ];

  it('refuses anything but http(s) with 422 on the form and the API, and stores nothing', async () => {
    const t = await createTestApp();
    const client = api(t);
    const { browser: alice } = await signedInBrowser(t, 'alice');
    const { token } = (await client.post('/users/login', { user: { email: 'alice@example.com', password: 'correct horse battery' } })).body.user;
    for (const image of REFUSED) {
      const where = JSON.stringify(image);
      const settings = await inertPage(await alice.post('/settings', settingsForm({ image })), `settings ${where}`, 422);
      expect(value(settings, 'input[name=image]'), where).toBe(image);
      const update = await client.put('/user', { user: { image } }, token);
      expectJson(update, 422);
      expect(update.body.errors.image, where).toEqual(['must be an http:// or https:// URL']);
    }
    expect((await userRow(t, 'alice'))!.image).toBeNull();
  });

  it.each([
    ['the settings form', 'http://img.example/a.png"onerror="alert(1)'],
    ['the API', "https://img.example/a.png'onload='alert(1)"],
  ])('an http(s) URL with quotes from %s comes out attribute-escaped', async (via, image) => {
    const t = await createTestApp();
    const client = api(t);
    const { browser: alice, user } = await signedInBrowser(t, 'alice');
    if (via === 'the API') {
      const { token } = (await client.post('/users/login', { user: { email: user.email, password: 'correct horse battery' } })).body.user;
      expectJson(await client.put('/user', { user: { image } }, token));
    } else {
      expect((await alice.post('/settings', settingsForm({ image }))).status).toBe(303);
    }
    expect((await userRow(t, 'alice'))!.image).toBe(image);
    const slug = (await alice.post('/editor', { title: 'Hello', description: 'd', body: 'b', op: 'publish' })).headers.get('location')!;
    for (const path of ['/', slug, '/profile/alice', '/settings']) {
      const root = await inertPage(await alice.get(path), path);
      const avatars = root.querySelectorAll('img').filter((img) => img.getAttribute('src') === image);
      expect(avatars.length, path).toBeGreaterThan(0);
    }
    expect(value(await inertPage(await alice.get('/settings'), '/settings'), '#image')).toBe(image);
    const profile = await client.get('/profiles/alice');
    expectJson(profile);
    expect(profile.body.profile.image).toBe(image);
  });
});
