/**
 * Moderation through the front door, pages and API: who may delete what, hiding and restoring
 * (and what disappears with it), reports and their resolution, the admin pages, and races.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api } from '../api/test-helpers';
import { createSession } from '../auth/session';
import { addComment } from '../comments/queries';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { Browser, createTestApp, dom, insertArticle, insertUser, PASSWORD, type TestApp } from '../test-support';
import { hideContentOfAuthor } from './queries';
import { MAX_OPEN_REPORTS } from './use-cases';

type Role = 'owner' | 'admin' | 'moderator' | 'author';
type Person = { id: number; username: string; browser: Browser; token: string };

async function person(t: TestApp, username: string, role: Role = 'author'): Promise<Person> {
  const user = await insertUser(t.db, username);
  if (role !== 'author') await t.db.update(tablesOf(t.db).users).set({ role }).where(eq(tablesOf(t.db).users.id, user.id));
  const browser = new Browser(t.app);
  const res = await browser.post('/login', { email: user.email, password: PASSWORD });
  if (res.status !== 303) throw new Error(`sign-in failed with ${res.status}`);
  browser.cookies.delete('flash');
  const { token } = await createSession(t.db, user.id, { now: t.clock() });
  return { id: user.id, username, browser, token };
}

/** Alice's article with Bob's comment on it; Carol reads; Mo moderates. */
async function world() {
  const t = await createTestApp({ env: { RATE_LIMITS: 'off' } });
  const alice = await person(t, 'alice');
  const bob = await person(t, 'bob');
  const carol = await person(t, 'carol');
  const mo = await person(t, 'mo', 'moderator');
  const article = await insertArticle(t.db, alice.id, { title: 'Tulips in spring', tagList: ['flowers'], body: 'All about tulips.' });
  const commentId = await addComment(t.db, article.id, bob.id, 'Buy cheap watches at spam.example', t.clock());
  const path = `/article/${article.slug}`;
  return { t, client: api(t), alice, bob, carol, mo, slug: article.slug, articleId: article.id, commentId, path };
}

const audit = async (db: Db) => await db.select().from(tablesOf(db).auditLog);
const commentRow = async (db: Db, id: number) => (await db.select().from(tablesOf(db).comments).where(eq(tablesOf(db).comments.id, id)))[0];
const articleRow = async (db: Db, id: number) => (await db.select().from(tablesOf(db).articles).where(eq(tablesOf(db).articles.id, id)))[0];
const reportRows = async (db: Db) => await db.select().from(tablesOf(db).reports);
const flashOf = async (browser: Browser, path: string) => dom(await browser.html(path)).querySelector('.flash')?.text.trim();

