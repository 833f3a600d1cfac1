import { describe, expect, it } from 'vitest';
import { api, userWithToken } from '../api/test-helpers';
import { favoriteArticle, updateArticle, findArticleBySlug } from '../articles/queries';
import type { Db } from '../db/client';
import { Browser, countQueries, createTestApp, createTestDb, dom, insertArticle, insertUser, saveArticle, signedInBrowser } from '../test-support';
import { cleanQueryText, searchArticles, snippetToHtml, toMatchExpression } from './queries';

const search = (db: Db, query: string, options: { viewerId?: number | null; limit?: number; offset?: number } = {}) =>
  searchArticles(db, { query, viewerId: options.viewerId ?? null, limit: options.limit ?? 10, offset: options.offset ?? 0 });
const titles = (found: { results: Array<{ title: string }> }) => found.results.map((r) => r.title);

async function searchPage(client: Browser, q: string, extra = '') {
  const res = await client.get(`/search?q=${encodeURIComponent(q)}${extra}`);
  return { status: res.status, page: dom(await res.text()) };
}
const resultTitles = (page: ReturnType<typeof dom>) => page.querySelectorAll('.search-result h2 a').map((a) => a.text);

describe('toMatchExpression: what a reader types becomes a safe FTS5 query', () => {
  it('quotes every word, ANDs them and makes the last one a prefix', async () => {
    expect(toMatchExpression('TypeScript tips')).toBe('"TypeScript" "tips"*');
    expect(toMatchExpression('  typesc ')).toBe('"typesc"*');
    expect(toMatchExpression('Café crème')).toBe('"Café" "crème"*');
  });

  it('drops quotes, operators, stars, carets, colons, parentheses and minus signs', async () => {
    expect(toMatchExpression('"foo bar" AND baz OR NOT NEAR(qux, 2) -quux* ^title:xy')).toBe(
      '"foo" "bar" "baz" "qux" "2" "quux" "title" "xy"*',
    );
    // operators only count in capitals, as FTS5 reads them: "and" is a word
    expect(toMatchExpression('rock and roll')).toBe('"rock" "and" "roll"*');
  });

  it('finds no query in text without letters or digits', async () => {
    for (const junk of ['', '   ', '"', '""', '*', '^:()-+', 'AND OR NOT NEAR', '😀 🎉', '\u0002\u0003', '<>&']) {
      expect(toMatchExpression(junk), JSON.stringify(junk)).toBeNull();
    }
  });

  it('keeps at most 12 words of at most 100 characters, each once, and no one-letter prefix', async () => {
    const words = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ');
    expect(toMatchExpression(words)!.split(' ')).toHaveLength(12);
    expect(toMatchExpression('x'.repeat(5000))).toBe(`"${'x'.repeat(100)}"*`);
    expect(toMatchExpression('Go go GO')).toBe('"Go"*');
    expect(toMatchExpression('objective c')).toBe('"objective" "c"');
  });
});

describe('cleanQueryText: what the page searches for and shows back', () => {
  it('cuts at 1000 characters without splitting one, turns control characters into spaces and trims', async () => {
    expect(cleanQueryText('  a\u0000b\nc ')).toBe('a b c');
    const emoji = cleanQueryText('😀'.repeat(1500));
    expect(Array.from(emoji)).toHaveLength(1000);
    expect(emoji).toBe('😀'.repeat(1000));
  });
});

describe('snippetToHtml: escaped text with <mark> only where FTS5 marked a match', () => {
  it('escapes the text, then turns the markers into <mark>', async () => {
    expect(snippetToHtml('use \u0002<script>\u0003 & "quotes" <b>')).toBe(
      'use <mark>&lt;script&gt;</mark> &amp; &quot;quotes&quot; &lt;b&gt;',
    );
  });

  it('never unbalances the tags, whatever markers the article itself holds', async () => {
    expect(snippetToHtml('a\u0002b\u0002c')).toBe('a<mark>bc</mark>');
    expect(snippetToHtml('\u0003a\u0002b\u0003\u0003c')).toBe('a<mark>b</mark>c');
    expect(snippetToHtml('x\u0002\u0003y')).toBe('xy');
    expect(snippetToHtml('bell\u0007 and nul\u0000')).toBe('bell and nul');
  });
});

