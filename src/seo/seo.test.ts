import { describe, expect, it } from 'vitest';
import { findArticleBySlug } from '../articles/queries';
import { EnvError, loadEnv } from '../env';
import { Browser, createTestApp, dom, insertArticle, insertUser, saveArticle, PASSWORD, type TestApp } from '../test-support';
import { parseXml, textOf } from '../test-support/xml';

const PUBLIC_URL = 'https://blog.example';

async function setup(env: Record<string, string> = {}) {
  const t = await createTestApp({ env: { PUBLIC_URL, SITE_TITLE: 'Field Notes', SITE_DESCRIPTION: 'Notes from the field.', ...env } });
  t.clock.advance(86_400_000);
  return t;
}

const reader = (t: TestApp) => new Browser(t.app, { origin: PUBLIC_URL });

/** The <head> as a reader of metadata sees it. */
async function head(t: TestApp, path: string, browser = reader(t)) {
  const res = await browser.get(path);
  expect(res.status, path).toBe(200);
  const root = dom(await res.text());
  const property = (name: string) => root.querySelectorAll(`head meta[property="${name}"]`).map((el) => el.getAttribute('content'));
  const name = (value: string) => root.querySelector(`head meta[name="${value}"]`)?.getAttribute('content');
  const jsonLd = root.querySelectorAll('script[type="application/ld+json"]').map((el) => JSON.parse(el.rawText));
  return {
    root,
    canonical: root.querySelectorAll('head link[rel=canonical]').map((el) => el.getAttribute('href')),
    description: name('description'),
    name,
    property,
    jsonLd,
  };
}

describe('an article page, for search engines and link previews', () => {
  it('has a canonical URL, a description, OpenGraph and Twitter tags, all absolute', async () => {
    const t = await setup();
    const bob = await insertUser(t.db, 'bob');
    const { slug } = await insertArticle(t.db, bob.id, { title: 'Herons', description: 'Wading birds', tagList: ['birds', 'water'] });
    const article = (await findArticleBySlug(t.db, slug, null))!;
    const page = await head(t, `/article/${slug}?utm_source=newsletter`);

    expect(page.canonical).toEqual([`${PUBLIC_URL}/article/${slug}`]);
    expect(page.description).toBe('Wading birds');
    expect(page.property('og:type')).toEqual(['article']);
    expect(page.property('og:title')).toEqual(['Herons']);
    expect(page.property('og:description')).toEqual(['Wading birds']);
    expect(page.property('og:url')).toEqual([`${PUBLIC_URL}/article/${slug}`]);
    expect(page.property('og:site_name')).toEqual(['Field Notes']);
    expect(page.property('article:published_time')).toEqual([article.publishedAt!.toISOString()]);
    expect(page.property('article:modified_time')).toEqual([article.updatedAt.toISOString()]);
    expect(page.property('article:author')).toEqual([`${PUBLIC_URL}/profile/bob`]);
    expect(page.property('article:tag')).toEqual(['birds', 'water']);
    expect(page.name('twitter:card')).toBe('summary');
    expect(page.name('robots')).toBeUndefined();
  });

  it('carries BlogPosting structured data in JSON-LD', async () => {
    const t = await setup();
    const bob = await insertUser(t.db, 'bob');
    const { slug } = await insertArticle(t.db, bob.id, { title: 'Herons', description: 'Wading birds', tagList: ['birds'] });
    const article = (await findArticleBySlug(t.db, slug, null))!;
    const { jsonLd } = await head(t, `/article/${slug}`);

    expect(jsonLd).toHaveLength(1);
    const [posting] = jsonLd;
    expect(posting['@context']).toBe('https://schema.org');
    expect(posting['@type']).toBe('BlogPosting');
    expect(posting.headline).toBe('Herons');
    expect(posting.description).toBe('Wading birds');
    expect(posting.url).toBe(`${PUBLIC_URL}/article/${slug}`);
    expect(posting.datePublished).toBe(article.publishedAt!.toISOString());
    expect(posting.dateModified).toBe(article.updatedAt.toISOString());
    expect(posting.author).toEqual({ '@type': 'Person', name: 'bob', url: `${PUBLIC_URL}/profile/bob` });
    expect(posting.keywords).toEqual(['birds']);
  });

  it('keeps a title holding </script> inside the JSON-LD block', async () => {
    const t = await setup();
    const bob = await insertUser(t.db, 'bob');
    const title = 'Birds </script><script>alert(1)</script> <!-- & more';
    const { slug } = await insertArticle(t.db, bob.id, { title, description: '</SCRIPT>' });
    const res = await reader(t).get(`/article/${slug}`);
    const html = await res.text();
    const root = dom(html);

    // the only inline script is the data block, and it parses back to the exact title
    const inline = root.querySelectorAll('script').filter((el) => !el.hasAttribute('src'));
    expect(inline.map((el) => el.getAttribute('type'))).toEqual(['application/ld+json']);
    const data = JSON.parse(inline[0]!.rawText);
    expect(data.headline).toBe(title);
    expect(data.description).toBe('</SCRIPT>');
    expect(inline[0]!.rawText).not.toMatch(/<\/script|<!--/i);
    expect(html).not.toContain('<script>alert(1)');
    // the CSP stays as strict as before: a data block needs no 'unsafe-inline'
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
  });

  it('marks a draft, which only its author sees, noindex and announces nothing about it', async () => {
    const t = await setup();
    const alice = await insertUser(t.db, 'alice');
    const { slug } = await saveArticle(t.db, alice.id, { title: 'Draft', description: 'Secret', body: 'x', tagList: [] }, t.clock(), { publish: false });
    const author = reader(t);
    expect((await author.post('/login', { email: alice.email, password: PASSWORD })).status).toBe(303);
    const page = await head(t, `/article/${slug}`, author);
    expect(page.name('robots')).toBe('noindex');
    expect(page.canonical).toEqual([`${PUBLIC_URL}/article/${slug}`]);
    expect(page.property('og:type')).toEqual([]);
    expect(page.jsonLd).toEqual([]);
  });
});