describe('deleting through the policy', () => {
  it('a moderator deletes anyone’s article (page and API), and the audit log says so; an author’s own delete is not audited', async () => {
    const w = await world();
    const res = await w.mo.browser.post(`${w.path}/delete`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(await articleRow(w.t.db, w.articleId)).toBeUndefined();
    const [entry] = await audit(w.t.db);
    expect(entry).toMatchObject({ action: 'article.delete', actorName: 'mo', targetLabel: 'Tulips in spring', door: 'web' });

    const other = await insertArticle(w.t.db, w.bob.id, { title: 'Second piece' });
    expect((await w.client.del(`/articles/${other.slug}`, w.mo.token)).status).toBe(204);
    expect((await audit(w.t.db)).map((e) => `${e.action} ${e.door}`)).toEqual(['article.delete web', 'article.delete api']);

    const own = await insertArticle(w.t.db, w.alice.id, { title: 'Mine to delete' });
    expect((await w.client.del(`/articles/${own.slug}`, w.alice.token)).status).toBe(204);
    expect(await audit(w.t.db)).toHaveLength(2);
  });

  it('the article’s author deletes a comment under it (audited); a moderator’s token deletes anyone’s comment', async () => {
    const w = await world();
    const res = await w.alice.browser.post(`${w.path}/comments/${w.commentId}/delete`, { redirectTo: w.path });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(w.path);
    expect(await commentRow(w.t.db, w.commentId)).toBeUndefined();
    expect(await audit(w.t.db)).toMatchObject([{ action: 'comment.delete', actorName: 'alice', targetLabel: 'Buy cheap watches at spam.example' }]);

    const second = await addComment(w.t.db, w.articleId, w.carol.id, 'Another one', w.t.clock());
    expect((await w.client.del(`/articles/${w.slug}/comments/${second}`, w.carol.token)).status).toBe(204);
    const third = await addComment(w.t.db, w.articleId, w.carol.id, 'And another', w.t.clock());
    expect((await w.client.del(`/articles/${w.slug}/comments/${third}`, w.bob.token)).status).toBe(403);
    expect((await w.client.del(`/articles/${w.slug}/comments/${third}`, w.mo.token)).status).toBe(204);
    expect((await audit(w.t.db)).map((e) => e.action)).toEqual(['comment.delete', 'comment.delete']);
  });

  it('the page shows Delete Article to the author and moderators (a GET to the confirmation page), Edit to the author only', async () => {
    const w = await world();
    const buttons = async (browser: Browser) => {
      const page = dom(await browser.html(w.path));
      return {
        edit: page.querySelectorAll(`a[href="/editor/${w.slug}"]`).length > 0,
        del: page.querySelectorAll(`form[method="get"][action="${w.path}/delete"] button.btn-outline-danger`).length > 0,
        commentDelete: page.querySelectorAll('.mod-options form[method="get"] i.ion-trash-a').length,
        hide: page.querySelectorAll(`form[action="${w.path}/hide"] input[name="reason"]`).length > 0,
        report: page.querySelectorAll(`a[href="${w.path}/report"]`).length > 0,
      };
    };
    expect(await buttons(w.alice.browser)).toEqual({ edit: true, del: true, commentDelete: 1, hide: false, report: false });
    expect(await buttons(w.mo.browser)).toEqual({ edit: false, del: true, commentDelete: 1, hide: true, report: true });
    expect(await buttons(w.carol.browser)).toEqual({ edit: false, del: false, commentDelete: 0, hide: false, report: true });
    expect(await buttons(w.bob.browser)).toEqual({ edit: false, del: false, commentDelete: 1, hide: false, report: true });
    expect(await buttons(new Browser(w.t.app))).toEqual({ edit: false, del: false, commentDelete: 0, hide: false, report: false });
  });

  it('asks for confirmation first: the pages show what will go, post to the delete routes, and refuse whoever may not', async () => {
    const w = await world();
    const page = dom(await w.alice.browser.html(`${w.path}/delete`));
    expect(page.querySelector('h1')?.text).toBe('Delete this article?');
    expect(page.querySelector('.confirm-what')?.text).toContain('Tulips in spring');
    expect(page.querySelector(`form[method="post"][action="${w.path}/delete"] button`)?.text.trim()).toBe('Delete Article');
    expect(page.querySelector(`a[href="${w.path}"]`)?.text).toBe('Cancel');
    expect((await w.carol.browser.get(`${w.path}/delete`)).status).toBe(403);
    const visitor = await new Browser(w.t.app).get(`${w.path}/delete`);
    expect(visitor.status).toBe(303);
    expect(visitor.headers.get('location')).toBe('/login');

    const confirm = dom(await w.alice.browser.html(`${w.path}/comments/${w.commentId}/delete?redirectTo=${encodeURIComponent('/admin/content')}`));
    expect(confirm.querySelector('blockquote')?.text).toBe('Buy cheap watches at spam.example');
    const form = confirm.querySelector(`form[method="post"][action="${w.path}/comments/${w.commentId}/delete"]`)!;
    expect(form.querySelector('input[name="redirectTo"]')?.getAttribute('value')).toBe('/admin/content');
    expect((await w.carol.browser.get(`${w.path}/comments/${w.commentId}/delete`)).status).toBe(403);
    expect((await w.alice.browser.get(`${w.path}/comments/999/delete`)).status).toBe(404);
    expect(await commentRow(w.t.db, w.commentId)).toBeDefined();
    expect(await articleRow(w.t.db, w.articleId)).toBeDefined();
  });
});

describe('hiding comments', () => {
  it('a hidden comment is gone for everyone but its author and moderators, who see why; restoring brings it back', async () => {
    const w = await world();
    const anonymous = new Browser(w.t.app);
    await anonymous.get(w.path); // a cached copy, if any, must not outlive the hide
    const res = await w.mo.browser.post(`${w.path}/comments/${w.commentId}/hide`, { reason: 'Spam', redirectTo: w.path });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(w.path);
    expect(await flashOf(w.mo.browser, w.path)).toBe('Comment hidden.');

    for (const reader of [anonymous, w.carol.browser, w.alice.browser]) {
      expect(await reader.html(w.path)).not.toContain('spam.example');
    }
    for (const token of [undefined, w.carol.token, w.alice.token]) {
      const list = await w.client.get(`/articles/${w.slug}/comments`, token);
      expect(list.body.comments).toEqual([]);
    }
    const own = dom(await w.bob.browser.html(w.path));
    expect(own.querySelector(`#comment-${w.commentId} .hidden-notice`)?.text).toBe('Hidden by a moderator: Spam');
    const modPage = dom(await w.mo.browser.html(w.path));
    expect(modPage.querySelector(`#comment-${w.commentId} .hidden-notice`)?.text).toBe('Hidden by a moderator: Spam');
    expect(modPage.querySelector(`form[action="${w.path}/comments/${w.commentId}/restore"]`)).not.toBeNull();
    const bobs = await w.client.get(`/articles/${w.slug}/comments`, w.bob.token);
    expect(bobs.body.comments).toMatchObject([{ id: w.commentId, hidden: { cause: 'moderation', reason: 'Spam' } }]);
    expect(await audit(w.t.db)).toMatchObject([{ action: 'comment.hide', reason: 'Spam', targetKind: 'comment', targetId: w.commentId }]);

    // hiding again changes the reason only
    await w.mo.browser.post(`${w.path}/comments/${w.commentId}/hide`, { reason: 'Advertising' });
    expect(await commentRow(w.t.db, w.commentId)).toMatchObject({ hiddenReason: 'Advertising', hiddenCause: 'moderation' });

    expect((await w.mo.browser.post(`${w.path}/comments/${w.commentId}/restore`, { redirectTo: w.path })).status).toBe(303);
    expect(await anonymous.html(w.path)).toContain('spam.example');
    expect((await audit(w.t.db)).map((e) => e.action)).toEqual(['comment.hide', 'comment.hide', 'comment.restore']);
  });

  it('refuses readers and authors (403), a blank or long reason (422, typed text kept), and restoring what a suspension hid', async () => {
    const w = await world();
    for (const who of [w.carol, w.alice, w.bob]) {
      expect((await who.browser.post(`${w.path}/comments/${w.commentId}/hide`, { reason: 'Mine now' })).status).toBe(403);
      expect((await w.client.post(`/admin/comments/${w.commentId}/hide`, { reason: 'x' }, who.token)).status).toBe(403);
    }
    const blank = await w.mo.browser.post(`${w.path}/comments/${w.commentId}/hide`, { reason: '   ' });
    expect(blank.status).toBe(422);
    expect(dom(await blank.text()).querySelector('.field-error')?.text).toBe("Reason can't be blank");
    const long = await w.mo.browser.post(`${w.path}/comments/${w.commentId}/hide`, { reason: `Too ${'long '.repeat(120)}` });
    expect(long.status).toBe(422);
    expect(await long.text()).toContain('Too long long');
    const api422 = await w.client.post(`/admin/comments/${w.commentId}/hide`, {}, w.mo.token);
    expect(api422.status).toBe(422);
    expect(api422.body).toEqual({ errors: { reason: ["can't be blank"] } });
    expect(await commentRow(w.t.db, w.commentId)).toMatchObject({ hiddenAt: null });

    await hideContentOfAuthor(w.t.db, w.bob.id, new Date(w.t.clock()), 'Suspended for spam');
    const refused = await w.mo.browser.post(`${w.path}/comments/${w.commentId}/restore`);
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('lift the suspension instead');
    const apiRefused = await w.client.post(`/admin/comments/${w.commentId}/restore`, undefined, w.mo.token);
    expect(apiRefused.status).toBe(422);
    expect(apiRefused.body.errors.comment[0]).toContain('lift the suspension instead');
    expect(await audit(w.t.db)).toEqual([]);
  });
});

describe('hiding articles', () => {
  it('a hidden article leaves every list, feed, count, sitemap, search and API answer; its author and moderators see why', async () => {
    const w = await world();
    await w.carol.browser.post(`${w.path}/favorite`);
    await w.carol.browser.post('/profile/alice/follow');
    const following = async () => [await w.carol.browser.html('/?feed=following'), (await w.client.get('/articles/feed', w.carol.token)).text];
    for (const answer of await following()) expect(answer).toContain(w.slug);
    const anonymous = new Browser(w.t.app);
    const places = ['/', '/tag/flowers', '/profile/alice', '/profile/carol/favorites', '/profile/alice/feed.atom', '/feed.atom', '/feed.json', '/tag/flowers/feed.json', '/sitemap.xml', '/search?q=tulips'];
    for (const place of places) expect(await anonymous.html(place), place).toContain(w.slug);
    expect((await w.client.get('/articles')).body.articlesCount).toBe(1);

    const res = await w.client.post(`/admin/articles/${w.slug}/hide`, { reason: 'Plagiarism' }, w.mo.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ article: { slug: w.slug, hidden: true } });

    for (const place of places) expect(await anonymous.html(place), place).not.toContain(w.slug);
    expect(await w.carol.browser.html('/')).not.toContain('Tulips in spring');
    for (const answer of await following()) expect(answer).not.toContain(w.slug);
    expect((await w.client.get('/articles')).body).toEqual({ articles: [], articlesCount: 0 });
    expect((await w.client.get('/articles?tag=flowers')).body.articlesCount).toBe(0);
    expect((await w.client.get('/tags')).body.tags).toEqual([]);
    expect((await anonymous.get(w.path)).status).toBe(404);
    expect((await w.carol.browser.get(w.path)).status).toBe(404);
    expect((await w.client.get(`/articles/${w.slug}`)).status).toBe(404);
    expect((await w.client.get(`/articles/${w.slug}`, w.carol.token)).status).toBe(404);
    expect((await w.client.get(`/articles/${w.slug}/comments`)).status).toBe(404);

    const authorPage = dom(await w.alice.browser.html(w.path));
    expect(authorPage.querySelector('.hidden-notice')?.text).toContain('Reason: Plagiarism');
    expect(authorPage.querySelector('textarea[name="body"]')).toBeNull();
    expect((await w.client.get(`/articles/${w.slug}`, w.alice.token)).status).toBe(200);
    const modPage = dom(await w.mo.browser.html(w.path));
    expect(modPage.querySelector('.hidden-notice')?.text).toContain('hidden by a moderator');
    expect(modPage.querySelector(`form[action="${w.path}/restore"]`)).not.toBeNull();

    // only moderators act on it while it is hidden
    expect((await w.client.post(`/articles/${w.slug}/comments`, { comment: { body: 'Hm' } }, w.alice.token)).status).toBe(403);
    expect((await w.client.post(`/articles/${w.slug}/favorite`, undefined, w.alice.token)).status).toBe(403);
    expect((await w.alice.browser.post(`${w.path}/comments`, { body: 'Hm' })).status).toBe(403);
    expect((await w.client.post(`/articles/${w.slug}/favorite`, undefined, w.carol.token)).status).toBe(404);
    expect((await w.carol.browser.post(`${w.path}/comments`, { body: 'Hm' })).status).toBe(404);

    expect((await w.mo.browser.post(`${w.path}/restore`, { redirectTo: '/admin/content' })).headers.get('location')).toBe('/admin/content');
    for (const place of places) expect(await anonymous.html(place), place).toContain(w.slug);
    expect((await audit(w.t.db)).map((e) => `${e.action} ${e.door} ${e.targetLabel}`)).toEqual([
      'article.hide api Tulips in spring',
      'article.restore web Tulips in spring',
    ]);
  });

  it('hides from the page with a reason (a blank one comes back 422); a reader cannot; restoring a suspension’s hiding is refused', async () => {
    const w = await world();
    expect((await w.carol.browser.post(`${w.path}/hide`, { reason: 'x' })).status).toBe(403);
    expect((await w.alice.browser.post(`${w.path}/hide`, { reason: 'x' })).status).toBe(403);
    expect((await w.carol.browser.get(`${w.path}/hide`)).status).toBe(403);
    const blank = await w.mo.browser.post(`${w.path}/hide`, { reason: '' });
    expect(blank.status).toBe(422);
    expect(await blank.text()).toContain('Reason can&#39;t be blank');
    expect((await w.mo.browser.get(`${w.path}/hide`)).status).toBe(200);
    const res = await w.mo.browser.post(`${w.path}/hide`, { reason: 'Off topic' });
    expect(res.headers.get('location')).toBe(w.path);
    expect(await articleRow(w.t.db, w.articleId)).toMatchObject({ hiddenCause: 'moderation', hiddenReason: 'Off topic', hiddenById: w.mo.id });

    const other = await insertArticle(w.t.db, w.bob.id, { title: 'Bob writes' });
    await hideContentOfAuthor(w.t.db, w.bob.id, new Date(w.t.clock()), null);
    const refused = await w.client.post(`/admin/articles/${other.slug}/restore`, undefined, w.mo.token);
    expect(refused.status).toBe(422);
    expect(refused.body.errors.article[0]).toContain('lift the suspension instead');
    expect((await w.client.post('/admin/articles/nope/hide', { reason: 'x' }, w.mo.token)).status).toBe(404);
  });
});

