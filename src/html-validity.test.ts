import { HtmlValidate } from 'html-validate';
import { describe, expect, it } from 'vitest';
import { Browser, createTestApp, insertArticle, insertUser, signedInBrowser } from './test-support';

const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    // hono/jsx writes void elements as <img/>; both are valid HTML5
    'void-style': 'off',
    'no-trailing-whitespace': 'off',
    // "Read more..." is the contract's text
    'no-redundant-for': 'off',
    'text-content': 'off',
    // hono/jsx renders boolean attributes as defer="" — valid HTML5, just another style
    'attribute-boolean-style': 'off',
    // the Conduit contract asks for div.sidebar and fieldsets without legends
    'prefer-native-element': 'off',
    'wcag/h71': 'off',
  },
});

/**
 * The one deviation we accept: pages.md asks for `span.mod-options > form > button` on comments,
 * and a form is flow content inside a phrasing element. Browsers parse it as intended.
 */
const CONTRACT_EXCEPTION = /^element-permitted-content: <form> element is not permitted as content under <span> \(#comment-\d+ /;
/**
 * And the header's search form: pages.md allows no submit button in the layout before a page's
 * main form, so it has a single field, which Enter submits (HTML's implicit submission).
 */
const SEARCH_FORM_EXCEPTION = /^wcag\/h32: <form> element must have a submit button \(html > body > header > nav > div > form\)$/;

async function report(html: string) {
  const result = await validator.validateString(html);
  return result.results
    .flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message} (${m.selector ?? ''})`))
    .filter((message) => !CONTRACT_EXCEPTION.test(message) && !SEARCH_FORM_EXCEPTION.test(message));
}

/** A blog with one article and one comment, and the pages a signed-out reader and a signed-in author see. */
async function everydayPages(): Promise<Array<[Browser, string]>> {
  const t = createTestApp();
  const bob = await insertUser(t.db, 'bob', { bio: 'Writes about birds' });
  const { slug } = await insertArticle(t.db, bob.id, { title: 'Birds', body: '# Birds\n\n[a](https://example.com) ![b](https://example.com/b.png)', tagList: ['nature'] });
  // enough more for the pagination to skip pages ("1 2 3 4 … 12")
  for (let i = 0; i < 110; i++) await insertArticle(t.db, bob.id, { title: `Note ${i}`, tagList: ['notes'] });
  const { browser } = await signedInBrowser(t, 'alice');
  await browser.post(`/article/${slug}/comments`, { body: 'Nice' });
  const anonymous = new Browser(t.app);
  return [
    [anonymous, '/'],
    [anonymous, '/login'],
    [anonymous, '/register'],
    [anonymous, `/article/${slug}`],
    [anonymous, '/profile/bob'],
    [anonymous, '/tag/nature'],
    [anonymous, '/tag/nothing'],
    [anonymous, '/about'],
    [anonymous, '/search'],
    [anonymous, '/search?q=birds'],
    [anonymous, '/search?q=nothing+here'],
    [anonymous, '/nope'],
    [browser, '/'],
    [browser, '/?feed=following'],
    [browser, '/editor'],
    [browser, `/article/${slug}`],
    [browser, '/settings'],
    [browser, '/profile/alice/favorites'],
  ];
}

describe('every page is valid HTML5', () => {
  it('validates the pages a signed-out reader and a signed-in author see', async () => {
    for (const [client, path] of await everydayPages()) {
      const html = await (await client.get(path)).text();
      expect(await report(html), path).toEqual([]);
    }
  });

  it('validates failed forms with their error messages', async () => {
    const t = createTestApp();
    const anonymous = new Browser(t.app);
    const failed = await anonymous.post('/register', { username: 'a b', email: 'x', password: 'y' });
    expect(failed.status).toBe(422);
    expect(await report(await failed.text())).toEqual([]);
    const { browser } = await signedInBrowser(t, 'alice');
    const editor = await browser.post('/editor', { title: '', tagList: ['a'], op: 'publish' });
    expect(await report(await editor.text())).toEqual([]);
  });
});

describe('the templates keep pages of Latin-1 content in Latin-1', () => {
  // one character beyond Latin-1 makes V8 hold the whole page two bytes a character, and encoding
  // it for the response several times slower (views/components/typography.tsx)
  it('writes their own ellipses, dashes and quotes as character references', async () => {
    const pages = await everydayPages();
    for (const [client, path] of pages) {
      const html = await (await client.get(path)).text();
      expect(html.match(/[^\u0000-\u00ff]/g) ?? [], path).toEqual([]);
    }
    const [anonymous] = pages[0]!;
    const home = await (await anonymous.get('/')).text();
    expect(home).toContain('<span class="page-link">&hellip;</span>');
    expect(home).toContain('placeholder="Words&hellip;"');
    expect(await (await anonymous.get('/about')).text()).toContain('<title>About &mdash; ');
  });
});