describe('searchArticles', () => {
  it('ranks a title match above a body match, then newest first', async () => {
    const db = await createTestDb();
    const bob = await insertUser(db, 'bob');
    await insertArticle(db, bob.id, { title: 'Gardening notes', body: 'Tomatoes like the sun.' });
    await insertArticle(db, bob.id, { title: 'Tomatoes', body: 'A short one.' });
    await insertArticle(db, bob.id, { title: 'Salads', description: 'Tomatoes, mostly', body: 'Cut them.' });
    await insertArticle(db, bob.id, { title: 'Sauces', tagList: ['tomatoes'] });
    // the body match is the oldest and the title match not the newest: rank comes before date
    expect(titles(await search(db, 'tomatoes'))).toEqual(['Tomatoes', 'Salads', 'Sauces', 'Gardening notes']);
  });

  it('breaks ties newest first', async () => {
    const db = await createTestDb();
    const bob = await insertUser(db, 'bob');
    for (const title of ['Twin one', 'Twin two', 'Twin three']) {
      await insertArticle(db, bob.id, { title: 'Twin', description: 'same', body: `identical text ${title.length}` });
    }
    expect((await search(db, 'identical')).results.map((r) => r.slug)).toEqual(['twin-3', 'twin-2', 'twin']);
  });

  it('folds accents and case, and takes the last word as a prefix', async () => {
    const db = await createTestDb();
    const bob = await insertUser(db, 'bob');
    await insertArticle(db, bob.id, { title: 'Le Café de Flore', body: 'Crème brûlée.' });
    await insertArticle(db, bob.id, { title: 'Learning TypeScript', body: 'Types help.' });
    expect(titles(await search(db, 'cafe'))).toEqual(['Le Café de Flore']);
    expect(titles(await search(db, 'CAFÉ creme brulee'))).toEqual(['Le Café de Flore']);
    expect(titles(await search(db, 'typesc'))).toEqual(['Learning TypeScript']);
    // only the last word is a prefix; every word must match
    expect(titles(await search(db, 'typesc learning'))).toEqual([]);
    expect(titles(await search(db, 'typescript cafe'))).toEqual([]);
  });

  it('searches tags and the text of the Markdown, not its syntax', async () => {
    const db = await createTestDb();
    const bob = await insertUser(db, 'bob');
    await insertArticle(db, bob.id, { title: 'One', body: 'See [the manual](https://example.com/zebrafish).', tagList: ['kubernetes'] });
    expect(titles(await search(db, 'kubernetes'))).toEqual(['One']);
    expect(titles(await search(db, 'manual'))).toEqual(['One']);
    expect(titles(await search(db, 'zebrafish'))).toEqual([]);
  });

  it('never finds drafts, until they are published', async () => {
    const db = await createTestDb();
    const bob = await insertUser(db, 'bob');
    const draft = await saveArticle(db, bob.id, { title: 'Secret plans', description: 'd', body: 'Hidden words.', tagList: [] }, Date.now(), {
      publish: false,
    });
    expect(await search(db, 'secret', { viewerId: bob.id })).toEqual({ results: [], total: 0 });
    await updateArticle(db, (await findArticleBySlug(db, draft.slug, bob.id))!, {}, null, Date.now(), { publish: true });
    expect(titles(await search(db, 'secret'))).toEqual(['Secret plans']);
  });

  it('gives the summary shape with the viewer’s flags and a marked, escaped snippet', async () => {
    const db = await createTestDb();
    const bob = await insertUser(db, 'bob');
    const alice = await insertUser(db, 'alice');
    const { id } = await insertArticle(db, bob.id, {
      title: 'Injection',
      description: 'About <b>tags</b>',
      body: 'Never trust <script>alert("pwned")</script> in a comment about pelicans.',
      tagList: ['security', 'web'],
    });
    await favoriteArticle(db, alice.id, id, Date.now());
    const [result] = (await search(db, 'pelicans', { viewerId: alice.id })).results;
    expect(result).toMatchObject({ title: 'Injection', tagList: ['security', 'web'], favorited: true, favoritesCount: 1 });
    expect(result!.author).toMatchObject({ username: 'bob', following: false });
    expect(result!.snippet).toContain('<mark>pelicans</mark>');
    expect(result!.snippet).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(result!.snippet).not.toContain('<script>');
    // no match in the body: the description, marked and escaped
    expect((await search(db, 'tags')).results[0]!.snippet).toBe('About &lt;b&gt;<mark>tags</mark>&lt;/b&gt;');
    // a title-only match shows the description as it is
    expect((await search(db, 'injection')).results[0]!.snippet).toBe('About &lt;b&gt;tags&lt;/b&gt;');
  });

  it('counts the total up to its cap, with or without a full page', async () => {
    const db = await createTestDb();
    const bob = await insertUser(db, 'bob');
    for (let i = 0; i < 25; i++) await insertArticle(db, bob.id, { title: `Walrus ${i}` });
    expect((await search(db, 'walrus', { limit: 10 })).total).toBe(25);
    expect(await search(db, 'walrus', { limit: 10, offset: 20 })).toMatchObject({ total: 25 });
    expect(await search(db, 'walrus', { limit: 10, offset: 30 })).toEqual({ results: [], total: 25 });
    expect((await search(db, 'walrus', { limit: 100 })).total).toBe(25);
  });
});


