import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { api, apiUpload, userWithToken } from '../api/test-helpers';
import { tablesOf } from '../db/engine';
import { dom, ORIGIN, saveArticle, signedInBrowser, testEngine, createTestApp, type TestApp } from '../test-support';
import { fileNames, parseMediaUrl, type MediaImage } from './names';
import { IMAGE_REMOVED_TEXT, stripImage } from './remove';
import { REMOVED_BY_MODERATOR } from './use-cases';

let shade = 10;
const picture = () => {
  shade += 1;
  return sharp({ create: { width: 800, height: 400, channels: 3, background: { r: shade, g: 200 - shade, b: 40 } } }).png().toBuffer();
};

async function uploadAs(t: TestApp, token: string, bytes?: Buffer): Promise<{ url: string; image: MediaImage; status: number; body: any }> {
  const res = await apiUpload(t, token, bytes ?? (await picture()), 'p.png', 'image/png');
  const url = res.body?.upload ? String(res.body.upload.url).slice(ORIGIN.length) : '';
  return { url, image: parseMediaUrl(url)!, status: res.status, body: res.body };
}

/** An author's image in an article body, another article's cover and their avatar. */
async function scene(t: TestApp) {
  const ada = await userWithToken(t, 'ada');
  const bytes = await picture();
  const { url, image } = await uploadAs(t, ada.token, bytes);
  const kept = await uploadAs(t, ada.token);
  await saveArticle(t.db, ada.user.id, { title: 'Shown', description: 'd', body: `Before ![a lake](${url} "Lake") after, and ![kept](${kept.url})`, tagList: [] }, t.clock());
  await saveArticle(t.db, ada.user.id, { title: 'Covered', description: 'd', body: 'words', tagList: [], coverImage: url }, t.clock());
  const res = await api(t).put('/user', { user: { image: `${ORIGIN}${url}` } }, ada.token);
  expect(res.status).toBe(200);
  return { ada, url, image, kept, bytes };
}

describe('stripImage', () => {
  const key = '0123456789abcdef0123';
  it('replaces the Markdown and HTML of the image, and any other address of it, and nothing else', () => {
    const text = [
      `![alt](/media/${key}-800x400.png)`,
      `![alt [x]](<http://localhost/media/${key}-800x400.png> "t")`,
      `<img src="/media/${key}-800x400-480.webp" alt="x">`,
      `[link](/media/${key}-800x400.png)`,
      `![other](/media/aaaaaaaaaaaaaaaaaaaa-10x10.png)`,
    ].join('\n');
    expect(stripImage(text, key).split('\n')).toEqual([
      IMAGE_REMOVED_TEXT,
      IMAGE_REMOVED_TEXT,
      IMAGE_REMOVED_TEXT,
      `[link](${IMAGE_REMOVED_TEXT})`,
      `![other](/media/aaaaaaaaaaaaaaaaaaaa-10x10.png)`,
    ]);
  });
});

