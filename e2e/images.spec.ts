import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page, type TestInfo } from '@playwright/test';
import sharp from 'sharp';
import { newBrowserContext, newUser, signUp, slugOf, uniqueTitle } from './support';

/** A picture made for the story: a JPEG (or PNG) of one colour. */
const picture = async (width: number, height: number, background: string, format: 'jpeg' | 'png' = 'jpeg') => {
  const image = sharp({ create: { width, height, channels: 3, background } });
  return format === 'jpeg' ? image.jpeg().toBuffer() : image.png().toBuffer();
};

const jsOn = (testInfo: TestInfo) => testInfo.project.use.javaScriptEnabled !== false;

/** Whether an <img> has loaded (its pixels arrived, not only its box). */
const loaded = (page: Page, selector: string) =>
  expect.poll(() => page.locator(selector).first().evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0));

/**
 * axe's serious and critical findings. With JavaScript off, axe runs on the same document in a page
 * of its own where only axe runs (as e2e/accessibility.spec.ts does).
 */
async function expectNoSeriousAxeViolation(page: Page, testInfo: TestInfo, what: string): Promise<void> {
  let results;
  if (jsOn(testInfo)) {
    results = await new AxeBuilder({ page }).analyze();
  } else {
    const html = await page.content();
    const url = page.url();
    const context = await (page.context().browser() as Browser).newContext({ javaScriptEnabled: true });
    try {
      await context.route((target) => target.pathname.endsWith('.js'), (route) => route.abort());
      await context.route((target) => target.href === url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
      const copy = await context.newPage();
      await copy.goto(url);
      await expect(copy.locator('body')).toHaveCSS('color', 'rgb(31, 35, 40)');
      results = await new AxeBuilder({ page: copy }).analyze();
    } finally {
      await context.close();
    }
  }
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(serious, what).toEqual([]);
  expect(results.passes.length, what).toBeGreaterThan(10);
}

test('an author uploads an image into an article and sets a cover; readers see both, and the home page shows the cover', async ({ page, browser }, testInfo) => {
  const author = newUser(testInfo, 'pics');
  await signUp(page, author);
  const title = uniqueTitle(testInfo, 'A meadow');
  await page.goto('/editor');
  await page.getByPlaceholder('Article Title').fill(title);
  await page.getByPlaceholder("What's this article about?").fill('Green, mostly');
  const body = page.getByPlaceholder('Write your article (in markdown)');
  await body.fill('We walked out at dawn.');

  // "Upload image": the whole form goes with the file; the editor comes back with everything kept
  await page.getByLabel('Image file').setInputFiles({ name: 'meadow.jpg', mimeType: 'image/jpeg', buffer: await picture(1800, 1200, '#4a7') });
  await page.getByLabel('Alt text').fill('A meadow at dawn');
  await page.getByRole('button', { name: 'Upload image' }).click();
  await expect(body).toHaveValue(/^We walked out at dawn\.\n\n!\[A meadow at dawn\]\(\/media\/[0-9a-f]{20}-1800x1200\.jpg\)\n$/);
  await expect(page.getByPlaceholder('Article Title')).toHaveValue(title);
  await expect(page.getByPlaceholder("What's this article about?")).toHaveValue('Green, mostly');
  await expectNoSeriousAxeViolation(page, testInfo, 'the editor with an image');

  // a cover of its own, uploaded beside the body
  await page.getByLabel('Or upload a cover').setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: await picture(1600, 800, '#27a', 'png') });
  await page.getByRole('button', { name: 'Upload cover' }).click();
  await expect(page.getByLabel('Cover', { exact: true })).toHaveValue(/^\/media\/[0-9a-f]{20}-1600x800\.png$/);
  const cover = await page.getByLabel('Cover', { exact: true }).inputValue();
  await expect(body).toHaveValue(/!\[A meadow at dawn\]/);
  await page.getByRole('button', { name: 'Publish Article' }).click();
  await expect(page).toHaveURL(`/article/${slugOf(title)}`);

  // a reader sees the cover first and the image in the text
  const context = await newBrowserContext(browser, testInfo);
  const reader = await context.newPage();
  await reader.goto(`/article/${slugOf(title)}`);
  await expect(reader.locator('.article-cover img')).toHaveAttribute('src', cover);
  await expect(reader.locator('.article-cover img')).toHaveAttribute('fetchpriority', 'high');
  await loaded(reader, '.article-cover img').toBe(true);
  const inBody = reader.getByRole('img', { name: 'A meadow at dawn' });
  await expect(inBody).toHaveAttribute('loading', 'lazy');
  await inBody.scrollIntoViewIfNeeded();
  await loaded(reader, '.article-body img').toBe(true);
  await expectNoSeriousAxeViolation(reader, testInfo, 'the article with a cover and an image');

  // the home page's preview of it shows the cover. Looked for page by page: another story posts
  // 11 articles in a row meanwhile, which can push this one past the Global Feed's first page
  const preview = reader.locator('.article-preview', { has: reader.getByRole('heading', { name: title }) });
  for (let page = 1; page <= 5; page++) {
    await reader.goto(page === 1 ? '/' : `/?page=${page}`);
    if ((await preview.count()) > 0) break;
  }
  await expect(preview.locator('img.preview-cover')).toHaveAttribute('src', cover);
  await context.close();
});

