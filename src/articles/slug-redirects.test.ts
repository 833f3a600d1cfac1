import { describe, expect, it } from 'vitest';
import { api, userWithToken } from '../api/test-helpers';
import { createSession } from '../auth/session';
import { Browser, createTestApp, dom, signedInBrowser, type TestApp } from '../test-support';
import { findUserByUsername } from '../users/queries';

const publish = (title: string) => ({ title, description: 'd', body: 'b', op: 'publish' });

describe('a renamed article’s old addresses', () => {
  it('answer 301 to its address, however often it was renamed (on the pages; the API is RealWorld’s)', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    await browser.post('/editor', publish('First title'));
    await browser.post('/editor/first-title', publish('Second title'));
    await browser.post('/editor/second-title', publish('Third title'));

    const reader = new Browser(t.app);
    for (const old of ['first-title', 'second-title']) {
      const res = await reader.get(`/article/${old}`);
      expect(res.status, old).toBe(301);
      expect(res.headers.get('location')).toBe('/article/third-title');
      // the API answers as RealWorld has it: an article's address is its slug now
      expect((await api(t).get(`/articles/${old}`)).status).toBe(404);
    }
    expect(dom(await reader.html('/article/third-title')).querySelector('h1')?.text).toBe('Third title');
    expect((await reader.get('/article/never-was')).status).toBe(404);
  });

  it('are never given to another article, and the article itself may take one back', async () => {
    const t = await createTestApp();
    const alice = await signedInBrowser(t, 'alice');
    await alice.browser.post('/editor', publish('Spring'));
    await alice.browser.post('/editor/spring', publish('Summer'));

    // someone else's "Spring" gets a slug of its own: the old link still leads to alice's article
    const { token } = await userWithToken(t, 'bob');
    const bobs = await api(t).post('/articles', { article: { title: 'Spring', description: 'd', body: 'b' } }, token);
    expect(bobs.body.article.slug).toBe('spring-2');
    expect((await new Browser(t.app).get('/article/spring')).headers.get('location')).toBe('/article/summer');

    // alice renames back: "spring" is hers again, "summer" now leads to it
    const back = await alice.browser.post('/editor/summer', publish('Spring'));
    expect(back.headers.get('location')).toBe('/article/spring');
    expect((await new Browser(t.app).get('/article/spring')).status).toBe(200);
    expect((await new Browser(t.app).get('/article/summer')).headers.get('location')).toBe('/article/spring');
  });

  it('of a deleted article answer 410 Gone, and stay taken', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    await browser.post('/editor', publish('Ephemeral'));
    await browser.post('/editor/ephemeral', publish('Fleeting'));
    const { token } = await userWithToken(t, 'bob');
    await api(t).del('/articles/fleeting', await tokenOf(t, 'alice'));

    for (const old of ['ephemeral', 'fleeting']) {
      const page = await new Browser(t.app).get(`/article/${old}`);
      expect(page.status, old).toBe(410);
      expect(await page.text()).toContain('has been deleted');
      expect((await api(t).get(`/articles/${old}`)).body).toEqual({ errors: { article: ['not found'] } });
    }
    const again = await api(t).post('/articles', { article: { title: 'Fleeting', description: 'd', body: 'b' } }, token);
    expect(again.body.article.slug).toBe('fleeting-2');
  });

  it('do not reveal the new address of an article the reader may not see', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    await browser.post('/editor', { ...publish('Secret plan'), op: 'draft' });
    await browser.post('/editor/secret-plan', { ...publish('Public plan'), op: 'draft' });
    expect((await new Browser(t.app).get('/article/secret-plan')).status).toBe(404);
    expect((await browser.get('/article/secret-plan')).headers.get('location')).toBe('/article/public-plan');
  });
});

async function tokenOf(t: TestApp, username: string): Promise<string> {
  const user = (await findUserByUsername(t.db, username))!;
  return (await createSession(t.db, user.id, { now: t.clock() })).token;
}