describe('a profile page, for search engines and link previews', () => {
  it('has its canonical URL, bio as description, OpenGraph profile tags and its image', async () => {
    const t = await setup();
    await insertUser(t.db, 'Bob', { bio: 'Writes about birds', image: 'https://img.example/bob.png' });
    const page = await head(t, '/profile/bob');
    // the username as its owner spells it: one canonical URL whatever the case typed
    expect(page.canonical).toEqual([`${PUBLIC_URL}/profile/Bob`]);
    expect(page.description).toBe('Writes about birds');
    expect(page.property('og:type')).toEqual(['profile']);
    expect(page.property('og:title')).toEqual(['Bob']);
    expect(page.property('og:url')).toEqual([`${PUBLIC_URL}/profile/Bob`]);
    expect(page.property('og:site_name')).toEqual(['Field Notes']);
    expect(page.property('profile:username')).toEqual(['Bob']);
    expect(page.property('og:image')).toEqual(['https://img.example/bob.png']);
    expect(page.name('twitter:card')).toBe('summary');
  });

  it('describes someone without a bio in a sentence, with no og:image', async () => {
    const t = await setup();
    await insertUser(t.db, 'carol');
    const page = await head(t, '/profile/carol/favorites');
    expect(page.canonical).toEqual([`${PUBLIC_URL}/profile/carol/favorites`]);
    expect(page.description).toBe('Articles by carol on Field Notes.');
    expect(page.property('og:image')).toEqual([]);
  });
});

