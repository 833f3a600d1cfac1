import { expect, test } from '@playwright/test';
import { articleBanner, newBrowserContext, newUser, postArticle, signUp, slugOf, uniqueTitle } from './support';

test('a reader can favorite and unfavorite another author’s article', async ({ page, browser }, testInfo) => {
  const author = newUser(testInfo, 'author');
  await signUp(page, author);
  const title = uniqueTitle(testInfo, 'Worth a heart');
  await postArticle(page, testInfo, { title, description: 'Likeable', body: 'Please favorite.' });

  const readerContext = await newBrowserContext(browser, testInfo);
  try {
    const readerPage = await readerContext.newPage();
    const reader = newUser(testInfo, 'fan');
    await signUp(readerPage, reader);

    await readerPage.goto(`/article/${slugOf(title)}`);
    const banner = articleBanner(readerPage);
    await expect(banner.getByRole('link', { name: 'Edit Article' })).toHaveCount(0);
    await banner.getByRole('button', { name: 'Favorite Article (0)', exact: true }).click();
    await expect(banner.getByRole('button', { name: 'Unfavorite Article (1)', exact: true })).toBeVisible();

    await readerPage.goto(`/profile/${reader.username}/favorites`);
    await expect(readerPage.locator('.article-preview')).toHaveCount(1);
    await expect(readerPage.locator('.article-preview h1')).toHaveText(title);

    // the author sees the count too
    await page.goto(`/article/${slugOf(title)}`);
    await expect(articleBanner(page).getByRole('button', { name: 'Favorite Article (1)', exact: true })).toBeVisible();

    await readerPage.goto(`/article/${slugOf(title)}`);
    await articleBanner(readerPage).getByRole('button', { name: 'Unfavorite Article (1)', exact: true }).click();
    await expect(articleBanner(readerPage).getByRole('button', { name: 'Favorite Article (0)', exact: true })).toBeVisible();
    await readerPage.goto(`/profile/${reader.username}/favorites`);
    await expect(readerPage.locator('.article-preview')).toHaveCount(0);
    await expect(readerPage.locator('.empty-feed-message')).toBeVisible();
  } finally {
    await readerContext.close();
  }
});

test('a reader who follows an author sees their articles in Your Feed', async ({ page, browser }, testInfo) => {
  const author = newUser(testInfo, 'followed');
  await signUp(page, author);
  const title = uniqueTitle(testInfo, 'For followers');
  await postArticle(page, testInfo, { title, description: 'Feed me', body: 'In your feed.' });

  const readerContext = await newBrowserContext(browser, testInfo);
  try {
    const readerPage = await readerContext.newPage();
    await signUp(readerPage, newUser(testInfo, 'follower'));

    await readerPage.goto(`/article/${slugOf(title)}`);
    await articleBanner(readerPage).getByRole('button', { name: `Follow ${author.username}`, exact: true }).click();
    await expect(
      articleBanner(readerPage).getByRole('button', { name: `Unfollow ${author.username}`, exact: true }),
    ).toBeVisible();

    await readerPage.goto('/');
    await readerPage.locator('.feed-toggle').getByRole('link', { name: 'Your Feed' }).click();
    await expect(readerPage).toHaveURL('/?feed=following');
    await expect(readerPage.locator('.feed-toggle .nav-link.active')).toHaveText('Your Feed');
    await expect(readerPage.locator('.article-preview')).toHaveCount(1);
    await expect(readerPage.locator('.article-preview h1')).toHaveText(title);
    await expect(readerPage.locator('.article-preview .author')).toHaveText(author.username);

    await readerPage.goto(`/profile/${author.username}`);
    await readerPage.getByRole('button', { name: `Unfollow ${author.username}`, exact: true }).click();
    await expect(readerPage.getByRole('button', { name: `Follow ${author.username}`, exact: true })).toBeVisible();

    await readerPage.goto('/?feed=following');
    await expect(readerPage.locator('.article-preview')).toHaveCount(0);
    await expect(readerPage.locator('.empty-feed-message')).toContainText('Your feed is empty');
  } finally {
    await readerContext.close();
  }
});
