/** Deleting an account removes its images (issue #18, point 8): by an admin, and by the person. */
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { api, apiUpload, userWithToken } from '../api/test-helpers';
import { tablesOf } from '../db/engine';
import { createTestApp, ORIGIN, PASSWORD, saveArticle, signedInBrowser, testEngine, type TestApp } from '../test-support';
import { fileNames, parseMediaUrl, type MediaImage } from './names';

let shade = 30;
const picture = () => {
  shade += 1;
  return sharp({ create: { width: 700, height: 350, channels: 3, background: { r: shade, g: 90, b: 255 - shade } } }).png().toBuffer();
};

async function upload(t: TestApp, token: string): Promise<{ url: string; image: MediaImage }> {
  const res = await apiUpload(t, token, await picture(), 'p.png', 'image/png');
  expect(res.status).toBe(201);
  const url = String(res.body.upload.url).slice(ORIGIN.length);
  return { url, image: parseMediaUrl(url)! };
}

/** dora's images: one in her article, one as her avatar, one nowhere (within its grace). */
async function dora(t: TestApp, userId: number, token: string) {
  const inArticle = await upload(t, token);
  const avatar = await upload(t, token);
  const loose = await upload(t, token);
  const { slug } = await saveArticle(t.db, userId, { title: 'Dora’s pond', description: 'd', body: `![pond](${inArticle.url})`, tagList: [] }, t.clock());
  expect((await api(t).put('/user', { user: { image: `${ORIGIN}${avatar.url}` } }, token)).status).toBe(200);
  return { inArticle, avatar, loose, slug };
}

const served = async (t: TestApp, image: MediaImage) => {
  const statuses = await Promise.all(fileNames(image).map(async (name) => (await t.app.request(`${ORIGIN}/media/${name}`)).status));
  return [...new Set(statuses)];
};

async function uploadRows(t: TestApp, image: MediaImage) {
  const { uploads } = tablesOf(t.db);
  return t.db.select({ ownerId: uploads.ownerId, removedCause: uploads.removedCause }).from(uploads).where(eq(uploads.key, image.key));
}

describe(`deleting an account removes its images (${testEngine()})`, () => {
  it('with its content (an admin, over the API): every image is removed and its files are gone', async () => {
    const t = await createTestApp();
    const d = await userWithToken(t, 'dora');
    const images = await dora(t, d.user.id, d.token);
    const admin = await userWithToken(t, 'adam');
    await t.db.update(tablesOf(t.db).users).set({ role: 'admin' }).where(eq(tablesOf(t.db).users.id, admin.user.id));
    expect((await api(t).del('/admin/users/dora', admin.token)).status).toBe(204);
    for (const image of [images.inArticle.image, images.avatar.image, images.loose.image]) {
      expect(await served(t, image)).toEqual([404]);
      expect(await uploadRows(t, image)).toEqual([{ ownerId: null, removedCause: 'account' }]);
    }
  });

  it('keeping its content (the person, by the web form): the images its kept articles show stay; the rest go', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'dora');
    const token = (await api(t).post('/users/login', { user: { email: user.email, password: PASSWORD } })).body.user.token;
    const images = await dora(t, user.id, token);
    const res = await browser.post('/settings/delete', { password: PASSWORD, keepContent: 'yes' });
    expect(res.status).toBe(303);
    // the kept article, now by deleted.author, still shows its picture
    expect(await served(t, images.inArticle.image)).toEqual([200]);
    expect(await uploadRows(t, images.inArticle.image)).toEqual([{ ownerId: null, removedCause: null }]);
    const article = await api(t).get(`/articles/${images.slug}`);
    expect(article.body.article.author.username).toBe('deleted.author');
    expect(article.body.article.body).toContain(images.inArticle.url);
    for (const image of [images.avatar.image, images.loose.image]) {
      expect(await served(t, image)).toEqual([404]);
      expect(await uploadRows(t, image)).toEqual([{ ownerId: null, removedCause: 'account' }]);
    }
  });

  it('with its content (the person): nothing shows the images any more, and they are gone', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'dora');
    const token = (await api(t).post('/users/login', { user: { email: user.email, password: PASSWORD } })).body.user.token;
    const images = await dora(t, user.id, token);
    expect((await browser.post('/settings/delete', { password: PASSWORD, keepContent: 'no' })).status).toBe(303);
    expect((await t.app.request(`${ORIGIN}/article/${images.slug}`)).status).toBe(410);
    for (const image of [images.inArticle.image, images.avatar.image, images.loose.image]) expect(await served(t, image)).toEqual([404]);
    expect(await t.db.select().from(tablesOf(t.db).mediaUses)).toEqual([]);
  });

  it('keeps the files of a picture another account uploaded too', async () => {
    const t = await createTestApp();
    const d = await userWithToken(t, 'dora');
    const e = await userWithToken(t, 'ezra');
    const bytes = await picture();
    for (const token of [d.token, e.token]) {
      expect((await apiUpload(t, token, bytes, 'p.png', 'image/png')).status).toBe(201);
    }
    const [row] = await t.db.select().from(tablesOf(t.db).uploads).limit(1);
    const { key, width, height } = row!;
    const admin = await userWithToken(t, 'adam');
    await t.db.update(tablesOf(t.db).users).set({ role: 'admin' }).where(eq(tablesOf(t.db).users.id, admin.user.id));
    expect((await api(t).del('/admin/users/dora', admin.token)).status).toBe(204);
    expect(await served(t, { key, width, height, type: 'png' })).toEqual([200]);
  });
});
