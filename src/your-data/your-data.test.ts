import { generateTOTP } from '@oslojs/otp';
import { eq } from 'drizzle-orm';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { addComment } from '../comments/queries';
import { tablesOf } from '../db/engine';
import { followUser as follow } from '../profiles/queries';
import { Browser, createTestApp, dom, insertArticle, insertUser, PASSWORD, rowCount, saveArticle, signedInBrowser } from '../test-support';
import { parseTotpSecret } from '../two-factor/totp';
import { articleMarkdown } from './use-cases';

async function unzipResponse(res: Response) {
  const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
  return Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, strFromU8(bytes)]));
}

async function enrol(browser: Browser) {
  const secret = dom(await browser.html('/settings/two-factor')).querySelector('#totp-secret')!.text;
  const key = parseTotpSecret(secret)!;
  expect((await browser.post('/settings/two-factor/enable', { code: generateTOTP(key, 30, 6) })).status).toBe(200);
  return key;
}

describe('export my data', () => {
  it('answers a zip: account.json (no hash, key or token) and every article, drafts too, with front matter', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const bob = await insertUser(t.db, 'bob');
    const published = await insertArticle(t.db, user.id, { title: 'First "quoted" post', description: 'About: things', body: '# Hello\n\nWorld', tagList: ['garden', 'spring'] });
    const draft = await saveArticle(t.db, user.id, { title: 'A draft', description: 'Not yet', body: 'Draft body', tagList: [] }, t.clock(), { publish: false });
    const bobs = await insertArticle(t.db, bob.id, { title: 'Bob writes' });
    await addComment(t.db, bobs.id, user.id, 'Nice one, Bob', t.clock());
    const { favorites } = tablesOf(t.db);
    await t.db.insert(favorites).values({ userId: user.id, articleId: bobs.id, createdAt: new Date(t.clock()) });
    await follow(t.db, user.id, bob.id, t.clock());
    await enrol(browser);

    const res = await browser.post('/settings/data/export');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="quire-alice-\d{4}-\d\d-\d\d\.zip"$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const files = await unzipResponse(res);
    expect(Object.keys(files).sort()).toEqual(['account.json', `articles/${draft.slug}.md`, `articles/${published.slug}.md`].sort());
    const account = JSON.parse(files['account.json']!);
    expect(account.account).toEqual({ username: 'alice', email: 'alice@example.com', bio: null, image: null, role: 'author', created: expect.any(String) });
    expect(account.comments).toEqual([{ article: bobs.slug, body: 'Nice one, Bob', created: expect.any(String), updated: expect.any(String) }]);
    expect(account.favorites).toEqual([bobs.slug]);
    expect(account.follows).toEqual(['bob']);
    expect(files['account.json']).not.toMatch(/argon2|password|totp|token|secret/i);
    const first = files[`articles/${published.slug}.md`]!;
    expect(first).toMatch(/^---\ntitle: "First \\"quoted\\" post"\ndescription: "About: things"\ntags: \["garden", "spring"\]\ncreated: \S+\nupdated: \S+\npublished: \S+\n---\n# Hello\n\nWorld\n$/);
    expect(files[`articles/${draft.slug}.md`]).toContain('\ndraft: true\n---\nDraft body\n');
  });

  it('reads a prolific account a page at a time: all of 250 articles and 230 comments', async () => {
    const t = await createTestApp({ env: { RATE_LIMITS: 'off' } });
    const { browser, user } = await signedInBrowser(t, 'alice');
    const slugs: string[] = [];
    for (let i = 0; i < 250; i++) slugs.push((await insertArticle(t.db, user.id, { title: `Article ${i}` })).slug);
    for (let i = 0; i < 230; i++) await addComment(t.db, (await insertArticle(t.db, (await insertUser(t.db, `u${i}`)).id)).id, user.id, `Comment ${i}`, t.clock());
    const files = await unzipResponse(await browser.post('/settings/data/export'));
    expect(Object.keys(files).filter((name) => name.startsWith('articles/')).sort()).toEqual(slugs.map((slug) => `articles/${slug}.md`).sort());
    const account = JSON.parse(files['account.json']!);
    expect(account.comments.map((c: { body: string }) => c.body)).toEqual(Array.from({ length: 230 }, (_, i) => `Comment ${i}`));
  });

  it('is rate-limited per account (RATE_LIMIT_EXPORTS): the page again with 429', async () => {
    const t = await createTestApp({ env: { RATE_LIMIT_EXPORTS: '1/h' } });
    const { browser } = await signedInBrowser(t, 'alice');
    expect((await browser.post('/settings/data/export')).status).toBe(200);
    const again = await browser.post('/settings/data/export');
    expect(again.status).toBe(429);
    expect(again.headers.get('retry-after')).toBeTruthy();
    expect(dom(await again.text()).querySelector('ul.error-messages')?.text).toContain('Too many requests');
  });

  it('an admin exports a member’s data from /admin/users, which the audit log records; an author may not', async () => {
    const t = await createTestApp();
    const admin = await signedInBrowser(t, 'ada', { role: 'admin' });
    const author = await signedInBrowser(t, 'mallory');
    const alice = await insertUser(t.db, 'alice');
    const article = await insertArticle(t.db, alice.id, { title: 'Alice writes' });
    expect(dom(await admin.browser.html('/admin/users')).querySelector('form[action="/admin/users/alice/export"]')).not.toBeNull();
    const res = await admin.browser.post('/admin/users/alice/export');
    expect(res.status).toBe(200);
    const files = await unzipResponse(res);
    expect(Object.keys(files)).toContain(`articles/${article.slug}.md`);
    const { auditLog } = tablesOf(t.db);
    const entries = await t.db.select().from(auditLog).where(eq(auditLog.action, 'user.export'));
    expect(entries.map((e) => [e.actorName, e.targetLabel])).toEqual([['ada', 'alice']]);
    expect((await author.browser.post('/admin/users/alice/export')).status).toBe(403);
    // not the owner's, whose rank is above an admin's
    await insertUser(t.db, 'olga', { role: 'owner' });
    expect((await admin.browser.post('/admin/users/olga/export')).status).toBe(403);
  });

  it('front matter: a draft says draft, a published article its date', () => {
    const base = { id: 1, slug: 's', title: 'T', description: 'D', body: 'B', createdAt: new Date(0), updatedAt: new Date(0), tags: [] };
    expect(articleMarkdown({ ...base, publishedAt: null })).toContain('draft: true');
    expect(articleMarkdown({ ...base, publishedAt: new Date(0) })).toContain('published: 1970-01-01T00:00:00.000Z');
  });
});