describe('GET /search', () => {
  it('shows matches best first with title link, author, date and marked snippet, and keeps the words', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    await insertArticle(t.db, bob.id, { title: 'Body only', body: 'We wrote it in TypeScript at last.' });
    await insertArticle(t.db, bob.id, { title: 'TypeScript in anger', body: 'Strict mode everywhere.' });
    const { status, page } = await searchPage(new Browser(t.app), 'typesc');
    expect(status).toBe(200);
    expect(page.querySelector('title')?.text).toBe('Search: typesc — Quire');
    expect(page.querySelectorAll('h1').map((h) => h.text)).toEqual(['Search']);
    const input = page.querySelector('main form[role=search] input[name=q]');
    expect(input?.getAttribute('value')).toBe('typesc');
    expect(page.querySelector(`label[for="${input?.getAttribute('id')}"]`)).not.toBeNull();
    expect(resultTitles(page)).toEqual(['TypeScript in anger', 'Body only']);
    const second = page.querySelectorAll('.search-result')[1]!;
    expect(second.querySelector('h2 a')?.getAttribute('href')).toBe('/article/body-only');
    expect(second.querySelector('a.author')?.getAttribute('href')).toBe('/profile/bob');
    expect(second.querySelector('time')?.getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(second.querySelector('.search-snippet mark')?.text).toBe('TypeScript');
    expect(page.querySelector('.search-summary')?.text).toContain('2 articles match');
  });

  it('prompts when there are no words, and says so when nothing matches', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    await insertArticle(t.db, bob.id, { title: 'Something' });
    const client = new Browser(t.app);
    for (const q of ['', '   ']) {
      const { status, page } = await searchPage(client, q);
      expect(status).toBe(200);
      expect(page.querySelector('title')?.text).toBe('Search — Quire');
      expect(page.querySelector('.search-prompt')).not.toBeNull();
      expect(page.querySelectorAll('.search-result')).toHaveLength(0);
    }
    expect((await client.get('/search')).status).toBe(200);
    const { page } = await searchPage(client, 'nothingmatchesthis');
    expect(page.querySelector('.empty-feed-message')?.text).toContain('No articles match “nothingmatchesthis”');
    expect(page.querySelectorAll('.article-preview, .search-result, .pagination')).toHaveLength(0);
  });

  it('never fails on operators, quotes, junk, emoji or very long text', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    await insertArticle(t.db, bob.id, { title: 'TypeScript tips', body: 'Use strict mode.' });
    const client = new Browser(t.app);
    const cases: Array<[string, string[]]> = [
      ['"typescript" AND (tips)', ['TypeScript tips']],
      ['typescript OR nothing', []],
      ['NOT strict', ['TypeScript tips']],
      ['NEAR(typescript tips', ['TypeScript tips']],
      ['tips*', ['TypeScript tips']],
      ['^typescript -tips', ['TypeScript tips']],
      ['title:typescript', []],
      ['"', []],
      ['*', []],
      ["'; drop table articles; --", []],
      ['😀 typescript 🎉', ['TypeScript tips']],
      ['\u0002\u0003', []],
      ['tips '.repeat(400), ['TypeScript tips']],
      ['x'.repeat(5000), []],
      ['<script>alert(1)</script>', []],
      ['tips\u0000\u0007', ['TypeScript tips']],
    ];
    for (const [q, expected] of cases) {
      const { status, page } = await searchPage(client, q);
      expect(status, q.slice(0, 40)).toBe(200);
      expect(resultTitles(page), q.slice(0, 40)).toEqual(expected);
    }
    for (const raw of ['%ZZ', '%E0%A4%A', 'a&q=b', '%00tips']) expect((await client.get(`/search?q=${raw}`)).status, raw).toBe(200);
    const nul = dom(await (await client.get('/search?q=%00tips')).text());
    expect(nul.querySelector('main input[name=q]')?.getAttribute('value')).toBe('tips');
    const reflected = await (await client.get(`/search?q=${encodeURIComponent('<script>alert(1)</script>')}`)).text();
    expect(reflected).not.toContain('<script>alert');
    expect(await findArticleBySlug(t.db, 'typescript-tips', null)).not.toBeNull();
  });

  it('escapes what authors wrote in titles and snippets', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    await insertArticle(t.db, bob.id, {
      title: '<img src=x onerror=alert(1)> heron',
      body: 'The heron says <script>alert(1)</script> and \u0002 leaves.',
    });
    const html = await (await new Browser(t.app).get('/search?q=heron')).text();
    expect(html).not.toContain('<script>alert');
    expect(html).not.toMatch(/<img[^>]*onerror/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // a marker character in the text may mark the wrong words, but never unbalances the markup
    const snippet = dom(html).querySelector('.search-snippet')!;
    expect(snippet.querySelectorAll('mark')[0]?.text).toBe('heron');
    expect(snippet.innerHTML).toMatch(/^[^<]*(<mark>[^<]*<\/mark>[^<]*)+$/);
    expect(snippet.innerHTML).not.toMatch(/[\u0000-\u0008]/);
  });

  it('pages 10 at a time with the lists’ pagination markup; bad pages are 400, pages past the end 404', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    for (let i = 1; i <= 11; i++) await insertArticle(t.db, bob.id, { title: `Otter ${i}`, body: 'Otters hold hands.' });
    await insertArticle(t.db, bob.id, { title: 'Unrelated' });
    const client = new Browser(t.app);
    const first = await searchPage(client, 'otter hands');
    expect(first.page.querySelectorAll('.search-result')).toHaveLength(10);
    const links = first.page.querySelectorAll('ul.pagination > li.page-item > a.page-link');
    expect(links.map((a) => a.text.trim())).toEqual(['1', '2']);
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['/search?q=otter%20hands&page=1', '/search?q=otter%20hands&page=2']);
    expect(first.page.querySelector('li.page-item.active')?.text.trim()).toBe('1');

    const second = await searchPage(client, 'otter hands', '&page=2');
    expect(second.status).toBe(200);
    expect(second.page.querySelectorAll('.search-result')).toHaveLength(1);
    expect(second.page.querySelector('ol.search-results')?.getAttribute('start')).toBe('11');
    expect(second.page.querySelector('li.page-item.active')?.text.trim()).toBe('2');

    expect((await client.get('/search?q=otter&page=3')).status).toBe(404);
    expect((await client.get('/search?q=nomatch&page=2')).status).toBe(404);
    expect((await client.get('/search?page=2')).status).toBe(404);
    for (const bad of ['abc', '0', '-1', '1.5']) expect((await client.get(`/search?q=otter&page=${bad}`)).status, bad).toBe(400);
  });

  it('keeps the index in step with edits and deletes made through the editor', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    const reader = new Browser(t.app);
    await browser.post('/editor', { title: 'Birdwatching', description: 'Notes', body: 'I saw a kingfisher.', op: 'publish' });
    expect(resultTitles((await searchPage(reader, 'kingfisher')).page)).toEqual(['Birdwatching']);

    await browser.post('/editor/birdwatching', { title: 'Birdwatching', description: 'Notes', body: 'I saw a cormorant.', op: 'publish' });
    expect(resultTitles((await searchPage(reader, 'kingfisher')).page)).toEqual([]);
    expect(resultTitles((await searchPage(reader, 'cormorant')).page)).toEqual(['Birdwatching']);

    await browser.post('/article/birdwatching/delete');
    expect(resultTitles((await searchPage(reader, 'cormorant')).page)).toEqual([]);
    expect(resultTitles((await searchPage(reader, 'birdwatching')).page)).toEqual([]);
  });

  it('shows no drafts, not even to their author', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    await browser.post('/editor', { title: 'Half written', description: 'd', body: 'Marmalade recipe.', op: 'draft' });
    expect(resultTitles((await searchPage(browser, 'marmalade')).page)).toEqual([]);
    expect(resultTitles((await searchPage(new Browser(t.app), 'marmalade')).page)).toEqual([]);
  });

  it('costs the same number of queries for 1 result as for 10 (no N+1)', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    const client = new Browser(t.app);
    await insertArticle(t.db, bob.id, { title: 'Lemur', tagList: ['a', 'b'] });
    // a page that is not full needs no count; a full one does
    const one = await countQueries(t, () => client.get('/search?q=lemur'));
    for (let i = 0; i < 9; i++) await insertArticle(t.db, bob.id, { title: `Lemur ${i}`, tagList: ['a', `c${i}`] });
    const ten = await countQueries(t, () => client.get('/search?q=lemur&v=1'));
    // the page, its snippets, the tags of its articles; and the site's settings and links (two
    // reads, kept per content version: read again here because an article was just written)
    expect(one).toBe(5);
    expect(ten).toBe(6); // and the total
  });
});