describe('every page', () => {
  it('has one canonical URL from PUBLIC_URL, keeping only the query that matters', async () => {
    const t = await setup({ PUBLIC_URL: 'https://example.org/notes' });
    const bob = await insertUser(t.db, 'bob');
    for (let i = 0; i < 11; i++) await insertArticle(t.db, bob.id, { title: `A${i}`, tagList: ['birds'] });
    const cases: Array<[string, string]> = [
      ['/', '/'],
      ['/?page=1', '/'],
      ['/?page=2&utm_source=x', '/?page=2'],
      ['/tag/birds?page=2', '/tag/birds?page=2'],
      ['/about?ref=footer', '/about'],
      ['/login', '/login'],
    ];
    for (const [path, canonical] of cases) {
      const page = await head(t, path, new Browser(t.app, { origin: 'https://example.org' }));
      expect(page.canonical, path).toEqual([`https://example.org/notes${canonical}`]);
    }
  });

  it('takes its description from SITE_DESCRIPTION, which the home banner and /about show', async () => {
    const t = await setup();
    const home = await head(t, '/');
    expect(home.description).toBe('Notes from the field.');
    expect(home.property('og:type')).toEqual(['website']);
    expect(home.root.querySelector('.banner p')!.text).toBe('Notes from the field.');
    const about = await head(t, '/about');
    // /about is a page seeded with the site's description as its first paragraph
    expect(about.description).toBe('Notes from the field.');
    expect(about.root.querySelector('main')!.text).toContain('Notes from the field.');
  });

  it('keeps the old banner sentence as the default SITE_DESCRIPTION, and refuses one too long', async () => {
    expect(loadEnv({}).SITE_DESCRIPTION).toBe('A place to share your knowledge.');
    expect(loadEnv({ SITE_DESCRIPTION: '' }).SITE_DESCRIPTION).toBe('A place to share your knowledge.');
    expect(() => loadEnv({ SITE_DESCRIPTION: 'x'.repeat(301) })).toThrow(EnvError);
    const t = await createTestApp();
    const banner = dom(await new Browser(t.app).html('/')).querySelector('.banner p')!;
    expect(banner.text).toBe('A place to share your knowledge.');
  });
});

describe('the sitemap', () => {
  it('lists published articles with their lastmod, their authors and tags in use, never a draft', async () => {
    const t = await setup();
    const bob = await insertUser(t.db, 'bob');
    const dora = await insertUser(t.db, 'dora'); // only drafts
    await insertUser(t.db, 'erin'); // nothing at all
    const { slug } = await insertArticle(t.db, bob.id, { title: 'Herons', tagList: ['birds', 'a&b'] });
    const draft = await saveArticle(t.db, dora.id, { title: 'Secret', description: 'd', body: 'b', tagList: ['hidden'] }, t.clock(), {
      publish: false,
    });
    const article = (await findArticleBySlug(t.db, slug, null))!;

    const res = await reader(t).get('/sitemap.xml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const xml = await res.text();
    const { urlset } = parseXml(xml);
    expect(urlset['@xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    const locs = urlset.url.map((url: any) => textOf(url.loc));
    expect(locs).toEqual([
      `${PUBLIC_URL}/`,
      `${PUBLIC_URL}/about`,
      `${PUBLIC_URL}/article/${slug}`,
      `${PUBLIC_URL}/profile/bob`,
      `${PUBLIC_URL}/tag/birds`,
      `${PUBLIC_URL}/tag/a%26b`,
    ]);
    const articleUrl = urlset.url.find((url: any) => textOf(url.loc).endsWith(slug));
    expect(textOf(articleUrl.lastmod)).toBe(article.updatedAt.toISOString());
    expect(xml).not.toContain(draft.slug);
    expect(xml).not.toContain('dora');
    expect(xml).not.toContain('hidden');
    // the numbered files exist only once the sitemap is split
    expect((await reader(t).get('/sitemap-1.xml')).status).toBe(404);
  });

  it('is named in a generated robots.txt', async () => {
    const t = await setup({ PUBLIC_URL: 'https://example.org/notes' });
    const res = await reader(t).get('/robots.txt');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await res.text();
    expect(text).toMatch(/^User-agent: \*$/m);
    expect(text).toMatch(/^Sitemap: https:\/\/example\.org\/notes\/sitemap\.xml$/m);
  });
});