describe('delete my account', () => {
  it('asks for the password and a choice; keeping the articles moves them to deleted.author; comments go; signed out, cannot sign in', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const bob = await insertUser(t.db, 'bob');
    const article = await insertArticle(t.db, user.id, { title: 'Alice writes' });
    const bobs = await insertArticle(t.db, bob.id, { title: 'Bob writes' });
    await addComment(t.db, bobs.id, user.id, 'Alice comments', t.clock());
    const page = dom(await browser.html('/settings/delete'));
    expect(page.querySelector('input[name=password]')).not.toBeNull();
    expect(page.querySelector('input[name=code]')).toBeNull();

    const noChoice = await browser.post('/settings/delete', { password: PASSWORD });
    expect(noChoice.status).toBe(422);
    const wrong = await browser.post('/settings/delete', { password: 'not my password', keepContent: 'yes' });
    expect(wrong.status).toBe(422);
    const wrongPage = dom(await wrong.text());
    expect(wrongPage.querySelector('#password-error')?.text).toBe('Password is not correct');
    expect(wrongPage.querySelector('#keepContent-yes')?.getAttribute('checked')).toBeDefined();
    t.clock.advance(60_000);

    const res = await browser.post('/settings/delete', { password: PASSWORD, keepContent: 'yes' });
    expect([res.status, res.headers.get('location')]).toEqual([303, '/']);
    expect(browser.cookies.has('session')).toBe(false);
    expect(dom(await browser.html('/')).querySelector('.flash')?.text).toContain('Your account is deleted');
    const { users, articles, comments, auditLog } = tablesOf(t.db);
    expect(await rowCount(t.db, users, eq(users.username, 'alice'))).toBe(0);
    const [kept] = await t.db.select({ author: users.username }).from(articles).innerJoin(users, eq(users.id, articles.authorId)).where(eq(articles.id, article.id));
    expect(kept!.author).toBe('deleted.author');
    // comments go with the account even when the articles stay
    expect(await rowCount(t.db, comments)).toBe(0);
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.action, 'user.delete'));
    expect(audit.map((e) => [e.actorName, e.targetLabel, JSON.parse(e.details!)])).toEqual([['alice', 'alice', { keptContent: true, self: true }]]);
    const login = await new Browser(t.app).post('/login', { email: 'alice@example.com', password: PASSWORD });
    expect(login.status).toBe(422);
  });

  it('deleting the articles too; with a second factor on, a current code is needed as well', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    await insertArticle(t.db, user.id, { title: 'Alice writes' });
    const key = await enrol(browser);
    expect(dom(await browser.html('/settings/delete')).querySelector('input[name=code]')).not.toBeNull();
    const noCode = await browser.post('/settings/delete', { password: PASSWORD, keepContent: 'no' });
    expect(noCode.status).toBe(422);
    expect(dom(await noCode.text()).querySelector('#code-error')?.text).toBe('Code is required');
    const res = await browser.post('/settings/delete', { password: PASSWORD, code: generateTOTP(key, 30, 6), keepContent: 'no' });
    expect(res.status).toBe(303);
    const { articles, users } = tablesOf(t.db);
    expect(await rowCount(t.db, articles)).toBe(0);
    expect(await rowCount(t.db, users)).toBe(0);
  });

  it('the owner cannot delete their account while owner: a clear message, no form, and a 403', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'olga', { role: 'owner' });
    const page = dom(await browser.html('/settings/delete'));
    expect(page.querySelector('form[action="/settings/delete"]')).toBeNull();
    expect(page.querySelector('[role=alert]')?.text).toContain('Hand the site over');
    const res = await browser.post('/settings/delete', { password: PASSWORD, keepContent: 'no' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('hand the site over');
    const { users } = tablesOf(t.db);
    expect(await rowCount(t.db, users)).toBe(1);
  });
});
