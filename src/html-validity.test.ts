import { HtmlValidate } from 'html-validate';
import { lastMailTo, linkIn } from './account-links/test-helpers';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tablesOf } from './db/engine';
import { Browser, createTestApp, dom, insertArticle, insertUser, ORIGIN, signedInBrowser } from './test-support';
import sharp from 'sharp';

/**
 * html-validate does not check ARIA in HTML's table of roles each element allows, which the W3C
 * checker does ("Bad value alert for attribute role on element ul"): state it for the list
 * elements, whose roles decide whether their items are in a list at all.
 */
const LIST_ROLES = ['directory', 'group', 'listbox', 'menu', 'menubar', 'none', 'presentation', 'radiogroup', 'tablist', 'toolbar', 'tree'];
const LIST_ITEM_ROLES = ['menuitem', 'menuitemcheckbox', 'menuitemradio', 'option', 'none', 'presentation', 'radio', 'separator', 'tab', 'treeitem'];

const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  elements: [
    'html5',
    {
      ul: { attributes: { role: { enum: LIST_ROLES } } },
      ol: { attributes: { role: { enum: LIST_ROLES } } },
      li: { attributes: { role: { enum: LIST_ITEM_ROLES } } },
    },
  ],
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

/**
 * And the editor's tags: one hidden `tagList` field per tag, which HTML allows and a form sends as a
 * list (the W3C checker accepts it); html-validate's rule allows shared names for buttons only.
 */
const TAG_LIST_EXCEPTION = /^form-dup-name: Duplicate form control name "tagList" /;