describe('reports', () => {
  it('a reader reports a comment from a form page: thanks, once; a second report is answered kindly (409)', async () => {
    const w = await world();
    const form = dom(await w.carol.browser.html(`${w.path}/comments/${w.commentId}/report`));
    expect(form.querySelector('h1')?.text).toBe('Report this comment');
    expect(form.querySelector('textarea[name="reason"]')).not.toBeNull();
    const blank = await w.carol.browser.post(`${w.path}/comments/${w.commentId}/report`, { reason: ' ' });
    expect(blank.status).toBe(422);
    const res = await w.carol.browser.post(`${w.path}/comments/${w.commentId}/report`, { reason: 'Spam links' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(w.path);
    expect(await flashOf(w.carol.browser, w.path)).toBe('Thanks, the moderators will look at it.');
    const again = await w.carol.browser.post(`${w.path}/comments/${w.commentId}/report`, { reason: 'Still spam' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('You have already reported this');
    expect(await reportRows(w.t.db)).toMatchObject([{ targetKind: 'comment', targetId: w.commentId, reason: 'Spam links', targetLabel: 'Buy cheap watches at spam.example' }]);
  });

  it('reports an article and a profile from their pages and over the API; refuses one’s own, the unknown and visitors', async () => {
    const w = await world();
    expect((await w.carol.browser.post(`${w.path}/report`, { reason: 'Copied' })).status).toBe(303);
    expect((await w.carol.browser.post('/profile/bob/report', { reason: 'A spammer' })).headers.get('location')).toBe('/profile/bob');
    expect(dom(await w.carol.browser.html('/profile/bob')).querySelector('a[href="/profile/bob/report"]')).not.toBeNull();
    expect(dom(await new Browser(w.t.app).html('/profile/bob')).querySelector('a[href="/profile/bob/report"]')).toBeNull();
    const viaApi = await w.client.post('/reports', { report: { kind: 'comment', target: w.commentId, reason: 'Spam' } }, w.carol.token);
    expect(viaApi.status).toBe(201);
    expect(viaApi.body.report).toMatchObject({ kind: 'comment', targetId: w.commentId });
    const twice = await w.client.post('/reports', { report: { kind: 'article', target: w.slug, reason: 'Again' } }, w.carol.token);
    expect(twice.status).toBe(409);
    expect(twice.body).toEqual({ errors: { report: ['You have already reported this; the moderators will look at it.'] } });
    expect((await w.client.post('/reports', { report: { kind: 'article', target: w.slug, reason: 'Mine' } }, w.alice.token)).status).toBe(422);
    expect((await w.client.post('/reports', { report: { kind: 'user', target: 'nobody', reason: 'x' } }, w.carol.token)).status).toBe(404);
    expect((await w.client.post('/reports', { report: { kind: 'planet', target: 'x', reason: 'x' } }, w.carol.token)).body).toEqual({
      errors: { kind: ['must be article, comment or user'] },
    });
    expect((await w.client.post('/reports', { report: { kind: 'user', target: 'bob', reason: 'x' } })).status).toBe(401);
    const visitor = await new Browser(w.t.app).get(`${w.path}/report`);
    expect(visitor.status).toBe(303);
    expect(visitor.headers.get('location')).toBe('/login');
    expect(await reportRows(w.t.db)).toHaveLength(3);
  });

  it('two reports of the same thing at once: one is saved, the other is answered kindly, never a 500', async () => {
    const w = await world();
    const body = { report: { kind: 'comment', target: String(w.commentId), reason: 'Spam' } };
    const answers = await Promise.all([w.client.post('/reports', body, w.carol.token), w.client.post('/reports', body, w.carol.token)]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(await reportRows(w.t.db)).toHaveLength(1);
  });

  it(`a reader may have ${MAX_OPEN_REPORTS} reports open at once`, async () => {
    const w = await world();
    for (let i = 0; i < MAX_OPEN_REPORTS; i++) {
      const id = await addComment(w.t.db, w.articleId, w.bob.id, `Spam ${i}`, w.t.clock());
      expect((await w.client.post('/reports', { report: { kind: 'comment', target: id, reason: 'Spam' } }, w.carol.token)).status).toBe(201);
    }
    const refused = await w.client.post('/reports', { report: { kind: 'user', target: 'bob', reason: 'Spam' } }, w.carol.token);
    expect(refused.status).toBe(422);
    expect(refused.body.errors.report[0]).toContain('please wait');
  });

  it('a moderator hides a reported comment from the queue: every open report on it closes, who and how recorded', async () => {
    const w = await world();
    await w.carol.browser.post(`${w.path}/comments/${w.commentId}/report`, { reason: 'Spam links' });
    await w.alice.browser.post(`${w.path}/comments/${w.commentId}/report`, { reason: 'Ads' });
    const queue = dom(await w.mo.browser.html('/admin/reports'));
    const rows = queue.querySelectorAll('tbody tr');
    expect(rows.map((row) => row.querySelector('td:nth-child(3)')?.text)).toEqual(['Spam links', 'Ads']);
    expect(rows[0]!.querySelector(`a[href="${w.path}#comment-${w.commentId}"]`)).not.toBeNull();
    const [first] = await reportRows(w.t.db);

    const blank = await w.mo.browser.post(`/admin/reports/${first!.id}/resolve`, { resolution: 'hide', reason: '' });
    expect(blank.status).toBe(422);
    expect(dom(await blank.text()).querySelector('input[value="hide"]')?.getAttribute('checked')).not.toBeUndefined();
    const res = await w.mo.browser.post(`/admin/reports/${first!.id}/resolve`, { resolution: 'hide', reason: 'Spam', redirectTo: '/admin/reports' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/reports');
    expect(await commentRow(w.t.db, w.commentId)).toMatchObject({ hiddenCause: 'moderation', hiddenReason: 'Spam' });
    expect(await reportRows(w.t.db)).toMatchObject([
      { resolution: 'hidden', resolvedById: w.mo.id, resolutionNote: 'Spam' },
      { resolution: 'hidden', resolvedById: w.mo.id },
    ]);
    expect((await audit(w.t.db)).map((e) => e.action)).toEqual(['comment.hide', 'report.resolve']);
    expect(dom(await w.mo.browser.html('/admin/reports')).querySelectorAll('tbody tr')).toHaveLength(0);
    expect(await w.mo.browser.html('/admin/reports?state=resolved')).toContain('hidden by mo');
    const again = await w.mo.browser.post(`/admin/reports/${first!.id}/resolve`, { resolution: 'dismiss' });
    expect(again.status).toBe(422);
    expect(await again.text()).toContain('already been resolved');
  });

  it('resolves over the API: delete an article, dismiss a profile report; readers and authors are refused', async () => {
    const w = await world();
    const article = await w.client.post('/reports', { report: { kind: 'article', target: w.slug, reason: 'Copied' } }, w.carol.token);
    const profile = await w.client.post('/reports', { report: { kind: 'user', target: 'bob', reason: 'Rude' } }, w.carol.token);
    for (const who of [w.carol, w.alice]) {
      expect((await w.client.post(`/admin/reports/${article.body.report.id}/resolve`, { resolution: 'delete' }, who.token)).status).toBe(403);
      expect((await w.client.get('/admin/reports', who.token)).status).toBe(403);
    }
    expect((await w.client.get('/admin/reports')).status).toBe(401);
    const open = await w.client.get('/admin/reports?state=open', w.mo.token);
    expect(open.body.reportsCount).toBe(2);
    expect(open.body.reports[0]).toMatchObject({ kind: 'article', target: 'Tulips in spring', reporter: 'carol', resolution: null });
    expect((await w.client.get('/admin/reports?state=maybe', w.mo.token)).status).toBe(422);

    const hideProfile = await w.client.post(`/admin/reports/${profile.body.report.id}/resolve`, { resolution: 'hide', reason: 'x' }, w.mo.token);
    expect(hideProfile.status).toBe(422);
    const deleted = await w.client.post(`/admin/reports/${article.body.report.id}/resolve`, { resolution: 'delete', reason: 'Copied' }, w.mo.token);
    expect(deleted.status).toBe(200);
    expect(deleted.body.report).toMatchObject({ resolution: 'deleted', resolvedBy: 'mo', targetPath: null });
    expect(await articleRow(w.t.db, w.articleId)).toBeUndefined();
    const dismissed = await w.client.post(`/admin/reports/${profile.body.report.id}/resolve`, { resolution: 'dismiss' }, w.mo.token);
    expect(dismissed.body.report).toMatchObject({ resolution: 'dismissed', resolvedBy: 'mo' });
    expect((await w.client.get('/admin/reports?state=resolved', w.mo.token)).body.reportsCount).toBe(2);
    expect((await w.client.post('/admin/reports/999/resolve', { resolution: 'dismiss' }, w.mo.token)).status).toBe(404);
    expect((await w.client.post(`/admin/reports/${profile.body.report.id}/resolve`, { resolution: 'shrug' }, w.mo.token)).body).toEqual({
      errors: { resolution: ['must be dismiss, hide or delete'] },
    });
    expect((await audit(w.t.db)).map((e) => e.action)).toEqual(['article.delete', 'report.resolve', 'report.resolve']);
  });
});

describe('/admin/content', () => {
  it('lists hidden articles and comments with why and who, and recent comments with hide and delete; moderators only', async () => {
    const w = await world();
    await w.client.post(`/admin/articles/${w.slug}/hide`, { reason: 'Plagiarism' }, w.mo.token);
    const other = await insertArticle(w.t.db, w.carol.id, { title: 'Carol on roses' });
    const id = await addComment(w.t.db, other.id, w.bob.id, 'Roses are spam', w.t.clock());
    await w.client.post(`/admin/comments/${id}/hide`, { reason: 'Spam' }, w.mo.token);
    const page = dom(await w.mo.browser.html('/admin/content'));
    const tables = page.querySelectorAll('table');
    expect(tables).toHaveLength(3);
    expect(tables[0]!.text).toContain('Tulips in spring');
    expect(tables[0]!.text).toContain('Plagiarism');
    expect(tables[0]!.text).toContain('by mo');
    expect(tables[0]!.querySelector(`form[action="/article/${w.slug}/restore"]`)).not.toBeNull();
    expect(tables[1]!.text).toContain('Roses are spam');
    expect(tables[2]!.querySelector(`form[action="/article/${w.slug}/comments/${w.commentId}/hide"] input[name="reason"]`)).not.toBeNull();
    expect(tables[2]!.querySelector(`form[method="get"][action="/article/${w.slug}/comments/${w.commentId}/delete"]`)).not.toBeNull();
    expect((await w.carol.browser.get('/admin/content')).status).toBe(403);
    expect((await w.carol.browser.get('/admin/reports')).status).toBe(403);
    const visitor = await new Browser(w.t.app).get('/admin/content');
    expect(visitor.headers.get('location')).toBe('/login');
    expect((await w.mo.browser.get('/admin/content?page=2')).status).toBe(404);
  });
});

describe('races', () => {
  it('a hide racing a delete of the same comment ends in 2xx or 404, never a 500, and the comment is gone', async () => {
    const w = await world();
    const [hide, del] = await Promise.all([
      w.client.post(`/admin/comments/${w.commentId}/hide`, { reason: 'Spam' }, w.mo.token),
      w.client.del(`/articles/${w.slug}/comments/${w.commentId}`, w.alice.token),
    ]);
    expect([200, 404]).toContain(hide.status);
    expect(del.status).toBe(204);
    expect(await commentRow(w.t.db, w.commentId)).toBeUndefined();
  });

  it('two moderators resolving one report at once: one resolves it, the other is told it is resolved', async () => {
    const w = await world();
    const admin = await person(w.t, 'ada', 'admin');
    const { body } = await w.client.post('/reports', { report: { kind: 'comment', target: w.commentId, reason: 'Spam' } }, w.carol.token);
    const answers = await Promise.all([
      w.client.post(`/admin/reports/${body.report.id}/resolve`, { resolution: 'delete' }, w.mo.token),
      w.client.post(`/admin/reports/${body.report.id}/resolve`, { resolution: 'hide', reason: 'Spam' }, admin.token),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 422]);
    expect((await reportRows(w.t.db))[0]!.resolvedAt).not.toBeNull();
  });
});

describe('the API document', () => {
  it('lists every moderation endpoint on /api/openapi.json and /api/docs', async () => {
    const t = await createTestApp();
    const doc = await api(t).get('/openapi.json');
    const expected: Record<string, string> = {
      '/admin/articles/{slug}/hide': 'post',
      '/admin/articles/{slug}/restore': 'post',
      '/admin/comments/{id}/hide': 'post',
      '/admin/comments/{id}/restore': 'post',
      '/reports': 'post',
      '/admin/reports': 'get',
      '/admin/reports/{id}/resolve': 'post',
    };
    for (const [path, method] of Object.entries(expected)) expect(Object.keys(doc.body.paths[path] ?? {}), path).toContain(method);
    const page = dom(await (await t.app.request('http://localhost/api/docs')).text());
    expect(page.querySelectorAll('code').map((code) => code.text)).toContain('/api/admin/reports/{id}/resolve');
  });
});