test('a member uploads an avatar in settings', async ({ page }, testInfo) => {
  const member = newUser(testInfo, 'face');
  await signUp(page, member);
  await page.goto('/settings');
  await page.getByLabel('Or upload a picture').setInputFiles({ name: 'me.jpg', mimeType: 'image/jpeg', buffer: await picture(900, 600, '#a47') });
  await page.getByRole('button', { name: 'Update Settings' }).click();
  await expect(page).toHaveURL(`/profile/${member.username}`);
  const avatar = page.locator('img.user-img');
  await expect(avatar).toHaveAttribute('src', /\/media\/[0-9a-f]{20}-512x512\.jpg$/);
  await loaded(page, 'img.user-img').toBe(true);
  expect(await avatar.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([512, 512]);

  // a file that is not a picture comes back with its message, and the other fields as typed
  await page.goto('/settings');
  await page.getByLabel('Bio').fill('Keeps this');
  await page.getByLabel('Or upload a picture').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('just some text') });
  await page.getByRole('button', { name: 'Update Settings' }).click();
  await expect(page.locator('#avatar-error')).toContainText('JPEG, PNG, WebP, GIF or AVIF');
  await expect(page.getByLabel('Bio')).toHaveValue('Keeps this');
});

test('an image goes in where the cursor is: pasted or dropped with JavaScript, through "Upload image" without', async ({ page }, testInfo) => {
  const author = newUser(testInfo, 'paste');
  await signUp(page, author);
  await page.goto('/editor');
  const body = page.getByPlaceholder('Write your article (in markdown)');
  await body.fill('Before.\n\nAfter.');
  const png = await picture(640, 480, '#d84', 'png');

  if (!jsOn(testInfo)) {
    // no script keeps the cursor: the image goes at the end, as its own paragraph
    await page.getByLabel('Image file').setInputFiles({ name: 'pasted.png', mimeType: 'image/png', buffer: png });
    await page.getByLabel('Alt text').fill('An orange square');
    await page.getByRole('button', { name: 'Upload image' }).click();
    await expect(body).toHaveValue(/^Before\.\n\nAfter\.\n\n!\[An orange square\]\(\/media\/[0-9a-f]{20}-640x480\.png\)\n$/);
    return;
  }

  // the cursor after "Before.\n\n"; a paste of an image file, as a browser sends one
  await body.evaluate((textarea: HTMLTextAreaElement) => textarea.setSelectionRange(9, 9));
  await body.evaluate((textarea: HTMLTextAreaElement, bytes: number[]) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' }));
    textarea.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, [...png]);
  const dialog = page.getByRole('dialog', { name: 'Describe the image' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Alt text for pasted.png').fill('An orange square');
  await dialog.getByRole('button', { name: 'Insert image' }).click();
  await expect(body).toHaveValue(/^Before\.\n\n!\[An orange square\]\(\/media\/[0-9a-f]{20}-640x480\.png\)\n\nAfter\.$/);
  await expect(page.locator('[data-upload-status]')).toHaveText('Image inserted.');

  // a drop at the start of the body
  await body.evaluate((textarea: HTMLTextAreaElement) => textarea.setSelectionRange(0, 0));
  const jpeg = await picture(300, 200, '#48d');
  await body.evaluate((textarea: HTMLTextAreaElement, bytes: number[]) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], 'dropped.jpg', { type: 'image/jpeg' }));
    textarea.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, [...jpeg]);
  await page.getByRole('dialog', { name: 'Describe the image' }).getByLabel('Alt text for dropped.jpg').fill('A blue field');
  await page.getByRole('dialog', { name: 'Describe the image' }).getByRole('button', { name: 'Insert image' }).click();
  await expect(body).toHaveValue(/^!\[A blue field\]\(\/media\/[0-9a-f]{20}-300x200\.jpg\)\n\nBefore\.\n\n!\[An orange square\]/);
});
