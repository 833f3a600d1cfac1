import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { findArticleBySlug } from '../articles/queries';
import { Browser, createTestApp, dom, insertArticle, insertUser, saveArticle, PASSWORD, type TestApp } from '../test-support';
import { parseXml, RFC3339, textOf } from '../test-support/xml';
import { FEED_SIZE } from './queries';

const PUBLIC_URL = 'https://blog.example';
const DAY = 86_400_000;

async function setup(env: Record<string, string> = {}) {
  const t = await createTestApp({ env: { PUBLIC_URL, SITE_TITLE: 'Field Notes', ...env } });
  // articles are dated from 2026-01-01 on; the server's clock is later, as in life
  t.clock.advance(DAY);
  return t;
}

const reader = (t: TestApp) => new Browser(t.app, { origin: PUBLIC_URL });

async function atom(t: TestApp, path: string) {
  const res = await reader(t).get(path);
  expect(res.status, path).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
  const xml = await res.text();
  return { res, xml, feed: parseXml(xml).feed };
}

async function jsonFeed(t: TestApp, path: string) {
  const res = await reader(t).get(path);
  expect(res.status, path).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
  return { res, feed: (await res.json()) as Record<string, any> };
}

/** An article saved with "Save draft": never published. */
async function insertDraft(t: TestApp, authorId: number, input: { title: string; tagList?: string[] }) {
  return await saveArticle(t.db, authorId, { description: 'Draft', body: 'Draft body', tagList: [], ...input }, t.clock(), { publish: false });
}

const entryTitles = (feed: any): string[] => (feed.entry ?? []).map((entry: any) => textOf(entry.title));