describe('the header search field', () => {
  it('is on every page: a GET form to /search with a labelled search input and no submit button', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    const { slug } = await insertArticle(t.db, bob.id, { title: 'Shown', tagList: ['t'] });
    const { browser } = await signedInBrowser(t, 'alice');
    const anonymous = new Browser(t.app);
    const pages: Array<[Browser, string, string[]]> = [
      [anonymous, '/', ['/', '/login', '/register']],
      [anonymous, '/login', ['/', '/login', '/register']],
      [anonymous, '/register', ['/', '/login', '/register']],
      [anonymous, `/article/${slug}`, ['/', '/login', '/register']],
      [anonymous, '/profile/bob', ['/', '/login', '/register']],
      [anonymous, '/tag/t', ['/', '/login', '/register']],
      [anonymous, '/search?q=shown', ['/', '/login', '/register']],
      [anonymous, '/about', ['/', '/login', '/register']],
      [anonymous, '/no-such-page', ['/', '/login', '/register']],
      [browser, '/', ['/', '/editor', '/notifications', '/settings', '/profile/alice']],
      [browser, '/editor', ['/', '/editor', '/notifications', '/settings', '/profile/alice']],
      [browser, '/settings', ['/', '/editor', '/notifications', '/settings', '/profile/alice']],
    ];
    for (const [client, path, navHrefs] of pages) {
      const page = dom(await client.html(path));
      const forms = page.querySelectorAll('header form.search-form[role=search]');
      expect(forms, path).toHaveLength(1);
      const form = forms[0]!;
      expect(form.getAttribute('method'), path).toBe('get');
      expect(form.getAttribute('action'), path).toBe('/search');
      const inputs = form.querySelectorAll('input');
      expect(inputs.map((i) => [i.getAttribute('type'), i.getAttribute('name')]), path).toEqual([['search', 'q']]);
      const label = page.querySelector(`label[for="${inputs[0]!.getAttribute('id')}"]`);
      expect(label?.text.trim(), path).toBe('Search');
      expect(form.querySelectorAll('button, input[type=submit], input[type=image]'), path).toHaveLength(0);
      // the navbar is unchanged: one, with its brand and each link once
      expect(page.querySelectorAll('nav.navbar'), path).toHaveLength(1);
      expect(page.querySelectorAll('nav.navbar a.navbar-brand[href="/"]'), path).toHaveLength(1);
      expect(page.querySelectorAll('nav.navbar a.nav-link').map((a) => a.getAttribute('href')), path).toEqual(navHrefs);
    }
  });
});

