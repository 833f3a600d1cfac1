import { createHash } from 'node:crypto';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { newBrowserContext, newUser, OWNER, signIn, signUp, uniqueName, uniqueTitle } from './support';

test('a moderator removes an image everywhere it appears, and readers no longer see it', async ({ page, browser }, testInfo) => {
  // an author uploads a picture of their own (a colour no other run has) and shows it in an article
  const author = newUser(testInfo, 'painter');
  await signUp(page, author);
  const login = await page.request.post('/api/users/login', { data: { user: { email: author.email, password: author.password } } });
  const token = ((await login.json()) as { user: { token: string } }).user.token;
  const seed = createHash('sha256').update(uniqueName(testInfo, 'pic')).digest();
  const png = await sharp({ create: { width: 640, height: 320, channels: 3, background: { r: seed[0]!, g: seed[1]!, b: seed[2]! } } }).png().toBuffer();
  const uploaded = await page.request.post('/api/uploads', {
    headers: { authorization: `Token ${token}` },
    multipart: { file: { name: 'still-life.png', mimeType: 'image/png', buffer: png } },
  });
  expect(uploaded.status()).toBe(201);
  const { url } = ((await uploaded.json()) as { upload: { url: string } }).upload;
  const path = new URL(url).pathname;
  const title = uniqueTitle(testInfo, 'Still life');
  const created = await page.request.post('/api/articles', {
    headers: { authorization: `Token ${token}` },
    data: { article: { title, description: 'A painting', body: `Look: ![a still life](${path})`, tagList: [] } },
  });
  expect(created.status()).toBe(201);
  const { slug } = ((await created.json()) as { article: { slug: string } }).article;
  expect((await page.request.get(path)).status()).toBe(200);

  // the owner finds it on /admin/media, with where it is shown, and removes it with a reason
  const moderatorContext = await newBrowserContext(browser, testInfo);
  const moderator = await moderatorContext.newPage();
  await signIn(moderator, OWNER);
  await moderator.goto('/admin/media');
  const key = path.slice('/media/'.length, '/media/'.length + 20);
  const row = moderator.locator(`#image-${key}`);
  await expect(row.getByRole('link', { name: title })).toBeVisible();
  await expect(row).toContainText(author.username);
  await row.getByRole('link', { name: /Remove/ }).click();
  await expect(moderator.getByRole('heading', { level: 1 })).toHaveText('Remove this image everywhere?');
  await moderator.getByLabel('Reason (kept in the audit log)').fill('Not theirs to publish');
  await moderator.getByRole('button', { name: 'Remove image' }).click();
  await expect(moderator).toHaveURL('/admin/media');
  await expect(moderator.locator('.flash')).toContainText('Image removed from 1 article.');
  await expect(moderator.locator(`#image-${key}`)).toHaveCount(0);

  // readers see the short text instead, and the image's address answers 404
  const readerContext = await newBrowserContext(browser, testInfo);
  const reader = await readerContext.newPage();
  await reader.goto(`/article/${slug}`);
  await expect(reader.locator('.article-content')).toContainText('(image removed by a moderator)');
  expect((await reader.request.get(path)).status()).toBe(404);

  // the same picture cannot be uploaded again
  const again = await page.request.post('/api/uploads', {
    headers: { authorization: `Token ${token}` },
    multipart: { file: { name: 'again.png', mimeType: 'image/png', buffer: png } },
  });
  expect(again.status()).toBe(422);
  await Promise.all([moderatorContext.close(), readerContext.close()]);
});