describe('the Atom feed', () => {
  it('describes each article field by field, with absolute links and RFC 3339 dates', async () => {
    const t = await setup();
    const bob = await insertUser(t.db, 'bob');
    await insertArticle(t.db, bob.id, { title: 'Older', tagList: ['birds'] });
    const { slug } = await insertArticle(t.db, bob.id, {
      title: 'Herons & <egrets>',
      description: 'Wading birds',
      body: 'A **bold** claim and [a link](https://example.com/?a=1&b=2).',
      tagList: ['birds', 'water'],
    });
    const article = (await findArticleBySlug(t.db, slug, null))!;

    const { res, xml, feed } = await atom(t, '/feed.atom');
    expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(textOf(feed.title)).toBe('Field Notes');
    expect(textOf(feed.id)).toBe(`${PUBLIC_URL}/feed.atom`);
    expect(feed.link.find((link: any) => link['@rel'] === 'self')['@href']).toBe(`${PUBLIC_URL}/feed.atom`);
    expect(feed.link.find((link: any) => link['@rel'] === 'alternate' && link['@type'] === 'text/html')['@href']).toBe(`${PUBLIC_URL}/`);
    // the feed changed when its newest article did
    expect(textOf(feed.updated)).toBe(article.updatedAt.toISOString());
    expect(entryTitles(feed)).toEqual(['Herons & <egrets>', 'Older']);

    const entry = feed.entry[0];
    expect(textOf(entry.id)).toBe(`tag:blog.example,${article.publishedAt!.toISOString().slice(0, 10)}:article:${article.id}`);
    expect(entry.link[0]['@href']).toBe(`${PUBLIC_URL}/article/${slug}`);
    expect(entry.link[0]['@rel']).toBe('alternate');
    expect(textOf(entry.published)).toMatch(RFC3339);
    expect(new Date(textOf(entry.published)).getTime()).toBe(article.publishedAt!.getTime());
    expect(new Date(textOf(entry.updated)).getTime()).toBe(article.updatedAt.getTime());
    expect(textOf(entry.author.name)).toBe('bob');
    expect(textOf(entry.author.uri)).toBe(`${PUBLIC_URL}/profile/bob`);
    expect(entry.category.map((category: any) => category['@term'])).toEqual(['birds', 'water']);
    expect(textOf(entry.summary)).toBe('Wading birds');
    // the rendered body, escaped as text: one unescaping gives back the exact HTML
    expect(entry.content['@type']).toBe('html');
    expect(textOf(entry.content)).toBe(article.bodyHtml);
    expect(textOf(entry.content)).toContain('<strong>bold</strong>');
    expect(xml).toContain('&lt;strong&gt;bold&lt;/strong&gt;');
    expect(xml).not.toContain('<strong>');
    expect(xml).toContain('<title>Herons &amp; &lt;egrets&gt;</title>');

    expect(res.headers.get('etag')).toMatch(/^W\/".+"$/);
    expect(res.headers.get('last-modified')).toBe(new Date(Math.floor(article.updatedAt.getTime() / 1000) * 1000).toUTCString());
    expect(res.headers.get('cache-control')).toBe('public, no-cache');
  });

  it('holds the newest 20 published articles and never a draft', async () => {
    const t = await setup();
    const bob = await insertUser(t.db, 'bob');
    for (let i = 1; i <= FEED_SIZE + 2; i++) await insertArticle(t.db, bob.id, { title: `Article ${i}` });
    await insertDraft(t, bob.id, { title: 'Secret draft', tagList: ['secret'] });

    const { xml, feed } = await atom(t, '/feed.atom');
    expect(FEED_SIZE).toBe(20);
    expect(entryTitles(feed)).toEqual(Array.from({ length: 20 }, (_, i) => `Article ${22 - i}`));
    expect(xml).not.toContain('Secret draft');
    const { feed: json } = await jsonFeed(t, '/feed.json');
    expect(json.items).toHaveLength(20);
    expect(JSON.stringify(json)).not.toContain('Secret draft');
  });

  it('keeps an article’s id when its title, and so its slug, changes', async () => {
    const t = await setup();
    const alice = await insertUser(t.db, 'alice');
    const { slug } = await insertArticle(t.db, alice.id, { title: 'First title' });
    const before = (await atom(t, '/feed.atom')).feed.entry[0];
    const jsonBefore = (await jsonFeed(t, '/feed.json')).feed.items[0];

    t.clock.advance(60_000);
    const author = reader(t);
    expect((await author.post('/login', { email: alice.email, password: PASSWORD })).status).toBe(303);
    const saved = await author.post(`/editor/${slug}`, { title: 'Second title', description: 'About things', body: 'New body.' });
    expect(saved.headers.get('location')).toBe('/article/second-title');

    const after = (await atom(t, '/feed.atom')).feed.entry[0];
    expect(textOf(after.id)).toBe(textOf(before.id));
    expect(textOf(after.title)).toBe('Second title');
    expect(after.link[0]['@href']).toBe(`${PUBLIC_URL}/article/second-title`);
    expect(textOf(after.published)).toBe(textOf(before.published));
    expect(new Date(textOf(after.updated)).getTime()).toBe(t.clock());
    const jsonAfter = (await jsonFeed(t, '/feed.json')).feed.items[0];
    expect(jsonAfter.id).toBe(jsonBefore.id);
    expect(jsonAfter.url).toBe(`${PUBLIC_URL}/article/second-title`);
  });

  it('stays well-formed whatever the text holds', async () => {
    const t = await setup();
    const bob = await insertUser(t.db, 'bob');
    // a control character is not allowed anywhere in XML 1.0: it is dropped, not sent
    await insertArticle(t.db, bob.id, { title: 'Bell\u0007 & "quotes" ]]> </entry>', description: '<b>not bold</b>', tagList: ['c&d'] });
    const { feed } = await atom(t, '/feed.atom');
    expect(textOf(feed.entry[0].title)).toBe('Bell & "quotes" ]]> </entry>');
    expect(textOf(feed.entry[0].summary)).toBe('<b>not bold</b>');
    expect(feed.entry[0].category[0]['@term']).toBe('c&d');
  });

  it('is compressed for readers that accept it', async () => {
    const t = await setup();
    const bob = await insertUser(t.db, 'bob');
    for (let i = 0; i < 5; i++) await insertArticle(t.db, bob.id, { title: `Long ${i}`, body: 'words '.repeat(200) });
    const res = await reader(t).request('/feed.atom', { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('vary')).toContain('Accept-Encoding');
    const xml = gunzipSync(Buffer.from(await res.arrayBuffer())).toString('utf8');
    expect(entryTitles(parseXml(xml).feed)).toHaveLength(5);
  });
});

describe('author and tag feeds', () => {
  it('hold only that author’s or that tag’s published articles', async () => {
    const t = await setup();
    const bob = await insertUser(t.db, 'bob');
    const carol = await insertUser(t.db, 'carol');
    await insertArticle(t.db, bob.id, { title: 'Bob on birds', tagList: ['birds'] });
    await insertArticle(t.db, carol.id, { title: 'Carol on birds', tagList: ['birds', 'trees'] });
    await insertArticle(t.db, carol.id, { title: 'Carol on trees', tagList: ['trees'] });
    await insertDraft(t, carol.id, { title: 'Carol draft', tagList: ['birds'] });

    const bobs = (await atom(t, '/profile/bob/feed.atom')).feed;
    expect(entryTitles(bobs)).toEqual(['Bob on birds']);
    expect(textOf(bobs.title)).toBe('bob — Field Notes');
    expect(textOf(bobs.author.name)).toBe('bob');
    expect(bobs.link.find((link: any) => link['@rel'] === 'self')['@href']).toBe(`${PUBLIC_URL}/profile/bob/feed.atom`);
    expect(bobs.link.find((link: any) => link['@type'] === 'text/html')['@href']).toBe(`${PUBLIC_URL}/profile/bob`);

    // usernames match whatever their case; the feed names the author as they spell it
    expect(entryTitles((await atom(t, '/profile/CAROL/feed.atom')).feed)).toEqual(['Carol on trees', 'Carol on birds']);
    const birds = (await atom(t, '/tag/birds/feed.atom')).feed;
    expect(entryTitles(birds)).toEqual(['Carol on birds', 'Bob on birds']);
    expect(birds.link.find((link: any) => link['@type'] === 'text/html')['@href']).toBe(`${PUBLIC_URL}/tag/birds`);

    const carolJson = (await jsonFeed(t, '/profile/carol/feed.json')).feed;
    expect(carolJson.items.map((item: any) => item.title)).toEqual(['Carol on trees', 'Carol on birds']);
    expect(carolJson.authors).toEqual([{ name: 'carol', url: `${PUBLIC_URL}/profile/carol` }]);
    expect(carolJson.feed_url).toBe(`${PUBLIC_URL}/profile/carol/feed.json`);
    const treesJson = (await jsonFeed(t, '/tag/trees/feed.json')).feed;
    expect(treesJson.items.map((item: any) => item.title)).toEqual(['Carol on trees', 'Carol on birds']);
    expect(treesJson.home_page_url).toBe(`${PUBLIC_URL}/tag/trees`);
  });

  it('answer 404 for an unknown author or tag, and for a tag only drafts use', async () => {
    const t = await setup();
    const bob = await insertUser(t.db, 'bob');
    await insertArticle(t.db, bob.id, { title: 'Published', tagList: ['seen'] });
    await insertDraft(t, bob.id, { title: 'Draft', tagList: ['unseen'] });
    for (const path of [
      '/profile/nobody/feed.atom',
      '/profile/nobody/feed.json',
      '/tag/nothing/feed.atom',
      '/tag/nothing/feed.json',
      '/tag/unseen/feed.atom',
      '/tag/unseen/feed.json',
    ]) {
      expect((await reader(t).get(path)).status, path).toBe(404);
    }
    expect((await reader(t).get('/tag/seen/feed.atom')).status).toBe(200);
  });

  it('exist, empty, for an author who has published nothing yet', async () => {
    const t = await setup();
    const dora = await insertUser(t.db, 'dora');
    await insertDraft(t, dora.id, { title: 'Not yet' });
    const { xml, feed } = await atom(t, '/profile/dora/feed.atom');
    expect(feed.entry).toBeUndefined();
    expect(textOf(feed.updated)).toMatch(RFC3339);
    expect(xml).not.toContain('Not yet');
    expect((await jsonFeed(t, '/profile/dora/feed.json')).feed.items).toEqual([]);
  });
});

describe('polling a feed', () => {
  it('answers 304 to If-None-Match and to If-Modified-Since until the feed changes', async () => {
    const t = await setup();
    const bob = await insertUser(t.db, 'bob');
    await insertArticle(t.db, bob.id, { title: 'One' });
    for (const path of ['/feed.atom', '/feed.json', '/profile/bob/feed.atom', '/profile/bob/feed.json']) {
      const first = await reader(t).get(path);
      const etag = first.headers.get('etag')!;
      const lastModified = first.headers.get('last-modified')!;
      expect(etag, path).toBeTruthy();
      expect(lastModified, path).toMatch(/GMT$/);

      const byEtag = await reader(t).request(path, { headers: { 'if-none-match': etag } });
      expect(byEtag.status, path).toBe(304);
      expect(await byEtag.text()).toBe('');
      expect(byEtag.headers.get('etag')).toBe(etag);

      const byDate = await reader(t).request(path, { headers: { 'if-modified-since': lastModified } });
      expect(byDate.status, path).toBe(304);
      const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
      expect((await reader(t).request(path, { headers: { 'if-modified-since': earlier } })).status, path).toBe(200);
      // If-None-Match wins over If-Modified-Since (RFC 9110)
      const stale = { 'if-none-match': 'W/"old"', 'if-modified-since': lastModified };
      expect((await reader(t).request(path, { headers: stale })).status, path).toBe(200);
    }

    const etag = (await reader(t).get('/feed.atom')).headers.get('etag')!;
    const lastModified = (await reader(t).get('/feed.atom')).headers.get('last-modified')!;
    t.clock.advance(60_000);
    await insertArticle(t.db, bob.id, { title: 'Two' });
    const byEtag = await reader(t).request('/feed.atom', { headers: { 'if-none-match': etag } });
    expect(byEtag.status).toBe(200);
    expect(entryTitles(parseXml(await byEtag.text()).feed)).toEqual(['Two', 'One']);
    expect((await reader(t).request('/feed.atom', { headers: { 'if-modified-since': lastModified } })).status).toBe(200);
  });

  it('ignores an If-Modified-Since in the future or that is not a date', async () => {
    const t = await setup();
    const bob = await insertUser(t.db, 'bob');
    await insertArticle(t.db, bob.id, { title: 'One' });
    const future = new Date(t.clock() + DAY).toUTCString();
    expect((await reader(t).request('/feed.atom', { headers: { 'if-modified-since': future } })).status).toBe(200);
    expect((await reader(t).request('/feed.atom', { headers: { 'if-modified-since': 'yesterday' } })).status).toBe(200);
  });
});

describe('the JSON Feed', () => {
  it('has every field JSON Feed 1.1 requires, and the same items as the Atom feed', async () => {
    const t = await setup({ SITE_DESCRIPTION: 'Notes from the field.' });
    const bob = await insertUser(t.db, 'bob', { image: 'https://img.example/bob.png' });
    const { slug } = await insertArticle(t.db, bob.id, { title: 'Herons', description: 'Wading birds', body: 'Tall *birds*.', tagList: ['birds'] });
    const article = (await findArticleBySlug(t.db, slug, null))!;

    const { feed } = await jsonFeed(t, '/feed.json');
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.title).toBe('Field Notes');
    expect(feed.description).toBe('Notes from the field.');
    expect(feed.home_page_url).toBe(`${PUBLIC_URL}/`);
    expect(feed.feed_url).toBe(`${PUBLIC_URL}/feed.json`);
    expect(feed.items).toHaveLength(1);
    const [item] = feed.items;
    expect(typeof item.id).toBe('string');
    expect(item.id).toBe(textOf((await atom(t, '/feed.atom')).feed.entry[0].id));
    expect(item.url).toBe(`${PUBLIC_URL}/article/${slug}`);
    expect(item.title).toBe('Herons');
    expect(item.summary).toBe('Wading birds');
    expect(item.content_html).toBe(article.bodyHtml);
    expect(item.content_html).toContain('<em>birds</em>');
    expect(item.date_published).toMatch(RFC3339);
    expect(item.date_modified).toMatch(RFC3339);
    expect(item.date_published).toBe(article.publishedAt!.toISOString());
    expect(item.authors).toEqual([{ name: 'bob', url: `${PUBLIC_URL}/profile/bob`, avatar: 'https://img.example/bob.png' }]);
    expect(item.tags).toEqual(['birds']);
  });
});