describe('GET /api/articles?q= (Quire extension)', () => {
  it('returns the list shape, best matches first, with limit and offset', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    await insertArticle(t.db, bob.id, { title: 'Body mention', body: 'Something about sqlite here.' });
    await insertArticle(t.db, bob.id, { title: 'SQLite in production', body: 'WAL.' });
    await insertArticle(t.db, bob.id, { title: 'Unrelated' });
    await saveArticle(t.db, bob.id, { title: 'SQLite draft', description: 'd', body: 'sqlite', tagList: [] }, Date.now(), { publish: false });
    const res = await api(t).get('/articles?q=sqlit');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['articles', 'articlesCount']);
    expect(res.body.articles.map((a: { title: string }) => a.title)).toEqual(['SQLite in production', 'Body mention']);
    expect(res.body.articlesCount).toBe(2);
    for (const item of res.body.articles) expect(Object.keys(item).sort()).toEqual(
      ['author', 'createdAt', 'description', 'favorited', 'favoritesCount', 'slug', 'tagList', 'title', 'updatedAt'],
    );
    const paged = await api(t).get('/articles?q=sqlite&limit=1&offset=1');
    expect(paged.body.articles.map((a: { title: string }) => a.title)).toEqual(['Body mention']);
    expect(paged.body.articlesCount).toBe(2);
  });

  it('combines with tag, author, favorited and the feed', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    const { user: carol, token } = await userWithToken(t, 'carol');
    const tagged = await insertArticle(t.db, bob.id, { title: 'Rust tagged', tagList: ['systems'] });
    await insertArticle(t.db, bob.id, { title: 'Rust untagged' });
    await insertArticle(t.db, carol.id, { title: 'Rust by carol' });
    await favoriteArticle(t.db, carol.id, tagged.id, Date.now());
    const titlesFor = async (path: string, auth?: string) =>
      (await api(t).get(path, auth)).body.articles.map((a: { title: string }) => a.title);
    expect(await titlesFor('/articles?q=rust&tag=systems')).toEqual(['Rust tagged']);
    expect(await titlesFor('/articles?q=rust&author=carol')).toEqual(['Rust by carol']);
    expect(await titlesFor('/articles?q=rust&favorited=carol')).toEqual(['Rust tagged']);
    expect(await titlesFor('/articles/feed?q=rust', token)).toEqual([]);
    await api(t).post('/profiles/bob/follow', undefined, token);
    expect((await titlesFor('/articles/feed?q=untagged', token))).toEqual(['Rust untagged']);
    const mine = await api(t).get('/articles?q=tagged', token);
    expect(mine.body.articles[0]).toMatchObject({ title: 'Rust tagged', favorited: true, favoritesCount: 1 });
  });

  it('finds nothing for a q without words, and refuses one over 1000 characters with 422', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    await insertArticle(t.db, bob.id, { title: 'Anything' });
    for (const q of ['', '"*"', 'AND OR', '😀']) {
      const res = await api(t).get(`/articles?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      expect(res.body, q).toEqual({ articles: [], articlesCount: 0 });
    }
    const long = await api(t).get(`/articles?q=${'a'.repeat(1001)}`);
    expect(long.status).toBe(422);
    expect(long.body).toEqual({ errors: { q: ['must be at most 1000 characters'] } });
    expect((await api(t).get(`/articles?q=${'a'.repeat(1000)}`)).status).toBe(200);
  });
});