describe(`a moderator removes an image everywhere (${testEngine()})`, () => {
  it('through /admin/media and its confirmation page, with JavaScript off', async () => {
    const t = await createTestApp();
    const { ada, url, image, kept, bytes } = await scene(t);
    const { browser } = await signedInBrowser(t, 'mo', { role: 'moderator' });

    const list = dom(await browser.html('/admin/media'));
    const row = list.querySelector(`#image-${image.key}`)!;
    expect(row).not.toBeNull();
    expect(row.querySelector('img')!.getAttribute('src')).toBe(`/media/${image.key}-800x400-480.webp`);
    expect(row.textContent).toContain('ada');
    expect(row.textContent).toContain('Article Shown');
    expect(row.textContent).toContain('Avatar of ada');
    const removeHref = row.querySelector('a.btn')!.getAttribute('href')!;
    expect(removeHref).toBe(`/admin/media/${image.key}/remove`);

    const confirm = await browser.get(removeHref);
    expect(confirm.status).toBe(200);
    const blank = await browser.post(removeHref, { reason: ' ' });
    expect(blank.status).toBe(422);
    expect(await blank.text()).toMatch(/Reason can(&#39;|')t be blank/);
    expect((await t.app.request(url)).status).toBe(200);

    const done = await browser.post(removeHref, { reason: 'Someone else’s photo' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/admin/media');
    expect(await browser.html('/admin/media')).toContain('Image removed from 1 article, 1 cover, 1 avatar.');

    // every file answers 404; the other image is untouched
    for (const name of fileNames(image)) expect((await t.app.request(`${ORIGIN}/media/${name}`)).status).toBe(404);
    expect((await t.app.request(kept.url)).status).toBe(200);
    const article = await api(t).get('/articles/shown');
    expect(article.body.article.body).toBe(`Before ${IMAGE_REMOVED_TEXT} after, and ![kept](${kept.url})`);
    const page = await (await t.app.request(`${ORIGIN}/article/shown`)).text();
    expect(page).toContain(IMAGE_REMOVED_TEXT);
    expect(page).not.toContain(image.key);
    const { articles, users, uploads, auditLog } = tablesOf(t.db);
    expect((await t.db.select({ cover: articles.coverImage }).from(articles).where(eq(articles.slug, 'covered')))[0]!.cover).toBeNull();
    expect((await t.db.select({ image: users.image }).from(users).where(eq(users.id, ada.user.id)))[0]!.image).toBeNull();
    expect(await t.db.select({ cause: uploads.removedCause }).from(uploads).where(eq(uploads.key, image.key))).toEqual([{ cause: 'moderation' }]);
    const [entry] = await t.db.select().from(auditLog).where(eq(auditLog.action, 'image.remove'));
    expect(entry).toMatchObject({ reason: 'Someone else’s photo' });

    // the same picture cannot come back, from anyone
    const bob = await userWithToken(t, 'bob');
    const again = await apiUpload(t, bob.token, bytes, 'p.png', 'image/png');
    expect(again.status).toBe(422);
    expect(again.body.errors.file).toEqual([REMOVED_BY_MODERATOR]);
  });

  it('over the API: DELETE /api/admin/media/:key, for moderators and above', async () => {
    const t = await createTestApp();
    const { image, url } = await scene(t);
    const author = await userWithToken(t, 'eve');
    const mod = await userWithToken(t, 'mo');
    await t.db.update(tablesOf(t.db).users).set({ role: 'moderator' }).where(eq(tablesOf(t.db).users.id, mod.user.id));

    expect((await api(t).send('DELETE', `/admin/media/${image.key}`, { token: author.token, body: { reason: 'no' } })).status).toBe(403);
    expect((await api(t).send('DELETE', `/admin/media/${image.key}`, { body: { reason: 'no' } })).status).toBe(401);
    expect((await api(t).send('DELETE', '/admin/media/ffffffffffffffffffff', { token: mod.token, body: { reason: 'x' } })).status).toBe(404);
    expect((await api(t).send('DELETE', '/admin/media/..%2Fx', { token: mod.token, body: { reason: 'x' } })).status).toBe(404);
    const blank = await api(t).send('DELETE', `/admin/media/${image.key}`, { token: mod.token, body: { reason: '' } });
    expect(blank.status).toBe(422);
    expect(blank.body.errors.reason).toEqual(["can't be blank"]);
    const res = await api(t).send('DELETE', `/admin/media/${image.key}`, { token: mod.token, body: { reason: 'spam' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ image: { key: image.key, removed: true, articles: 1, covers: 1, avatars: 1, pages: 0 } });
    expect((await t.app.request(url)).status).toBe(404);
    // a second time: nothing shows it, but its record stays, so it is found and nothing changes
    const twice = await api(t).send('DELETE', `/admin/media/${image.key}`, { token: mod.token, body: { reason: 'spam' } });
    expect(twice.body.image).toMatchObject({ articles: 0, covers: 0, avatars: 0 });
  });

  it('a report on an article leads to its images', async () => {
    const t = await createTestApp();
    const { image } = await scene(t);
    const reader = await signedInBrowser(t, 'rita');
    expect((await reader.browser.post('/article/shown/report', { reason: 'stolen photo' })).status).toBe(303);
    const { browser } = await signedInBrowser(t, 'mo', { role: 'moderator' });
    const [{ id }] = (await t.db.select({ id: tablesOf(t.db).reports.id }).from(tablesOf(t.db).reports)) as [{ id: number }];
    const report = dom(await browser.html(`/admin/reports/${id}`));
    const link = [...report.querySelectorAll('a')].find((a) => a.textContent === 'Images in this article')!;
    expect(link.getAttribute('href')).toBe('/admin/media?article=shown');
    const filtered = dom(await browser.html(link.getAttribute('href')!));
    expect(filtered.querySelector(`#image-${image.key}`)).not.toBeNull();
    expect(filtered.querySelectorAll('tbody tr')).toHaveLength(2);
  });
});

describe('the API document', () => {
  it('documents POST /api/uploads and DELETE /api/admin/media/{key} on /api/openapi.json and /api/docs', async () => {
    const t = await createTestApp();
    const doc = await api(t).get('/openapi.json');
    const upload = doc.body.paths['/uploads'].post;
    expect(Object.keys(upload.requestBody.content)).toEqual(['multipart/form-data']);
    expect(Object.keys(upload.responses).sort()).toEqual(['201', '400', '401', '413', '415', '422', '429']);
    expect(upload.responses['201'].content['application/json'].schema.properties.upload.$ref).toBe('#/components/schemas/Upload');
    expect(doc.body.components.schemas.Upload.required).toEqual(['url', 'width', 'height', 'type', 'bytes']);
    expect(Object.keys(doc.body.paths['/admin/media/{key}'])).toEqual(['delete']);
    const page = dom(await (await t.app.request(`${ORIGIN}/api/docs`)).text());
    const codes = page.querySelectorAll('code').map((code) => code.text);
    expect(codes).toContain('/api/uploads');
    expect(codes).toContain('/api/admin/media/{key}');
  });
});
