import { expect, test } from '@playwright/test';
import { newBrowserContext, newUser, signUp, slugOf, uniqueTitle } from './support';

test('an author saves a draft, previews it, publishes it, and it appears in the feed', async ({ page, browser }, testInfo) => {
  const author = newUser(testInfo, 'drafter');
  await signUp(page, author);
  const title = uniqueTitle(testInfo, 'Unfinished thoughts');

  await page.goto('/editor');
  await page.getByPlaceholder('Article Title').fill(title);
  await page.getByPlaceholder("What's this article about?").fill('Still thinking');
  await page.getByPlaceholder('Write your article (in markdown)').fill('A *draft* body.');
  await page.getByRole('button', { name: 'Save draft' }).click();

  // the author previews it at its own address
  await expect(page).toHaveURL(`/article/${slugOf(title)}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.locator('.draft-notice')).toContainText('only you can see it');
  await expect(page.locator('.article-content em')).toHaveText('draft');

  // it waits under Drafts on the author's profile, and nowhere public
  await page.goto(`/profile/${author.username}/drafts`);
  await expect(page.locator('.article-preview h1')).toHaveText([title]);
  const reader = await newBrowserContext(browser, testInfo);
  const readerPage = await reader.newPage();
  const hidden = await readerPage.goto(`/article/${slugOf(title)}`);
  expect(hidden?.status()).toBe(404);
  await readerPage.goto('/');
  await expect(readerPage.locator('.article-preview h1', { hasText: title })).toHaveCount(0);

  // publishing it from the editor
  await page.goto(`/editor/${slugOf(title)}`);
  await page.getByRole('button', { name: 'Publish Article' }).click();
  await expect(page).toHaveURL(`/article/${slugOf(title)}`);
  await expect(page.locator('.draft-notice')).toHaveCount(0);

  // now every reader sees it: on its own page, and in the author's list of articles (not looked
  // for on the Global Feed's first page: another story posts 11 articles in a row meanwhile,
  // which on a busy machine pushed this one to the second page)
  expect((await readerPage.goto(`/article/${slugOf(title)}`))?.status()).toBe(200);
  await readerPage.goto(`/profile/${author.username}`);
  await expect(readerPage.locator('.article-preview h1', { hasText: title })).toHaveCount(1);
  await reader.close();
});