async function report(html: string) {
  const result = await validator.validateString(html);
  return result.results
    .flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message} (${m.selector ?? ''})`))
    .filter((message) => ![CONTRACT_EXCEPTION, SEARCH_FORM_EXCEPTION, TAG_LIST_EXCEPTION].some((exception) => exception.test(message)));
}

/** A blog with one article and one comment, and the pages a signed-out reader and a signed-in author see. */
async function everydayPages(): Promise<Array<[Browser, string]>> {
  const t = await createTestApp();
  const bob = await insertUser(t.db, 'bob', { bio: 'Writes about birds' });
  const { slug } = await insertArticle(t.db, bob.id, { title: 'Birds', body: '# Birds\n\n[a](https://example.com) ![b](https://example.com/b.png)', tagList: ['nature'] });
  // enough more for the pagination to skip pages ("1 2 3 4 … 12")
  for (let i = 0; i < 110; i++) await insertArticle(t.db, bob.id, { title: `Note ${i}`, tagList: ['notes'] });
  const { browser } = await signedInBrowser(t, 'alice');
  await browser.post(`/article/${slug}/comments`, { body: 'Nice' });
  const anonymous = new Browser(t.app);
  // the pages of the mailed links (src/account-links/)
  await browser.post('/settings/email/resend');
  const confirmLink = linkIn(await lastMailTo(t.db, 'alice@example.com', 'email-confirm'), '/confirm-email/');
  await anonymous.post('/forgot-password', { email: 'bob@example.com' });
  const resetLink = linkIn(await lastMailTo(t.db, 'bob@example.com', 'password-reset'), '/reset-password/');
  return [
    [anonymous, '/forgot-password'],
    [anonymous, resetLink],
    [anonymous, confirmLink],
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

/** Every form that re-renders itself with errors, in the order formErrorPages() sends them. */
const FORM_ERROR_PAGES = ['sign-in', 'sign-up', 'sign-up taken', 'new article', 'new article tags', 'edit article', 'settings', 'settings password', 'comment', 'forgot password', 'reset password'];

/** Each form sent with bad input, as a person could: the 422 pages' HTML by form. */
async function formErrorPages(): Promise<Record<string, string>> {
  const t = await createTestApp();
  const anonymous = new Browser(t.app);
  const answers: Array<[string, Response]> = [];
  answers.push(['sign-in', await anonymous.post('/login', { email: 'nobody@example.com', password: 'wrong password' })]);
  answers.push(['sign-up', await anonymous.post('/register', { username: 'a b', email: 'x', password: 'y' })]);
  const { browser, user } = await signedInBrowser(t, 'alice');
  answers.push(['sign-up taken', await anonymous.post('/register', { username: 'alice', email: user.email, password: 'velvet otter quarry' })]);
  answers.push(['new article', await browser.post('/editor', { title: '', tagList: ['a'], op: 'publish' })]);
  const tooMany = Array.from({ length: 30 }, (_, i) => `tag${i}`);
  answers.push(['new article tags', await browser.post('/editor', { title: 'T', tagList: tooMany, tag: 'one-more', op: 'addtag' })]);
  const { slug } = await insertArticle(t.db, user.id, { title: 'Birds' });
  answers.push(['edit article', await browser.post(`/editor/${slug}`, { title: '', description: '', body: '', op: 'publish' })]);
  answers.push(['settings', await browser.post('/settings', { username: 'a b', email: 'nope', image: 'javascript:alert(1)', bio: '' })]);
  answers.push(['settings password', await browser.post('/settings', { username: 'alice', email: user.email, password: 'a new long passphrase', currentPassword: 'wrong' })]);
  answers.push(['comment', await browser.post(`/article/${slug}/comments`, { body: '' })]);
  answers.push(['forgot password', await anonymous.post('/forgot-password', { email: 'x' })]);
  await anonymous.post('/forgot-password', { email: user.email });
  const resetLink = linkIn(await lastMailTo(t.db, user.email, 'password-reset'), '/reset-password/');
  answers.push(['reset password', await anonymous.post(resetLink, { password: 'short' })]);
  const pages: Record<string, string> = {};
  for (const [name, res] of answers) {
    expect(res.status, name).toBe(422);
    pages[name] = await res.text();
  }
  return pages;
}

describe('every page is valid HTML5', () => {
  it('validates the pages a signed-out reader and a signed-in author see', async () => {
    for (const [client, path] of await everydayPages()) {
      const html = await (await client.get(path)).text();
      expect(await report(html), path).toEqual([]);
    }
  });

  it('validates every form\'s error page (422), its list announced by a wrapper, not by the <ul>', async () => {
    const pages = await formErrorPages();
    expect(Object.keys(pages)).toEqual(FORM_ERROR_PAGES);
    for (const [name, html] of Object.entries(pages)) {
      expect(await report(html), name).toEqual([]);
      expect(html, name).toMatch(/<div role="alert"><ul class="error-messages"><li>/);
    }
  });

  it('validates the empty blog\'s home page and an empty feed', async () => {
    const t = await createTestApp();
    const anonymous = new Browser(t.app);
    const { browser } = await signedInBrowser(t, 'alice');
    for (const [client, path, text] of [
      [anonymous, '/', 'Create an account'],
      [browser, '/', 'Write the first one'],
      [browser, '/?feed=following', 'Your feed is empty'],
    ] as const) {
      const html = await (await client.get(path)).text();
      expect(html, path).toContain(text);
      expect(await report(html), path).toEqual([]);
    }
  });

  it('finds the alert role on a <ul>, as the W3C checker does', async () => {
    const signUp = (await formErrorPages())['sign-up']!;
    const broken = signUp.replace('<div role="alert"><ul class="error-messages">', '<div><ul class="error-messages" role="alert">');
    expect(broken).not.toBe(signUp);
    expect((await report(broken)).join('\n')).toMatch(/^attribute-allowed-values: Attribute "role" has invalid value "alert"/);
  });
});

describe('the site administration pages are valid HTML5', () => {
  it('validates settings, pages, invitations and the sign-up page when closed or invited, with and without errors', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'olive');
    const { users } = await import('./db/schema');
    const { eq } = await import('drizzle-orm');
    await t.db.update(users).set({ role: 'owner' }).where(eq(users.id, user.id));
    await browser.post('/admin/pages', { title: 'Terms', slug: 'terms', body: 'Be *kind*.', placement: 'nav', position: '0' });
    await browser.post('/admin/invitations', { role: 'author', days: '7', note: 'For Bea' });
    const withLink = await (await browser.get('/admin/invitations')).text();
    expect(withLink).toContain('id="invitation-link"');
    const answers: Array<[string, string]> = [['/admin/invitations (new link)', withLink]];
    for (const path of ['/admin/settings', '/admin/pages', '/admin/pages/new', '/admin/pages/2/edit', '/admin/pages/2/delete', '/admin/invitations', '/terms', '/register?invite=not-a-real-invitation-token']) {
      answers.push([path, await (await browser.get(path)).text()]);
    }
    answers.push(['settings 422', await (await browser.post('/admin/settings', { title: '', description: '', navLinks: 'x', registration: 'maybe', comments: 'on', newAccountArticlesPerDay: '-1', newAccountCommentsPerDay: 'a' })).text()]);
    answers.push(['page 422', await (await browser.post('/admin/pages', { title: '', slug: 'admin', body: '', placement: 'nav', position: 'x' })).text()]);
    await insertUser(t.db, 'bea');
    answers.push(['/admin/users/bea/reset-link', await (await browser.post('/admin/users/bea/reset-link')).text()]);
    answers.push(['invitation 422', await (await browser.post('/admin/invitations', { role: 'owner', days: '99', note: '' })).text()]);
    await browser.post('/admin/settings', { title: 'Quire', description: 'A place.', navLinks: 'News | /tag/news', registration: 'closed', comments: 'off', newAccountArticlesPerDay: '3', newAccountCommentsPerDay: '10' });
    const anonymous = new Browser(t.app);
    answers.push(['/register (closed)', await (await anonymous.get('/register')).text()]);
    for (const [path, html] of answers) {
      expect(await report(html), path).toEqual([]);
      expect(html.match(/[^\u0000-\u00ff]/g) ?? [], path).toEqual([]);
    }
  });
});

describe('the pages of two-factor sign-in and of one\'s data are valid HTML5, in Latin-1', () => {
  it('validates setting up (the QR code), the recovery codes, the settings when on, the code after the password, export and deletion, with and without errors', async () => {
    const { generateTOTP } = await import('@oslojs/otp');
    const { parseTotpSecret } = await import('./two-factor/totp');
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const answers: Array<[string, string]> = [];
    const setup = await (await browser.get('/settings/two-factor')).text();
    answers.push(['/settings/two-factor (off)', setup]);
    answers.push(['enable 422', await (await browser.post('/settings/two-factor/enable', { code: 'abc' })).text()]);
    const key = parseTotpSecret(/id="totp-secret">([^<]+)</.exec(setup)![1]!)!;
    answers.push(['recovery codes', await (await browser.post('/settings/two-factor/enable', { code: generateTOTP(key, 30, 6) })).text()]);
    answers.push(['/settings/two-factor (on)', await (await browser.get('/settings/two-factor')).text()]);
    answers.push(['disable 422', await (await browser.post('/settings/two-factor/disable', { disablePassword: '', disableCode: '' })).text()]);
    for (const path of ['/settings/data', '/settings/delete']) answers.push([path, await (await browser.get(path)).text()]);
    answers.push(['delete 422', await (await browser.post('/settings/delete', { password: '' })).text()]);
    const pending = new Browser(t.app);
    await pending.post('/login', { email: user.email, password: 'correct horse battery' });
    answers.push(['/login/two-factor', await (await pending.get('/login/two-factor')).text()]);
    answers.push(['/login/two-factor 422', await (await pending.post('/login/two-factor', { code: 'nope' })).text()]);
    const { browser: owner } = await signedInBrowser(t, 'olive', { role: 'owner' });
    answers.push(['/settings/delete (owner)', await (await owner.get('/settings/delete')).text()]);
    for (const [path, html] of answers) {
      expect(await report(html), path).toEqual([]);
      expect(html.match(/[^\u0000-\u00ff]/g) ?? [], path).toEqual([]);
    }
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

describe('moderation pages are valid HTML5 (issue #16)', () => {
  it('validates what a moderator, a reader and an author see, and the forms’ error pages, in Latin-1', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    const { slug } = await insertArticle(t.db, bob.id, { title: 'Birds' });
    const alice = await signedInBrowser(t, 'alice');
    await alice.browser.post(`/article/${slug}/comments`, { body: 'Nice' });
    await alice.browser.post(`/article/${slug}/comments`, { body: 'Spam' });
    const mo = await signedInBrowser(t, 'mo');
    await t.db.update(tablesOf(t.db).users).set({ role: 'moderator' }).where(eq(tablesOf(t.db).users.id, mo.user.id));
    const [first, second] = (await t.db.select({ id: tablesOf(t.db).comments.id }).from(tablesOf(t.db).comments)).map((row) => row.id);
    await mo.browser.post(`/article/${slug}/comments/${second}/hide`, { reason: 'Spam' });
    await alice.browser.post(`/article/${slug}/report`, { reason: 'Copied' });
    const other = await insertArticle(t.db, bob.id, { title: 'Hidden birds' });
    await mo.browser.post(`/article/${other.slug}/hide`, { reason: 'Off topic' });
    const pages: Array<[Browser, string]> = [
      [mo.browser, `/article/${slug}`],
      [mo.browser, `/article/${other.slug}`],
      [mo.browser, `/article/${slug}/hide`],
      [mo.browser, `/article/${slug}/comments/${first}/hide`],
      [mo.browser, `/article/${slug}/delete`],
      [mo.browser, '/admin/content'],
      [mo.browser, '/admin/reports'],
      [mo.browser, '/admin/reports/1'],
      [alice.browser, `/article/${slug}`],
      [alice.browser, `/article/${slug}/comments/${first}/delete`],
      [alice.browser, `/article/${slug}/comments/${first}/report`],
      [alice.browser, '/profile/bob/report'],
      [alice.browser, '/profile/bob'],
    ];
    for (const [client, path] of pages) {
      const res = await client.get(path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(await report(html), path).toEqual([]);
      expect(html.match(/[^\u0000-\u00ff]/g) ?? [], path).toEqual([]);
    }
    await mo.browser.post('/admin/reports/1/resolve', { resolution: 'dismiss' });
    expect(await report(await mo.browser.html('/admin/reports?state=resolved'))).toEqual([]);
    const failures = [
      await mo.browser.post(`/article/${slug}/hide`, { reason: '' }),
      await mo.browser.post(`/article/${slug}/comments/${first}/hide`, { reason: '' }),
      await alice.browser.post('/profile/bob/report', { reason: '' }),
    ];
    for (const res of failures) {
      expect(res.status).toBe(422);
      expect(await report(await res.text())).toEqual([]);
    }
  });
});

describe('the account administration pages are valid HTML5 (src/accounts/)', () => {
  it('validates /admin/users, a row form that failed, the moderator’s view of a suspended profile, and the confirmation pages', async () => {
    const t = await createTestApp();
    const { browser: owner } = await signedInBrowser(t, 'olive', { role: 'owner' });
    const { browser: moderator } = await signedInBrowser(t, 'mona', { role: 'moderator' });
    await insertUser(t.db, 'adam', { role: 'admin' });
    await insertUser(t.db, 'bob');
    expect((await owner.post('/admin/users/bob/suspend', { until: '2999-01-31', reason: 'Spam' })).status).toBe(303);
    const failed = await owner.post('/admin/users/adam/suspend', { until: 'soon', reason: '' });
    expect(failed.status).toBe(422);
    const pages: Array<[string, string]> = [
      ['list', await owner.html('/admin/users')],
      ['failed row form', await failed.text()],
      ['suspended profile', await moderator.html('/profile/bob')],
      ['delete confirmation', await owner.html('/admin/users/bob/delete')],
      ['handover confirmation', await owner.html('/admin/users/adam/ownership')],
    ];
    for (const [name, html] of pages) expect(await report(html), name).toEqual([]);
  });

  it('validates the editor with an uploaded image and a cover, a refused upload, and the pages that show covers and body images (issue #18)', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    const jpeg = await sharp({ create: { width: 1200, height: 600, channels: 3, background: '#2a7' } }).jpeg().toBuffer();
    const multipart = (fields: Record<string, string | File>) => {
      const data = new FormData();
      for (const [name, value] of Object.entries(fields)) data.set(name, value);
      return browser.request('/editor', { method: 'POST', body: data, headers: { origin: ORIGIN } });
    };
    const article = { title: 'Fields', description: 'Green', body: 'Grass.', tag: '' };
    const withImage = await multipart({ ...article, op: 'upload', alt: 'A field', image: new File([new Uint8Array(jpeg)], 'f.jpg', { type: 'image/jpeg' }) });
    const editorHtml = await withImage.text();
    const body = dom(editorHtml).querySelector('textarea[name=body]')!.text;
    const cover = /\((\/media\/[^)]+)\)/.exec(body)![1]!;
    const refused = await multipart({ ...article, op: 'upload', alt: 'Text', image: new File(['text'], 'x.png', { type: 'image/png' }) });
    expect(refused.status).toBe(415);
    const saved = await multipart({ ...article, body, op: 'publish', coverImage: cover });
    expect(saved.status).toBe(303);
    const reader = new Browser(t.app);
    const pages: Array<[string, string]> = [
      ['editor with an image', editorHtml],
      ['refused upload', await refused.text()],
      ['editor with a cover', await browser.html('/editor/fields')],
      ['article with a cover', await reader.html('/article/fields')],
      ['home with a cover', await reader.html('/')],
      ['search with a cover', await reader.html('/search?q=fields')],
    ];
    for (const [name, html] of pages) expect(await report(html), name).toEqual([]);
  });
});

describe('the images admin pages are valid HTML5, in Latin-1 (issue #18)', () => {
  it('validates /admin/media, the removal page and its refusal', async () => {
    const sharp = (await import('sharp')).default;
    const { api, userWithToken } = await import('./api/test-helpers');
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'mona', { role: 'moderator' });
    const { token } = await userWithToken(t, 'pia');
    const data = new FormData();
    const png = await sharp({ create: { width: 600, height: 300, channels: 3, background: '#a63' } }).png().toBuffer();
    data.set('file', new File([new Uint8Array(png)], 'p.png', { type: 'image/png' }));
    const res = await api(t).raw('POST', '/uploads', { headers: { authorization: `Token ${token}` }, body: data });
    const key = /\/media\/([0-9a-f]{20})-/.exec(res.body.upload.url)![1]!;
    const answers: Array<[string, string]> = [];
    for (const path of ['/admin/media', `/admin/media/${key}/remove`]) answers.push([path, await (await browser.get(path)).text()]);
    answers.push(['remove 422', await (await browser.post(`/admin/media/${key}/remove`, { reason: '' })).text()]);
    for (const [path, html] of answers) {
      expect(await report(html), path).toEqual([]);
      expect(html.match(/[^\u0000-\u00ff]/g) ?? [], path).toEqual([]);
    }
  });
});
