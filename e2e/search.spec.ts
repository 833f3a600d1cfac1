import { expect, test } from '@playwright/test';
import { newUser, publishArticle, signUp, uniqueName, uniqueTitle } from './support';

test('a reader searches and opens a result', async ({ page }, testInfo) => {
  await signUp(page, newUser(testInfo, 'searcher'));
  // one token for the search index: letters and digits only
  const word = uniqueName(testInfo, 'quokka').replace(/-/g, '');
  const title = uniqueTitle(testInfo, 'Field notes');
  const slug = await publishArticle(page, {
    title,
    description: 'Seen on an island',
    body: `This morning a ${word} walked past the tent.`,
  });

  await page.goto('/');
  const field = page.getByRole('banner').getByRole('searchbox', { name: 'Search', exact: true });
  await field.fill(word);
  await field.press('Enter');

  await expect(page).toHaveURL(`/search?q=${word}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Search');
  const result = page.locator('.search-result');
  await expect(result).toHaveCount(1);
  await expect(result.locator('mark')).toHaveText(word);
  await result.getByRole('link', { name: title }).click();

  await expect(page).toHaveURL(`/article/${slug}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
});