describe('feed autodiscovery', () => {
  const alternates = (html: string) =>
    dom(html)
      .querySelectorAll('head link[rel=alternate]')
      .map((link) => `${link.getAttribute('type')} ${link.getAttribute('href')}`);

  it('announces the site feed on home, the author’s on a profile and the tag’s on a tag page, first', async () => {
    const t = await setup();
    const bob = await insertUser(t.db, 'bob');
    await insertArticle(t.db, bob.id, { title: 'Birds', tagList: ['birds'] });
    const site = [`application/atom+xml ${PUBLIC_URL}/feed.atom`, `application/feed+json ${PUBLIC_URL}/feed.json`];

    expect(alternates(await reader(t).html('/'))).toEqual(site);
    expect(alternates(await reader(t).html('/profile/bob'))).toEqual([
      `application/atom+xml ${PUBLIC_URL}/profile/bob/feed.atom`,
      `application/feed+json ${PUBLIC_URL}/profile/bob/feed.json`,
      ...site,
    ]);
    expect(alternates(await reader(t).html('/tag/birds'))).toEqual([
      `application/atom+xml ${PUBLIC_URL}/tag/birds/feed.atom`,
      `application/feed+json ${PUBLIC_URL}/tag/birds/feed.json`,
      ...site,
    ]);
    // no tag feed is announced for a tag without articles: it would be a 404
    expect(alternates(await reader(t).html('/tag/nothing'))).toEqual(site);
    const title = dom(await reader(t).html('/tag/birds')).querySelector('head link[type="application/atom+xml"]')!;
    expect(title.getAttribute('title')).toBe('# birds — Field Notes');
  });
});
