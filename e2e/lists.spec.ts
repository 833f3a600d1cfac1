import { expect, test } from '@playwright/test';
import { newUser, postArticle, signUp, uniqueName } from './support';

test('a reader can page through the articles of a tag', async ({ page }, testInfo) => {
  await signUp(page, newUser(testInfo, 'prolific'));
  const tag = uniqueName(testInfo, 'series');
  for (let n = 1; n <= 11; n++) {
    await postArticle(page, testInfo, {
      title: `${tag} part ${n}`,
      description: `Part ${n} of 11`,
      body: `This is part ${n}.`,
      tags: [tag],
    });
  }

  await page.goto(`/tag/${tag}`);
  await expect(page.locator('.feed-toggle .nav-link.active')).toHaveText(`# ${tag}`);
  await expect(page.locator('.article-preview')).toHaveCount(10);
  // newest first
  await expect(page.locator('.article-preview h1').first()).toHaveText(`${tag} part 11`);

  const pages = page.getByRole('navigation', { name: 'Pages' });
  await expect(pages.getByRole('link')).toHaveText(['1', '2']);
  await pages.getByRole('link', { name: '2', exact: true }).click();

  await expect(page).toHaveURL(`/tag/${tag}?page=2`);
  await expect(page.locator('.article-preview')).toHaveCount(1);
  await expect(page.locator('.article-preview h1')).toHaveText(`${tag} part 1`);
  await expect(page.locator('.pagination .page-item.active')).toHaveText('2');
});
