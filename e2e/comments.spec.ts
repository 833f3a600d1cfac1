import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { newUser, postArticle, signUp, slugOf, uniqueName, type User } from './support';

function commentCard(page: Page, text: string) {
  return page.locator('.card').filter({ has: page.locator('p.card-text').getByText(text, { exact: true }) });
}

/** Signs up a new user who writes an article; leaves the page on it and returns the user. */
async function articleToCommentOn(page: Page, testInfo: TestInfo): Promise<User> {
  const user = newUser(testInfo, 'commenter');
  await signUp(page, user);
  const title = uniqueName(testInfo, 'Discuss');
  await postArticle(page, testInfo, { title, description: 'Talk about it', body: 'Comments welcome.' });
  await page.goto(`/article/${slugOf(title)}`);
  return user;
}

test('a reader can comment on an article and delete the comment', async ({ page }, testInfo) => {
  const user = await articleToCommentOn(page, testInfo);
  const text = `Nice one, ${uniqueName(testInfo, 'c')}`;

  await page.getByPlaceholder('Write a comment...').fill(text);
  await page.getByRole('button', { name: 'Post Comment' }).click();

  const card = commentCard(page, text);
  await expect(card).toBeVisible();
  await expect(card.locator('a.comment-author').filter({ hasText: user.username })).toHaveText(user.username);
  await expect(page.getByPlaceholder('Write a comment...')).toHaveValue('');

  await card.locator('.mod-options').getByRole('button', { name: 'Delete comment' }).click();
  // a confirmation page first, JavaScript or not (issue #16)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Delete this comment?');
  await page.getByRole('button', { name: 'Delete comment' }).click();
  await expect(commentCard(page, text)).toHaveCount(0);
  await expect(page.getByPlaceholder('Write a comment...')).toBeVisible();
});

test('a reader can post a comment of 1,500 characters', async ({ page }, testInfo) => {
  await articleToCommentOn(page, testInfo);
  const marker = uniqueName(testInfo, 'long');
  const text = `${marker} ${'lorem ipsum '.repeat(200)}`.slice(0, 1499) + '.';
  expect(text).toHaveLength(1500);

  await page.getByPlaceholder('Write a comment...').fill(text);
  await page.getByRole('button', { name: 'Post Comment' }).click();

  await expect(commentCard(page, text)).toBeVisible();
  await expect(page.locator('.error-messages')).toHaveCount(0);
  await expect(page.getByPlaceholder('Write a comment...')).toHaveValue('');
});
